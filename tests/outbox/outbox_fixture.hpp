#pragma once
// Shared helpers for the outbox suites: a kiosk event factory with throwaway keys, and small builders.

#include <memory>
#include <string>

#include "common/clock.hpp"
#include "event/kiosk_events.hpp"
#include "outbox/outbox.hpp"

namespace touchpoint::outbox::testing {

struct EventKit {
    event::KeyPair keys = event::generateSealingKeyPair();
    std::string hashKey = event::IdentityHasher::generateKeyB64();
    ManualClock clock;
    event::KioskEventFactory factory{event::DeviceIdentity{"store-0001", "kiosk-01", "America/New_York", "0.1.0", "boot"},
                                     event::Sealer::fromPublicKeyB64(keys.publicKeyB64).value(),
                                     event::IdentityHasher::fromKeyB64(hashKey).value(), clock};

    event::Message phoneSignin(const std::string& phone = "+15555550123") {
        return factory.signin("session-1", "en-US", event::SigninMethod::Phone,
                              event::Identity{event::Identity::Type::Phone, phone}, false);
    }
    event::Message emailSignin(const std::string& email) {
        return factory.signin("session-1", "en-US", event::SigninMethod::Email,
                              event::Identity{event::Identity::Type::Email, email}, false);
    }
    event::Message feedback(int nps, const std::string& comment = "",
                            const std::optional<event::Identity>& member = std::nullopt) {
        event::FeedbackAnswers a;
        a.surveyId = "store-visit";
        a.nps = nps;
        a.comment = comment;
        return factory.feedback("session-1", "en-US", a, member);
    }
    event::Message abandoned() {
        event::FeedbackAnswers a;
        a.surveyId = "store-visit";
        a.nps = 5;
        a.lastStep = "reasons";
        return factory.feedbackAbandoned("session-1", "en-US", a, "timeout", std::nullopt);
    }
    event::Message heartbeat() { return factory.heartbeat(nlohmann::json{{"queueDepth", 3}}); }
    std::string hash(event::Identity::Type type, const std::string& value) {
        return factory.identityHash(event::Identity{type, value});
    }
};

inline std::unique_ptr<Outbox> openOutbox(const std::filesystem::path& path, const Clock* clock = nullptr,
                                          std::int64_t budget = 512LL * 1024 * 1024, OpenReport* report = nullptr) {
    OutboxOptions o;
    o.path = path;
    o.byteBudget = budget;
    o.clock = clock;
    auto r = Outbox::open(o, report);
    if (!r) throw std::runtime_error("open failed: " + r.error().message);
    return std::move(r.value());
}

}  // namespace touchpoint::outbox::testing
