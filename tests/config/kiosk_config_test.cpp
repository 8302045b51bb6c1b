// The kiosk TOML config: a good file, every kind of error (all collected, each with its line), secrets from
// files, and relative paths resolved against the config's folder.

#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "config/kiosk_config.hpp"
#include "event/sealing.hpp"
#include "temp_dir.hpp"

namespace touchpoint::config {
namespace {

using touchpoint::testing::TempDir;

const std::string kPub = event::generateSealingKeyPair().publicKeyB64;
const std::string kHashKey = event::IdentityHasher::generateKeyB64();

std::string minimal() {
    return "[device]\nstore_id = \"store-0001\"\nkiosk_id = \"kiosk-01\"\n"
           "[privacy]\nsealing_public_key = \"" + kPub + "\"\nidentity_hash_key = \"" + kHashKey + "\"\n";
}

void writeFile(const std::filesystem::path& p, const std::string& text) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
}

/// The issue for `key`, or a failure listing what there was.
const ConfigIssue* findIssue(const ConfigErrors& errors, const std::string& key) {
    for (const auto& i : errors.issues) {
        if (i.key == key) return &i;
    }
    ADD_FAILURE() << "no issue for " << key << "; issues:\n" << errors.format();
    return nullptr;
}

TEST(KioskConfig, MinimalFileGetsTheDocumentedDefaults) {
    auto r = parseKioskConfig(minimal(), "kiosk.toml", "/etc/touchpoint");
    ASSERT_TRUE(r) << r.error().format();
    EXPECT_EQ(r->device.storeId, "store-0001");
    EXPECT_EQ(r->device.kioskId, "kiosk-01");
    EXPECT_EQ(r->device.phoneRegion, "US");
    EXPECT_EQ(r->outbox.byteBudget, 512LL * 1024 * 1024);
    EXPECT_EQ(r->outbox.path, "/var/lib/touchpoint/outbox.db");
    EXPECT_EQ(r->privacy.identityHashKeyB64, kHashKey);
    EXPECT_TRUE(r->hub.url.empty());
    EXPECT_EQ(r->ui.stillThereS, 20);
    EXPECT_EQ(r->ui.languages.size(), 5U);
    EXPECT_EQ(r->staff.stateFile, "/var/lib/touchpoint/staff-lock.json");
}

TEST(KioskConfig, FullFileWithSecretFilesAndRelativePaths) {
    TempDir dir;
    writeFile(dir / "etc" / "secrets" / "hash.key", kHashKey + "\n");
    writeFile(dir / "etc" / "secrets" / "kiosk.token", "  tok-123\n");
    writeFile(dir / "etc" / "ca.pem", "-----BEGIN CERTIFICATE-----\n");
    std::filesystem::create_directories(dir / "etc" / "assets");
    const std::string toml = R"([device]
store_id = "store-0042"
kiosk_id = "kiosk-07"
time_zone = "Europe/Paris"
phone_region = "fr"
[outbox]
path = "data/outbox.db"
byte_budget_mb = 64
[privacy]
sealing_public_key = ")" + kPub + R"("
identity_hash_key_file = "secrets/hash.key"
[hub]
url = "https://hub.example.com:8443"
token_file = "secrets/kiosk.token"
staff_token = "staff-456"
ca_file = "ca.pem"
proxy = "none"
backoff_base_s = 2
backoff_cap_s = 120.5
max_batch_kb = 256
[ui]
languages = ["fr", "en", "pt-BR"]
default_language = "fr"
assets_dir = "assets"
inactivity_s = 60
still_there_s = 30
fullscreen = false
[loyalty]
cooldown_hours = 24
[staff]
pin_hashes = ["$argon2id$v=19$m=65536,t=2,p=1$abc$def"]
lockout_attempts = 3
)";
    writeFile(dir / "etc" / "kiosk.toml", toml);
    auto r = loadKioskConfig(dir / "etc" / "kiosk.toml");
    ASSERT_TRUE(r) << r.error().format();
    EXPECT_EQ(r->device.phoneRegion, "FR");
    EXPECT_EQ(r->device.timeZone, "Europe/Paris");
    EXPECT_EQ(r->outbox.path, dir / "etc" / "data" / "outbox.db");
    EXPECT_EQ(r->outbox.byteBudget, 64LL * 1024 * 1024);
    EXPECT_EQ(r->privacy.identityHashKeyB64, kHashKey) << "read from the file, newline trimmed";
    EXPECT_EQ(r->hub.token, "tok-123");
    EXPECT_EQ(r->hub.staffToken, "staff-456");
    EXPECT_EQ(r->hub.caFile, dir / "etc" / "ca.pem");
    EXPECT_DOUBLE_EQ(r->hub.backoffBaseS, 2.0);
    EXPECT_DOUBLE_EQ(r->hub.backoffCapS, 120.5);
    EXPECT_EQ(r->hub.maxBatchKb, 256);
    EXPECT_EQ(r->ui.languages, (std::vector<std::string>{"fr", "en", "pt-BR"}));
    EXPECT_EQ(r->ui.assetsDir, dir / "etc" / "assets");
    EXPECT_EQ(r->ui.stillThereS, 30);
    EXPECT_FALSE(r->ui.fullscreen);
    EXPECT_EQ(r->loyalty.cooldownHours, 24);
    EXPECT_EQ(r->staff.pinHashes.size(), 1U);
    EXPECT_EQ(r->staff.lockoutAttempts, 3);
    EXPECT_EQ(r->staff.stateFile, dir / "etc" / "data" / "staff-lock.json") << "beside the outbox by default";
    EXPECT_EQ(r->sourceFile, dir / "etc" / "kiosk.toml");
}

