// For the Cases browser test: one shopper's kiosk visit as the kiosk would send it, printed as a JSON array
// of /v1/batch messages: a phone sign-in, a detractor's survey answer with a comment, and the shopper's
// consent to be contacted about it (the phone sealed to the hub's key, as the kiosk seals it). Built like the
// C++ case tests build theirs (tests/hub/cases/cases_api_test.cpp), so the browser test needs no sealing of its
// own.

#include <fstream>
#include <iostream>
#include <sstream>

#include "common/cli.hpp"
#include "common/clock.hpp"
#include "event/kiosk_events.hpp"
#include "event/message.hpp"
#include "event/sealing.hpp"

int main(int argc, char** argv) {
    using namespace touchpoint;
    CLI::App app{"Prints a detractor's kiosk visit with consent to be contacted, as /v1/batch messages"};
    std::string keyFile, store, kiosk, session, phone, comment;
    int nps = 2;
    app.add_option("--sealing-key-file", keyFile, "the hub's sealing-public.key")->required();
    app.add_option("--store", store, "store id")->required();
    app.add_option("--kiosk", kiosk, "kiosk id")->required();
    app.add_option("--session", session, "kiosk session id (one visit)")->required();
    app.add_option("--phone", phone, "the shopper's phone, E.164")->required();
    app.add_option("--nps", nps, "the answer's NPS (0..6 for a detractor)")->check(CLI::Range(0, 10));
    app.add_option("--comment", comment, "the answer's comment");
    if (auto exit = cli::parse(app, argc, argv)) return *exit;

    std::ifstream in(keyFile);
    std::stringstream text;
    text << in.rdbuf();
    std::string key = text.str();
    while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
    auto sealer = event::Sealer::fromPublicKeyB64(key);
    if (!sealer) return cli::refuse(app, "--sealing-key-file: " + sealer.error());
    auto hasher = event::IdentityHasher::fromKeyB64(event::IdentityHasher::generateKeyB64());
    if (!hasher) return cli::refuse(app, hasher.error());
    const event::KioskEventFactory factory({store, kiosk, "America/New_York", "0.1.0", "boot-1"}, *sealer,
                                           *hasher, SystemClock::instance());
    const event::Identity contact{event::Identity::Type::Phone, phone};

    event::FeedbackAnswers answers;
    answers.surveyId = "store-visit";
    answers.nps = nps;
    answers.reasons = {"queue"};
    if (!comment.empty()) answers.comment = comment;
    const auto feedback = factory.feedback(session, "en-US", answers, std::nullopt);
    const event::ConsentRecord notice{"feedback-contact", "1", std::string(64, 'a'), {}};
    nlohmann::json out = nlohmann::json::array();
    out.push_back(
        event::toJson(factory.signin(session, "en-US", event::SigninMethod::Phone, contact, false)));
    out.push_back(event::toJson(feedback));
    out.push_back(
        event::toJson(factory.feedbackContactConsent(session, "en-US", contact, notice, feedback.messageId)));
    std::cout << out.dump() << "\n";
    return 0;
}
