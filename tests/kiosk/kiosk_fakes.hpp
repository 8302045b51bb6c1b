#pragma once
// Test doubles for the kiosk core: an event store that keeps messages in memory (and can fail like a full
// disk), a profile client answered by the test, and a factory wired with fresh keys.

#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "core/event_store.hpp"
#include "core/kiosk_controller.hpp"
#include "core/profile.hpp"
#include "event/kiosk_events.hpp"
#include "event/sealing.hpp"
#include "temp_dir.hpp"

namespace touchpoint::kiosk::testing {

class FakeStore final : public EventStore {
public:
    Result<void, std::string> record(event::Message& message) override {
        if (failWith) return Fail(*failWith);
        messages.push_back(message);
        return {};
    }
    Result<bool, std::string> signedInSince(const std::string& hash, std::int64_t sinceMs) override {
        lastSince = sinceMs;
        for (const auto& m : messages) {
            if (m.kind != event::EventKind::Signin || m.timestampMs < sinceMs) continue;
            for (const auto& h : m.identityHashes) {
                if (h == hash) return true;
            }
        }
        return recentSignin;
    }
    std::vector<event::Message> of(event::EventKind kind) const {
        std::vector<event::Message> out;
        for (const auto& m : messages) {
            if (m.kind == kind) out.push_back(m);
        }
        return out;
    }

    std::vector<event::Message> messages;
    std::optional<std::string> failWith;
    bool recentSignin = false;
    std::int64_t lastSince = 0;
};

class FakeProfiles final : public ProfileClient {
public:
    void requestWelcome(const event::Identity& identity, Done done) override {
        requests.push_back(identity);
        pending = std::move(done);
    }
    void answer(Result<WelcomeInfo, std::string> r) {
        auto done = std::move(pending);
        pending = nullptr;
        done(std::move(r));
    }
    std::vector<event::Identity> requests;
    Done pending;
};

struct Keys {
    event::KeyPair sealing = event::generateSealingKeyPair();
    std::string hashKey = event::IdentityHasher::generateKeyB64();

    event::KioskEventFactory factory(const Clock& clock) const {
        auto sealer = event::Sealer::fromPublicKeyB64(sealing.publicKeyB64);
        auto hasher = event::IdentityHasher::fromKeyB64(hashKey);
        return event::KioskEventFactory({"store-1", "kiosk-1", "UTC", "0.1.0", "boot"}, std::move(sealer).value(),
                                        std::move(hasher).value(), clock);
    }
};

/// The hub's answer for a known Silver member "A" with 340 points (10 a check-in, a 3 h cooldown).
inline WelcomeInfo memberWelcome(std::optional<std::int64_t> lastCheckinMs = std::nullopt) {
    WelcomeInfo w;
    w.found = true;
    w.firstInitial = "A";
    w.tier = "Silver";
    w.points = 340;
    w.pointsPerCheckin = 10;
    w.cooldownSeconds = 3 * 3600;
    w.lastCheckinMs = lastCheckinMs;
    return w;
}

/// Everything a KioskController needs: the real translations and survey from assets/, in all five languages,
/// a manual clock, and the fakes above for the store and the hub. Test fixtures derive from it.
struct ControllerParts {
    ControllerParts()
        : texts(Translations::loadKiosk(touchpoint::testing::sourceAssetsDir() / "i18n", allLanguages()).value()),
          survey(loadSurvey(touchpoint::testing::sourceAssetsDir() / "surveys" / "store-visit.json").value()),
          factory(keys.factory(clock)) {
        options.languages = allLanguages();
    }
    static const std::vector<std::string>& allLanguages() {
        static const std::vector<std::string> languages{"en", "es", "fr", "de", "pt"};
        return languages;
    }
    /// Start, a phone number on the keypad, Continue, and the hub does not know it: the consent screen.
    void signUpUntilConsent(KioskController& controller) {
        controller.apply(Intent::of(IntentKind::Start));
        for (char c : std::string("2025550143")) controller.apply(Intent::withText(IntentKind::KeyChar, std::string(1, c)));
        controller.apply(Intent::of(IntentKind::SubmitSignIn));
        profiles.answer(WelcomeInfo{});
        queue.drain();
    }
    std::unique_ptr<KioskController> makeController(bool withHub = true) {
        return std::make_unique<KioskController>(options, clock, texts, survey, factory, store,
                                                 withHub ? &profiles : nullptr, queue);
    }

    ManualClock clock;
    Keys keys;
    Translations texts;
    Survey survey;
    event::KioskEventFactory factory;
    FakeStore store;
    FakeProfiles profiles;
    RunQueue queue;
    FlowOptions options;
};

}  // namespace touchpoint::kiosk::testing