TEST(KioskConfig, EveryProblemIsReportedAtOnceWithItsLine) {
    const std::string toml = R"([device]
store_id = "store 1"
kiosk_id = 7
phone_region = "USA"
time_zone = "Mars/Olympus_Mons"
[outbox]
byte_budget_mb = 0
[privacy]
sealing_public_key = "c2hvcnQ="
identity_hash_key = ")" + kHashKey + R"("
[hub]
url = "http://hub.example.com"
token = "t"
connect_timeout_s = "ten"
backoff_base_s = 10
backoff_cap_s = 5
[ui]
still_there_s = 10
languages = []
width = 1.5
fullscreen = "yes"
)";
    auto r = parseKioskConfig(toml, "kiosk.toml", "/etc/touchpoint");
    ASSERT_FALSE(r);
    const ConfigErrors& e = r.error();
    struct Expect {
        const char* key;
        int line;
        const char* fragment;
    };
    const Expect expected[] = {
        {"device.store_id", 2, "letters, digits"},
        {"device.kiosk_id", 3, "must be a string"},
        {"device.phone_region", 4, "2-letter"},
        {"device.time_zone", 5, "unknown IANA time zone"},
        {"outbox.byte_budget_mb", 7, "from 1 to"},
        {"privacy.sealing_public_key", 9, "32 bytes"},
        {"hub.url", 12, "https://"},
        {"hub.connect_timeout_s", 14, "whole number"},
        {"hub.backoff_cap_s", 16, "at least backoff_base_s"},
        {"ui.still_there_s", 18, "at least 20"},
        {"ui.languages", 19, "at least one"},
        {"ui.width", 20, "whole number"},
        {"ui.fullscreen", 21, "true or false"},
    };
    for (const Expect& x : expected) {
        const ConfigIssue* issue = findIssue(e, x.key);
        if (issue == nullptr) continue;
        EXPECT_EQ(issue->line, x.line) << x.key;
        EXPECT_NE(issue->message.find(x.fragment), std::string::npos) << x.key << ": " << issue->message;
    }
    EXPECT_EQ(e.issues.size(), std::size(expected)) << e.format();
    const std::string text = e.format();
    EXPECT_NE(text.find("kiosk.toml:12: hub.url: must start with https://"), std::string::npos) << text;
}

