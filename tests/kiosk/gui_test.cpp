// The real touchpoint-kiosk binary under Xvfb, driven by --script: full sign-in and feedback, then the
// outbox file is opened and checked event by event, and its bytes searched for plaintext personal data.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "common/tls_cert.hpp"
#include "content/survey.hpp"
#include "event/sealing.hpp"
#include "gui_support.hpp"
#include "hub/ephemeral_hub.hpp"
#include "outbox/outbox.hpp"
#include "protocol/hub_receiver.hpp"
#include "temp_dir.hpp"

namespace touchpoint::kiosk {
namespace {

using namespace gui_testing;
namespace fs = std::filesystem;

/// The outbox's pending events after a visit in which a new member signed up and gave feedback: exactly
/// consent, sign-in and feedback, in that order (checked here), as JSON. The outbox is closed on return.
std::vector<nlohmann::json> newMemberVisitEvents(const KioskFiles& files) {
    outbox::OutboxOptions options;
    options.path = files.outbox;
    auto box = outbox::Outbox::open(options);
    EXPECT_TRUE(box.ok()) << (box.ok() ? "" : box.error().message);
    if (!box.ok()) return {};
    auto pending = (*box)->listPending(100);
    EXPECT_TRUE(pending.ok());
    if (!pending.ok()) return {};
    const std::vector<event::EventKind> kinds{event::EventKind::Consent, event::EventKind::Signin,
                                              event::EventKind::Feedback};
    std::vector<event::EventKind> got;
    std::vector<nlohmann::json> events;
    for (const auto& p : *pending) {
        got.push_back(p.kind);
        events.push_back(nlohmann::json::parse(p.payload));
    }
    EXPECT_EQ(got, kinds);
    return got == kinds ? events : std::vector<nlohmann::json>{};
}

constexpr const char* kFullVisit = R"(# a new member signs in by phone, consents, gives feedback with a comment
expect attract
tap lang.fr
tap attract.start
type 2025550143
tap signin.submit
await consent
tap consent.terms
tap consent.accept
await welcome.offline
tap welcome.feedback
tap nps.3
tap feedback.next
tap choice.wait_time
tap choice.stock
tap feedback.next
tap csat.2
tap feedback.next
tap ces.3
tap feedback.next
type très lent
tap feedback.next
expect contact.ask
tap contact.skip
expect thankyou
tap thanks.done
expect attract
)";

TEST(KioskGui, FullVisitLeavesExactlyTheExpectedSealedEventsInTheOutbox) {
    touchpoint::testing::TempDir dir;
    const auto files = writeConfig(dir.path());
    const auto shots = artifacts("full-visit");
    const auto run = runKiosk(dir.path(), files.config, kFullVisit, shots);
    ASSERT_EQ(run.exitCode, 0) << run.log;
    EXPECT_GE(pngCount(shots), 20u);

    const auto events = newMemberVisitEvents(files);
    ASSERT_EQ(events.size(), 3u);
    event::Unsealer unsealer;
    ASSERT_TRUE(unsealer.addSecretKeyB64(files.sealing.secretKeyB64).ok());
    // One session: the feedback joins the sign-in through the anonymousId.
    EXPECT_EQ(events[0]["anonymousId"], events[2]["anonymousId"]);
    EXPECT_EQ(events[0]["context"]["locale"], "fr-US");
    EXPECT_EQ(events[0]["properties"]["purposes"], nlohmann::json::array({"loyalty_terms"}));
    EXPECT_EQ(events[0]["properties"]["textSha256"].get<std::string>().size(), 64u);
    EXPECT_EQ(events[1]["properties"]["method"], "phone");
    auto phone = unsealer.open(events[1]["sealed"]["properties.phone"].get<std::string>());
    ASSERT_TRUE(phone.ok()) << phone.error();
    EXPECT_EQ(*phone, "+12025550143");
    const auto& answers = events[2]["properties"]["answers"];
    EXPECT_EQ(answers["nps"], 3);
    EXPECT_EQ(answers["csat"], 2);
    EXPECT_EQ(answers["ces"], 3);
    EXPECT_EQ(answers["reasons"], nlohmann::json::array({"wait_time", "stock"}));
    EXPECT_EQ(events[2]["properties"]["misuse"], false);
    auto comment = unsealer.open(events[2]["sealed"]["properties.comment"].get<std::string>());
    ASSERT_TRUE(comment.ok()) << comment.error();
    EXPECT_EQ(*comment, "très lent");

    // Nothing personal in plaintext anywhere in the files (the WAL included).
    std::string bytes;
    for (const char* suffix : {"", "-wal", "-journal"}) bytes += touchpoint::testing::readFile(files.outbox.string() + suffix);
    ASSERT_FALSE(bytes.empty());
    for (const char* secret : {"2025550143", "202) 555", "très lent", "tr\xc3\xa8s"}) {
        EXPECT_EQ(bytes.find(secret), std::string::npos) << secret;
    }
}

/// Moves speech and keypad mode's focus from keypad position `from` to `to` (positions in key order
/// 1..9, +, 0), alternating the keyboard's and the numeric keypad's keys so both mappings are used.
std::string moveOnKeypad(int from, int to) {
    if (to == from) return {};
    const int n = to > from ? to - from : from - to;
    const bool even = (from + to) % 2 == 0;
    const std::string key = to > from ? (even ? "tab" : "kp_6") : (even ? "shift+tab" : "kp_4");
    return "press " + key + " " + std::to_string(n) + "\n";
}

std::string typePhoneByKeys(const std::string& digits) {
    const std::string order = "123456789+0";
    std::string script;
    int at = 0;  // focus starts on key 1
    for (char c : digits) {
        const int to = static_cast<int>(order.find(c));
        script += moveOnKeypad(at, to);
        script += "focused key." + std::string(1, c) + "\npress kp_5\n";
        at = to;
    }
    return script;
}

TEST(KioskGui, ABlindShopperSignsInAndGivesFeedbackWithKeysAlone) {
    // No tap anywhere: keys only, through the window's key mapping. The focus and what is said are checked
    // along the way, and the outbox at the end.
    std::string script = R"(expect attract
press space
said Speech is on. Touchpoint Rewards.
focused attract.start
said Tap to start, button, 1 of 2
press f1
said Press next or previous
press kp_enter
expect signin
focused key.1
said Sign in to rewards.
said 1, key, 1 of 12
)";
    script += typePhoneByKeys("2025550143");
    script += R"(press tab 10
focused signin.submit
press space
await consent
focused consent.terms
said I agree to the rewards terms (required), checkbox, not checked, 1 of 2
press kp_5
said checked
press down 2
focused consent.accept
said Join, button, 1 of 3
press kp_enter
await welcome.offline
focused welcome.feedback
press space
expect feedback
said Question 1 of 4.
said 0, button, 1 of 11
press right 9
said 9, button, 10 of 11
press space
said 9, selected
press tab 3
focused feedback.next
press space
focused choice.friendly_staff
press space
said Friendly staff, checked
press shift+tab
focused feedback.next
press space
focused csat.1
press down 3
focused csat.4
press kp_5
wait 46
expect feedback
wait 46
expect stillthere
said Are you still there?
press escape
expect feedback
press tab 4
focused feedback.next
press space
press tab 5
focused ces.6
press space
press tab 4
focused feedback.next
press f2
said Question 4 of 5.
press space
focused key.1
press shift+tab 2
focused feedback.next
said Send, button
press space
expect thankyou
said Thank you!
press space
expect attract
)";
    touchpoint::testing::TempDir dir;
    const auto files = writeConfig(dir.path());
    const auto shots = artifacts("keys-only");
    const auto run = runKiosk(dir.path(), files.config, script, shots);
    ASSERT_EQ(run.exitCode, 0) << run.log;

    const auto events = newMemberVisitEvents(files);
    ASSERT_EQ(events.size(), 3u);
    event::Unsealer unsealer;
    ASSERT_TRUE(unsealer.addSecretKeyB64(files.sealing.secretKeyB64).ok());
    auto phone = unsealer.open(events[1]["sealed"]["properties.phone"].get<std::string>());
    ASSERT_TRUE(phone.ok()) << phone.error();
    EXPECT_EQ(*phone, "+12025550143");
    const auto& answers = events[2]["properties"]["answers"];
    EXPECT_EQ(answers["nps"], 9);
    EXPECT_EQ(answers["reasons"], nlohmann::json::array({"friendly_staff"}));
    EXPECT_EQ(answers["csat"], 4);
    EXPECT_EQ(answers["ces"], 6);
}

