// [cases] and [notifications] in hub.toml: the defaults, a full example, and every problem with its line.

#include <gtest/gtest.h>

#include <algorithm>

#include "hub/config/hub_config.hpp"

namespace touchpoint::hub {
namespace {

const std::string kBase =
    "[tls]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\n[store]\nurl = \"sqlite:///tmp/x.db\"\n"
    "[sealing]\nsecret_key_files = [\"a.key\"]\n";  // 7 lines

bool has(const std::vector<std::string>& errors, const std::string& e) {
    return std::find(errors.begin(), errors.end(), e) != errors.end();
}

TEST(CasesConfig, DefaultsOpenCasesForContactRequestsAndSendNothing) {
    auto c = parseHubConfig(kBase, "hub.toml");
    ASSERT_TRUE(c.ok());
    ASSERT_EQ(c->cases.rules.size(), 1u);
    EXPECT_EQ(c->cases.rules[0].kind, CaseKind::ContactRequest);
    EXPECT_TRUE(c->cases.rules[0].stores.covers("any-store"));
    EXPECT_EQ(c->cases.contactRetentionDays, 65);
    EXPECT_EQ(c->cases.unhappyNpsMax, 6);
    EXPECT_EQ(c->cases.unhappyCsatMax, 2);
    EXPECT_TRUE(c->cases.alerts.empty());
    EXPECT_TRUE(c->notifications.webhooks.empty());
    EXPECT_FALSE(c->notifications.smtp);
}

TEST(CasesConfig, AFullExampleReads) {
    auto c = parseHubConfig(
        kBase +
            "[cases]\nsla_hours = 24\ncontact_retention_days = 30\n"
            "[[cases.rules]]\nname = \"contact-request\"\nkind = \"contact_request\"\n"
            "[[cases.rules]]\nname = \"words\"\nkind = \"comment_words\"\nwords = [\"Rude \", \"dirty\"]\n"
            "sla_hours = 8\nstores = [\"north-*\"]\n"
            "[[cases.alerts]]\nname = \"share\"\nkind = \"unhappy_share\"\nunhappy_share = 0.4\n"
            "[[cases.alerts]]\nname = \"share\"\nkind = \"unhappy_share\"\nstores = [\"flagship-1\"]\n"
            "min_responses = 12\n"
            "[[cases.alerts]]\nkind = \"frequent_reason\"\nreason = \"queue\"\nmin_count = 3\n"
            "[notifications]\nlink_base_url = \"https://hub.example.com\"\nmax_attempts = 5\n"
            "[[notifications.webhooks]]\nname = \"ops\"\nurl = \"https://hooks.example.com/t\"\n"
            "secret_file = \"ops.secret\"\nslack = true\nevents = [\"case\"]\n"
            "[notifications.smtp]\nurl = \"smtps://smtp.example.com:465\"\nuser = \"u\"\n"
            "password_file = \"p\"\nfrom = \"a@example.com\"\nto = [\"b@example.com\"]\n",
        "hub.toml");
    ASSERT_TRUE(c.ok()) << c.error().front();
    EXPECT_EQ(c->cases.slaHours, 24);
    ASSERT_EQ(c->cases.rules.size(), 2u);
    EXPECT_EQ(c->cases.rules[1].words, (std::vector<std::string>{"rude", "dirty"}));
    EXPECT_EQ(c->cases.rules[1].slaHours, 8);
    ASSERT_EQ(c->cases.alerts.size(), 3u);
    EXPECT_DOUBLE_EQ(c->cases.alerts[0].unhappyShare, 0.4);
    EXPECT_EQ(c->cases.alerts[1].minResponses, 12);
    EXPECT_EQ(c->cases.alerts[2].name, "frequent_reason");
    ASSERT_EQ(c->notifications.webhooks.size(), 1u);
    EXPECT_TRUE(c->notifications.webhooks[0].slack);
    EXPECT_FALSE(c->notifications.webhooks[0].alerts);
    EXPECT_TRUE(c->notifications.webhooks[0].cases);
    ASSERT_TRUE(c->notifications.smtp);
    EXPECT_EQ(c->notifications.smtp->to, (std::vector<std::string>{"b@example.com"}));
}

TEST(CasesConfig, ProblemsAreReportedWithTheirLines) {
    auto bad = parseHubConfig(kBase +
                                  "[cases]\n"                             // 8
                                  "contact_retention_days = 0\n"          // 9
                                  "[[cases.alerts]]\n"                    // 10
                                  "kind = \"mood\"\n"                     // 11
                                  "unhappy_share = 1.5\n"                 // 12
                                  "stores = [\"a*b\"]\n"                  // 13
                                  "[[notifications.webhooks]]\n"          // 14
                                  "name = \"ops\"\n"                      // 15
                                  "url = \"http://hooks.example.com\"\n"  // 16
                                  "secret_file = \"s\"\n",                // 17
                              "hub.toml");
    ASSERT_FALSE(bad.ok());
    const auto& e = bad.error();
    EXPECT_TRUE(has(e, "hub.toml:9: cases.contact_retention_days: must be 1..3660")) << e.front();
    EXPECT_TRUE(
        has(e, "hub.toml:11: cases.alerts.kind: expected unhappy_share, detractor_run or frequent_reason"));
    EXPECT_TRUE(has(e, "hub.toml:12: cases.alerts.unhappy_share: must be > 0 and <= 1"));
    EXPECT_TRUE(
        has(e,
            "hub.toml:13: cases.alerts.stores: each entry is \"*\", a store id, or a prefix ending in \"*\" "
            "(\"north-*\")"));
    EXPECT_TRUE(has(e, "hub.toml:16: notifications.webhooks.url: expected https://..."));
}

}  // namespace
}  // namespace touchpoint::hub