TEST(KioskConfig, MissingSectionsAndKeysAreNamed) {
    auto r = parseKioskConfig("[device]\nstore_id = \"s\"\n", "kiosk.toml", "/etc");
    ASSERT_FALSE(r);
    const ConfigIssue* kiosk = findIssue(r.error(), "device.kiosk_id");
    ASSERT_NE(kiosk, nullptr);
    EXPECT_EQ(kiosk->line, 0);
    const ConfigIssue* privacy = findIssue(r.error(), "privacy");
    ASSERT_NE(privacy, nullptr);
    EXPECT_NE(privacy->message.find("missing section"), std::string::npos);
    EXPECT_EQ(r.error().issues.size(), 2U) << r.error().format();
    EXPECT_NE(r.error().format().find("kiosk.toml: device.kiosk_id: required key is missing"), std::string::npos);
}

TEST(KioskConfig, UnknownKeysAreErrorsWithASuggestion) {
    const std::string toml = minimal() + "kiosk_idd = \"x\"\n[uii]\nwidth = 1\n[ui]\nstill_there = 30\nbanana = 1\n";
    auto r = parseKioskConfig(toml, "kiosk.toml", "/etc");
    ASSERT_FALSE(r);
    const ConfigIssue* typo = findIssue(r.error(), "privacy.kiosk_idd");
    ASSERT_NE(typo, nullptr);
    EXPECT_EQ(typo->line, 7);
    const ConfigIssue* section = findIssue(r.error(), "uii");
    ASSERT_NE(section, nullptr);
    EXPECT_NE(section->message.find("did you mean 'ui'"), std::string::npos) << section->message;
    const ConfigIssue* close = findIssue(r.error(), "ui.still_there");
    ASSERT_NE(close, nullptr);
    EXPECT_NE(close->message.find("did you mean 'still_there_s'"), std::string::npos) << close->message;
    const ConfigIssue* far = findIssue(r.error(), "ui.banana");
    ASSERT_NE(far, nullptr);
    EXPECT_EQ(far->message, "unknown key");
}

TEST(KioskConfig, SecretInlineAndFromFileTogetherIsAnError) {
    TempDir dir;
    writeFile(dir / "tok", "abc\n");
    const std::string toml = minimal() + "[hub]\nurl = \"https://hub:8443\"\ntoken = \"abc\"\ntoken_file = \"tok\"\n";
    auto r = parseKioskConfig(toml, "kiosk.toml", dir.path());
    ASSERT_FALSE(r);
    const ConfigIssue* both = findIssue(r.error(), "hub.token_file");
    ASSERT_NE(both, nullptr);
    EXPECT_NE(both->message.find("not both"), std::string::npos);
    EXPECT_EQ(both->line, 10);
}

TEST(KioskConfig, HubUrlNeedsAToken) {
    auto r = parseKioskConfig(minimal() + "[hub]\nurl = \"https://hub.example.com\"\n", "kiosk.toml", "/etc");
    ASSERT_FALSE(r);
    ASSERT_NE(findIssue(r.error(), "hub.token"), nullptr);
}

TEST(KioskConfig, MissingSecretFileAndBadKeyInFile) {
    TempDir dir;
    writeFile(dir / "short.key", "c2hvcnQ=\n");
    const std::string base = "[device]\nstore_id = \"s\"\nkiosk_id = \"k\"\n[privacy]\nsealing_public_key = \"" + kPub + "\"\n";
    auto missing = parseKioskConfig(base + "identity_hash_key_file = \"nope.key\"\n", "kiosk.toml", dir.path());
    ASSERT_FALSE(missing);
    const ConfigIssue* m = findIssue(missing.error(), "privacy.identity_hash_key_file");
    ASSERT_NE(m, nullptr);
    EXPECT_NE(m->message.find("not found"), std::string::npos);
    EXPECT_NE(m->message.find((dir / "nope.key").string()), std::string::npos) << "the resolved path is shown";
    auto bad = parseKioskConfig(base + "identity_hash_key_file = \"short.key\"\n", "kiosk.toml", dir.path());
    ASSERT_FALSE(bad);
    const ConfigIssue* b = findIssue(bad.error(), "privacy.identity_hash_key_file");
    ASSERT_NE(b, nullptr);
    EXPECT_NE(b->message.find("32 bytes"), std::string::npos);
}