TEST(KioskGui, InactivityResetsAndRecordsTheAbandonedSurvey) {
    touchpoint::testing::TempDir dir;
    const auto files = writeConfig(dir.path());
    const auto shots = artifacts("inactivity");
    const auto run = runKiosk(dir.path(), files.config, R"(tap attract.start
tap signin.skip
tap nps.9
tap feedback.next
wait 46
expect stillthere
wait 21
expect attract
)",
                              shots);
    ASSERT_EQ(run.exitCode, 0) << run.log;
    outbox::OutboxOptions options;
    options.path = files.outbox;
    auto box = outbox::Outbox::open(options);
    ASSERT_TRUE(box.ok());
    auto pending = (*box)->listPending(10);
    ASSERT_TRUE(pending.ok());
    ASSERT_EQ(pending->size(), 1u);
    const auto j = nlohmann::json::parse((*pending)[0].payload);
    EXPECT_EQ(j["event"], "Feedback Abandoned");
    EXPECT_EQ(j["properties"]["abandonReason"], "timeout");
    EXPECT_EQ(j["properties"]["answers"]["nps"], 9);
}

TEST(KioskGui, EveryScreenInEveryLanguageHasEveryGlyph) {
    // The driver fails the script on any frame that drew a character the font atlas lacks.
    std::string script;
    int n = 1;
    for (const char* lang : {"en", "es", "fr", "de", "pt"}) {
        const std::string l = lang;
        script += "tap lang." + l + "\nshot " + l + "-attract\ntap attract.start\nshot " + l + "-signin-phone\n" +
                  "type 123\ntap signin.submit\nshot " + l + "-signin-error\ntap signin.tab.email\nshot " + l +
                  "-signin-email\ntap signin.tab.phone\ntap key.backspace\ntap key.backspace\ntap key.backspace\n" +
                  "type 202555014" + std::to_string(n++) + "\ntap signin.submit\nawait consent\nshot " + l +
                  "-consent\ntap consent.terms\ntap consent.accept\nawait welcome.offline\nshot " + l +
                  "-welcome\ntap welcome.feedback\nshot " + l + "-nps\ntap nps.10\ntap feedback.next\nshot " + l +
                  "-choice\ntap choice.friendly_staff\ntap feedback.next\nshot " + l + "-csat\ntap csat.5\n" +
                  "tap feedback.next\nshot " + l + "-ces\ntap ces.7\ntap feedback.next\nshot " + l + "-comment\n" +
                  "wait 46\nshot " + l + "-stillthere\ntap stillthere.continue\ntap feedback.next\nshot " + l +
                  "-thankyou\ntap thanks.done\nexpect attract\n";
    }
    touchpoint::testing::TempDir dir;
    const auto files = writeConfig(dir.path());
    const auto shots = artifacts("languages");
    const auto run = runKiosk(dir.path(), files.config, script, shots);
    ASSERT_EQ(run.exitCode, 0) << run.log;
    EXPECT_GE(pngCount(shots), 5u * 12u);
}

