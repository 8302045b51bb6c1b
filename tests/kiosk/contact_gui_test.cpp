// The contact question in the real touchpoint-kiosk binary under Xvfb: a shopper who did not sign in answers
// NPS 3, agrees to be contacted and types a phone number on the app's keypad (a wrong one first). The outbox
// then holds the answer and its contact consent, the phone sealed and nowhere in the file's bytes; delivered
// to a real hub, the two open one "contact-request" case that carries the phone.
#include <gtest/gtest.h>

#include "core/consent_hash.hpp"
#include "gui_support.hpp"
#include "hub/store/hub_store.hpp"
#include "outbox/outbox.hpp"
#include "temp_dir.hpp"

namespace touchpoint::kiosk {
namespace {

using namespace gui_testing;

constexpr const char* kDetractorAgreesToBeContacted = R"(# not signed in, a low score, a phone typed for the contact
expect attract
tap attract.start
tap signin.skip
tap nps.3
tap feedback.next
tap choice.wait_time
tap feedback.next
tap csat.2
tap feedback.next
tap ces.3
tap feedback.next
tap feedback.next
expect contact.ask
shot contact-question
# nothing happens until the box is ticked
tap contact.agree
expect contact.ask
tap contact.consent
tap contact.agree
expect contact.type
type 123
tap contact.submit
expect contact.type
shot contact-phone-refused
tap key.backspace
tap key.backspace
tap key.backspace
type 2025550199
tap contact.submit
expect thankyou
tap thanks.done
expect attract
)";

std::string secretKeyB64(const fs::path& file) {
    auto key = touchpoint::testing::readFile(file);
    while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
    return key;
}

TEST(KioskGui, ADetractorsTypedPhoneIsSealedInTheOutboxAndTheHubOpensACaseWithIt) {
    auto hub = hub::EphemeralHub::start(kioskZeroOne());
    ASSERT_TRUE(hub.ok()) << hub.error();
    touchpoint::testing::TempDir dir;
    // First offline, sealed to the hub's key, so the outbox can be read before anything is delivered.
    const auto files = writeConfig(dir.path(), "", (*hub)->sealingPublicKeyB64());
    const auto shots = artifacts("contact-question");
    const auto run = runKiosk(dir.path(), files.config, kDetractorAgreesToBeContacted, shots);
    ASSERT_EQ(run.exitCode, 0) << run.log;

    std::vector<nlohmann::json> events;
    {
        outbox::OutboxOptions options;
        options.path = files.outbox;
        auto box = outbox::Outbox::open(options);
        ASSERT_TRUE(box.ok()) << box.error().message;
        auto pending = (*box)->listPending(10);
        ASSERT_TRUE(pending.ok());
        for (const auto& p : *pending) events.push_back(nlohmann::json::parse(p.payload));
    }
    ASSERT_EQ(events.size(), 2u) << "the answer and the contact consent, nothing else";
    const auto& feedback = events[0];
    const auto& consent = events[1];
    EXPECT_EQ(feedback["event"], "Feedback Submitted");
    EXPECT_EQ(feedback["properties"]["answers"]["nps"], 3);
    EXPECT_EQ(consent["event"], "Consent Given");
    EXPECT_EQ(consent["properties"]["purposes"], nlohmann::json::array({"feedback_contact"}));
    EXPECT_EQ(consent["properties"]["feedbackMessageId"], feedback["messageId"]);
    EXPECT_EQ(consent["properties"]["noticeId"], "feedback-contact");
    EXPECT_EQ(consent["properties"]["noticeVersion"], "2026-01");
    const auto en = nlohmann::json::parse(
        touchpoint::testing::readFile(touchpoint::testing::sourceAssetsDir() / "i18n" / "en.json"));
    EXPECT_EQ(consent["properties"]["textSha256"], sha256Hex(en.at("contact.notice_text").get<std::string>()));
    EXPECT_EQ(consent["anonymousId"], feedback["anonymousId"]);
    event::Unsealer unsealer;
    ASSERT_TRUE(unsealer.addSecretKeyB64(secretKeyB64((*hub)->sealingSecretKeyFile())).ok());
    ASSERT_TRUE(consent["sealed"].contains("properties.phone")) << consent.dump();
    auto phone = unsealer.open(consent["sealed"]["properties.phone"].get<std::string>());
    ASSERT_TRUE(phone.ok()) << phone.error();
    EXPECT_EQ(*phone, "+12025550199");

    // Nothing of the phone in plaintext anywhere in the files (the WAL included), typed or normalised.
    std::string bytes;
    for (const char* suffix : {"", "-wal", "-journal"}) bytes += touchpoint::testing::readFile(files.outbox.string() + suffix);
    ASSERT_FALSE(bytes.empty());
    for (const char* secret : {"2025550199", "5550199", "555-0199"}) {
        EXPECT_EQ(bytes.find(secret), std::string::npos) << secret;
    }

    // Then online: the same outbox is delivered, and the hub opens the case the shopper agreed to.
    const std::string hubLines = "url = \"" + (*hub)->url() + "\"\ntoken = \"" + (*hub)->ingestToken() +
                                 "\"\nca_file = \"" + (*hub)->caFile().string() + "\"\n";
    const auto online = writeConfig(dir.path(), hubLines, (*hub)->sealingPublicKeyB64());
    const auto deliver = runKiosk(dir.path(), online.config, "expect attract\nflush 30\n", artifacts("contact-deliver"));
    ASSERT_EQ(deliver.exitCode, 0) << deliver.log;

    auto& cases = (*hub)->store().cases();
    hub::CaseFilter filter;
    auto list = cases.listCases(filter);
    ASSERT_TRUE(list.ok());
    ASSERT_EQ(list->size(), 1u);
    const auto& opened = list->front();
    EXPECT_EQ(opened.rule, "contact-request");
    EXPECT_EQ(opened.feedbackMessageId, feedback["messageId"].get<std::string>());
    EXPECT_EQ(opened.storeId, "store-0001");
    EXPECT_EQ(opened.nps, 3);
    EXPECT_TRUE(opened.hasContact);
    auto detail = cases.viewCase(opened.id, "contact-gui-test", "contact shown", 0);
    ASSERT_TRUE(detail.ok());
    ASSERT_TRUE(detail->has_value());
    ASSERT_TRUE((*detail)->contact.has_value());
    EXPECT_EQ((*detail)->contact->kind, "phone");
    EXPECT_EQ((*detail)->contact->value, std::optional<std::string>("+12025550199"));
}

}  // namespace
}  // namespace touchpoint::kiosk