TEST(KioskConfig, DefaultLanguageMustBeOffered) {
    auto r = parseKioskConfig(minimal() + "[ui]\nlanguages = [\"en\", \"es\"]\ndefault_language = \"de\"\n", "k.toml", "/");
    ASSERT_FALSE(r);
    ASSERT_NE(findIssue(r.error(), "ui.default_language"), nullptr);
    auto bad = parseKioskConfig(minimal() + "[ui]\nlanguages = [\"english\"]\n", "k.toml", "/");
    ASSERT_FALSE(bad);
    ASSERT_NE(findIssue(bad.error(), "ui.languages"), nullptr);
}

TEST(KioskConfig, PinsMustBeHashesNotPins) {
    auto r = parseKioskConfig(minimal() + "[staff]\npin_hashes = [\"1234\"]\n", "k.toml", "/");
    ASSERT_FALSE(r);
    const ConfigIssue* i = findIssue(r.error(), "staff.pin_hashes");
    ASSERT_NE(i, nullptr);
    EXPECT_NE(i->message.find("never PINs"), std::string::npos);
}

TEST(KioskConfig, SyntaxErrorsCarryTheirLine) {
    auto r = parseKioskConfig("[device]\nstore_id = \"unterminated\nkiosk_id = \"k\"\n", "kiosk.toml", "/etc");
    ASSERT_FALSE(r);
    ASSERT_EQ(r.error().issues.size(), 1U);
    EXPECT_EQ(r.error().issues[0].line, 2);
    EXPECT_NE(r.error().format().find("kiosk.toml:2:"), std::string::npos) << r.error().format();
}

TEST(KioskConfig, UnreadableFileIsAnIssueNotACrash) {
    auto r = loadKioskConfig("/nonexistent/kiosk.toml");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().format().find("/nonexistent/kiosk.toml: (file): cannot read"), std::string::npos);
}

TEST(KioskConfig, TheShippedSampleUsesOnlyKnownKeysOfTheRightTypes) {
    auto r = loadKioskConfig(TOUCHPOINT_SAMPLE_KIOSK_TOML);
    ASSERT_FALSE(r) << "the sample holds placeholders that must be replaced before use";
    // Only the placeholders a person must fill in are reported: the key and the two secret files.
    std::set<std::string> keys;
    for (const auto& i : r.error().issues) keys.insert(i.key);
    EXPECT_EQ(keys, (std::set<std::string>{"privacy.sealing_public_key", "privacy.identity_hash_key_file",
                                           "hub.token_file"}))
        << r.error().format();
}

TEST(KioskConfig, NewMemberWelcomeSettingsAreReadAndChecked) {
    auto r = parseKioskConfig(minimal() + "[loyalty]\npoints_per_visit = 25\nstarting_tier = \"Green\"\nnext_tier = \"Blue\"\n"
                                          "next_tier_points = 100\nnext_reward = \"Tote bag\"\nnext_reward_points = 150\n",
                              "kiosk.toml", "/etc/touchpoint");
    ASSERT_TRUE(r) << r.error().format();
    EXPECT_EQ(r->loyalty.pointsPerVisit, 25);
    EXPECT_EQ(r->loyalty.startingTier, "Green");
    EXPECT_EQ(r->loyalty.nextTier, "Blue");
    EXPECT_EQ(r->loyalty.nextTierPoints, 100);
    EXPECT_EQ(r->loyalty.nextReward, "Tote bag");
    EXPECT_EQ(r->loyalty.nextRewardPoints, 150);
    auto defaults = parseKioskConfig(minimal(), "kiosk.toml", "/etc/touchpoint");
    ASSERT_TRUE(defaults);
    EXPECT_EQ(defaults->loyalty.pointsPerVisit, 10);  // the hub's defaults
    EXPECT_EQ(defaults->loyalty.startingTier, "Bronze");

    auto bad = parseKioskConfig(minimal() + "[loyalty]\npoints_per_visit = -1\nstarting_tier = \"\"\nnext_reward = \"" +
                                    std::string(65, 'x') + "\"\n",
                                "kiosk.toml", "/etc/touchpoint");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().issues.size(), 3u) << bad.error().format();
}