TEST(KioskGui, AScriptFailsWhenTheTextItExpectsIsNotOnScreen) {
    touchpoint::testing::TempDir dir;
    const auto files = writeConfig(dir.path());
    const auto run = runKiosk(dir.path(), files.config, "expect attract\nshows Tap to start\nshows Tap to stop\n",
                              artifacts("shows"));
    EXPECT_EQ(run.exitCode, 1) << run.log;
    EXPECT_NE(run.log.find(":3: shows: no text containing \"Tap to stop\" on screen; drawn: "), std::string::npos)
        << run.log;
    EXPECT_NE(run.log.find("\"Tap to start\""), std::string::npos) << run.log;  // what was drawn is listed
}

TEST(KioskGui, WithAHubANewMemberIsToldSoAndEverythingIsDelivered) {
    auto hub = hub::EphemeralHub::start(kioskZeroOne());
    ASSERT_TRUE(hub.ok()) << hub.error();
    touchpoint::testing::TempDir dir;
    const std::string hubLines = "url = \"" + (*hub)->url() + "\"\ntoken = \"" + (*hub)->ingestToken() +
                                 "\"\nca_file = \"" + (*hub)->caFile().string() + "\"\nwelcome_timeout_ms = 5000\n";
    const auto files = writeConfig(dir.path(), hubLines, (*hub)->sealingPublicKeyB64());
    const auto shots = artifacts("with-hub");
    const auto run = runKiosk(dir.path(), files.config, R"(tap attract.start
tap signin.tab.email
type new.member@example.com
tap signin.submit
await consent 15
tap consent.terms
tap consent.accept
expect welcome.new_member
shot new-member-before-the-hub
flush 30
await welcome.new_member.balance 15
tap welcome.feedback
tap nps.8
tap feedback.next
tap feedback.next
tap csat.4
tap feedback.next
tap ces.5
tap feedback.next
tap feedback.next
expect thankyou
flush 30
)",
                              shots);
    ASSERT_EQ(run.exitCode, 0) << run.log;
    outbox::OutboxOptions options;
    options.path = files.outbox;
    auto box = outbox::Outbox::open(options);
    ASSERT_TRUE(box.ok());
    auto stats = (*box)->stats();
    ASSERT_TRUE(stats.ok());
    EXPECT_EQ(stats->pendingCount, 0);
    EXPECT_EQ(stats->deadLetterCount, 0);
}

