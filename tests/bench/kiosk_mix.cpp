#include "kiosk_mix.hpp"

namespace touchpoint::bench {

event::Message kioskShapedMessage(const event::KioskEventFactory& f, std::mt19937_64& rng, std::int64_t i,
                                  std::int64_t shoppers) {
    const std::string session = "s-" + std::to_string(i / 3);
    const auto shopper = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(shoppers));
    event::Identity id{event::Identity::Type::Phone, "+1202555" + std::to_string(1000000 + shopper).substr(1)};
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