TEST(KioskConfig, ConfigPollMinutesDefaultsToFiveAndIsChecked) {
    auto r = parseKioskConfig(minimal(), "kiosk.toml", "/etc");
    ASSERT_TRUE(r) << r.error().format();
    EXPECT_EQ(r->hub.configPollMinutes, 5);
    const std::string hub = "[hub]\nurl = \"https://hub.example.com\"\ntoken = \"t\"\n";
    auto set = parseKioskConfig(minimal() + hub + "config_poll_minutes = 2\n", "kiosk.toml", "/etc");
    ASSERT_TRUE(set) << set.error().format();
    EXPECT_EQ(set->hub.configPollMinutes, 2);
    auto bad = parseKioskConfig(minimal() + hub + "config_poll_minutes = 0\n", "kiosk.toml", "/etc");
    ASSERT_FALSE(bad);
    const ConfigIssue* issue = findIssue(bad.error(), "hub.config_poll_minutes");
    ASSERT_NE(issue, nullptr);
    EXPECT_EQ(issue->line, 10);
    EXPECT_NE(issue->message.find("from 1 to"), std::string::npos) << issue->message;
}

TEST(KioskConfig, TheContactQuestionSettingsDefaultToTheHubsUnhappyScoresAndAreChecked) {
    auto defaults = parseKioskConfig(minimal(), "kiosk.toml", "/etc");
    ASSERT_TRUE(defaults) << defaults.error().format();
    EXPECT_TRUE(defaults->feedback.contactQuestion);
    EXPECT_EQ(defaults->feedback.contactNpsMax, 6);   // the hub's [cases] unhappy_nps_max
    EXPECT_EQ(defaults->feedback.contactCsatMax, 2);  // and unhappy_csat_max
    EXPECT_EQ(defaults->feedback.contactNoticeId, "feedback-contact");

    auto set = parseKioskConfig(minimal() + "[feedback]\ncontact_question = false\ncontact_nps_max = -1\n"
                                            "contact_csat_max = 1\ncontact_notice_id = \"care\"\n"
                                            "contact_notice_version = \"3\"\n",
                                "kiosk.toml", "/etc");
    ASSERT_TRUE(set) << set.error().format();
    EXPECT_FALSE(set->feedback.contactQuestion);
    EXPECT_EQ(set->feedback.contactNpsMax, -1);
    EXPECT_EQ(set->feedback.contactCsatMax, 1);
    EXPECT_EQ(set->feedback.contactNoticeId, "care");
    EXPECT_EQ(set->feedback.contactNoticeVersion, "3");

    auto bad = parseKioskConfig(minimal() + "[feedback]\ncontact_nps_max = 11\ncontact_csat_max = 6\n"
                                            "contact_notice_id = \"\"\ncontact_question = \"yes\"\n",
                                "kiosk.toml", "/etc");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().issues.size(), 4u) << bad.error().format();
    const ConfigIssue* nps = findIssue(bad.error(), "feedback.contact_nps_max");
    ASSERT_NE(nps, nullptr);
    EXPECT_EQ(nps->line, 8);  // after the six lines of minimal() and [feedback]
    findIssue(bad.error(), "feedback.contact_csat_max");
    findIssue(bad.error(), "feedback.contact_notice_id");
    findIssue(bad.error(), "feedback.contact_question");
}

}  // namespace
}  // namespace touchpoint::config