/// A last-good head-office document (as the kiosk keeps it beside its outbox) whose store is closed every day:
/// the built-in survey and its English and French texts from the assets, opening hours with no periods.
void writeClosedStoreDocument(const fs::path& outbox) {
    const auto assets = touchpoint::testing::sourceAssetsDir();
    auto survey = nlohmann::json::parse(touchpoint::testing::readFile(assets / "surveys" / "store-visit.json"));
    survey["version"] = 4;
    const auto parsed = content::Survey::fromJson(survey, "survey");
    ASSERT_TRUE(parsed.ok());
    nlohmann::json texts;
    for (const char* lang : {"en", "fr"}) {
        const auto table = nlohmann::json::parse(touchpoint::testing::readFile(assets / "i18n" / (std::string(lang) + ".json")));
        for (const auto& key : parsed->translationKeys()) texts[lang][key] = table.at(key);
    }
    const nlohmann::json body{
        {"format", 1}, {"configVersion", 9}, {"survey", survey}, {"texts", texts},
        {"settings", {{"languages", {"en", "fr"}}, {"defaultLanguage", "fr"},
                      {"openingHours", {{"timeZone", "UTC"}, {"days", nlohmann::json::object()}}}}}};
    std::ofstream(outbox.parent_path() / "fleet-config.json")
        << nlohmann::json{{"format", 1}, {"etag", "\"cfg-9\""}, {"body", body.dump()}}.dump();
}

TEST(KioskGui, AClosedStoreShowsTheSleepScreenAndATouchOnlyShowsTheHours) {
    touchpoint::testing::TempDir dir;
    const auto files = writeConfig(dir.path());
    writeClosedStoreDocument(files.outbox);
    const auto shots = artifacts("sleep");
    const auto run = runKiosk(dir.path(), files.config, R"(await sleep 5
shot closed
tap sleep.wake
expect sleep
shot hours
)",
                              shots);
    ASSERT_EQ(run.exitCode, 0) << run.log;
    EXPECT_NE(run.log.find("using the last-good document"), std::string::npos) << run.log;
    EXPECT_GE(pngCount(shots), 2u);
    // Nothing a touch on the sleep screen does is recorded.
    outbox::OutboxOptions options;
    options.path = files.outbox;
    auto box = outbox::Outbox::open(options);
    ASSERT_TRUE(box.ok());
    auto pending = (*box)->listPending(10);
    ASSERT_TRUE(pending.ok());
    EXPECT_TRUE(pending->empty());
}

