#include "kiosk_mix.hpp"

#include <cstdint>

namespace touchpoint::bench {

namespace {

/// FNV-1a, then SplitMix64's finaliser so the low bits (taken modulo the shoppers) depend on every byte. Unlike
/// std::hash, the same on every standard library: every build benches the same shoppers.
std::uint64_t stableHash(const std::string& text) {
    std::uint64_t h = 14695981039346656037ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
    h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
    return h ^ (h >> 31);
}

}  // namespace

event::Message kioskShapedMessage(const event::KioskEventFactory& f, std::mt19937_64& rng, std::int64_t i,
                                  std::int64_t shoppers) {
    // A session belongs to one kiosk (the kiosk names it with a UUID), and its id is the messages' anonymousId:
    // the same name on two kiosks would make their shoppers one anonymous person.
    const std::string session = f.device().storeId + "/" + f.device().kioskId + "/s-" + std::to_string(i / 3);
    // One shopper per session (sign-in, consent and answers of one visit), returning over later sessions.
    const auto shopper = static_cast<std::int64_t>(stableHash(session) % static_cast<std::uint64_t>(shoppers));
    // Valid and distinct numbers (+1 202 2xx xxxx, checked with the hub's own rule): a number the hub cannot
    // read gives the message no phone identity at all.
    event::Identity id{event::Identity::Type::Phone, "+1202" + std::to_string(200 + shopper / 10000) +
                                                         std::to_string(10000 + shopper % 10000).substr(1)};
    const auto pick = rng() % 100;
    if (pick < 30) return f.signin(session, "en-US", event::SigninMethod::Phone, id, pick < 3);
    if (pick < 35) {
        return f.consent(session, "en-US", id, {"loyalty-terms", "2026-01", std::string(64, 'a'), {"loyalty_terms"}});
    }
    if (pick < 80) {
        event::FeedbackAnswers a;
        a.surveyId = "store-visit";
        a.nps = static_cast<int>(rng() % 11);
        a.csat = 1 + static_cast<int>(rng() % 5);
        a.ces = 1 + static_cast<int>(rng() % 7);
        a.reasons = {"staff", "speed"};
        if (pick < 45) a.comment = "The staff were lovely, call me on 555 0100";
        return f.feedback(session, "en-US", a, std::nullopt);
    }
    if (pick < 90) {
        event::FeedbackAnswers a;
        a.surveyId = "store-visit";
        a.nps = 5;
        a.lastStep = "reasons";
        return f.feedbackAbandoned(session, "en-US", a, "timeout", std::nullopt);
    }
    return f.heartbeat({{"state", "online"}, {"queueDepth", static_cast<int>(rng() % 50)}});
}

}  // namespace touchpoint::bench