TEST(KioskGui, ADocumentFromTheHubIsAppliedAtAttractWithItsNewGlyphsInTheAtlas) {
    // A receiver speaking the hub's protocol, with head office's document: an English-only survey whose NPS
    // question uses a character no built-in text has (so the font atlas must be rebuilt to draw it).
    auto ca = tls::makeCertificate([] {
        tls::CertificateRequest r;
        r.commonName = "Touchpoint Test CA";
        r.dnsNames.clear();
        r.ipAddresses.clear();
        r.isCa = true;
        return r;
    }());
    ASSERT_TRUE(ca.ok()) << ca.error();
    auto cert = tls::makeCertificate({}, ca.value());
    ASSERT_TRUE(cert.ok()) << cert.error();
    protocol::HubReceiverOptions ro;
    ro.serverCertificate = cert.value();
    ro.token = "kiosk-token";
    auto receiver = protocol::HubReceiver::start(ro);
    ASSERT_TRUE(receiver.ok()) << receiver.error();
    touchpoint::testing::TempDir dir;
    ASSERT_TRUE(tls::writeFileAtomically((dir.path() / "ca.pem").string(), ca->certificate, 0644).ok());

    const auto assets = touchpoint::testing::sourceAssetsDir();
    auto survey = nlohmann::json::parse(touchpoint::testing::readFile(assets / "surveys" / "store-visit.json"));
    survey["version"] = 21;
    const auto parsed = content::Survey::fromJson(survey, "survey");
    ASSERT_TRUE(parsed.ok());
    const auto en = nlohmann::json::parse(touchpoint::testing::readFile(assets / "i18n" / "en.json"));
    nlohmann::json texts;
    for (const auto& key : parsed->translationKeys()) texts["en"][key] = en.at(key);
    texts["en"]["survey.q.nps"] = "Ω How likely are you to recommend this shop?";
    const nlohmann::json body{{"format", 1}, {"configVersion", 21}, {"survey", survey}, {"texts", texts},
                              {"settings", {{"languages", {"en"}}, {"defaultLanguage", "en"}}}};
    (*receiver)->setKioskConfig(body.dump(), "\"cfg-21\"");

    const std::string hubLines = "url = \"" + (*receiver)->url() + "\"\ntoken = \"kiosk-token\"\nca_file = \"" +
                                 (dir.path() / "ca.pem").string() + "\"\n";
    const auto files = writeConfig(dir.path(), hubLines);
    const auto shots = artifacts("fleet-document");
    // flush returns once the uploader's first turn is over, and the document is asked for in that turn.
    const auto run = runKiosk(dir.path(), files.config, R"(expect attract
flush 30
sleep 200
expect attract
shot applied
tap attract.start
tap signin.skip
expect feedback
shows Ω How likely are you to recommend this shop?
shot new-question
tap nps.9
tap feedback.next
tap feedback.next
tap csat.5
tap feedback.next
tap ces.6
tap feedback.next
tap feedback.next
expect thankyou
flush 30
)",
                              shots);
    ASSERT_EQ(run.exitCode, 0) << run.log;
    EXPECT_NE(run.log.find("head office's document applied"), std::string::npos) << run.log;
    EXPECT_NE(run.log.find("font atlas rebuilt"), std::string::npos) << run.log;
    EXPECT_TRUE(fs::exists(files.outbox.parent_path() / "fleet-config.json"));
    const auto stats = (*receiver)->stats();
    EXPECT_GE(stats.configRequests, 1);
    EXPECT_NE(stats.lastBatch.find("\"surveyVersion\":21"), std::string::npos) << stats.lastBatch;
    (*receiver)->stop();
}

}  // namespace
}  // namespace touchpoint::kiosk
