// Verified identifiers (docs/JOURNEY_RULES.md "Who may tie identities") in the store, on this suite's backend
// (SQLite or PostgreSQL): the mark a kiosk sign-in puts on a phone stays with that identifier's row through a
// merge and its undo, and schema step kVerifiedIdentifiersVersion marks what an older database already held.

#include <map>
#include <tuple>
#include <utility>

#include "api_test_support.hpp"
#include "hub/store/sql_backend.hpp"
#include "hub/store/sql_schema.hpp"
#include "temp_dir.hpp"

#define VERIFIED_CAT2(a, b) a##b
#define VERIFIED_CAT(a, b) VERIFIED_CAT2(a, b)
#define VERIFIED_SUITE VERIFIED_CAT(HUB_SUITE, VerifiedIdentifiers)

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;

std::unique_ptr<SqlConnection> rawConnection(const std::string& url) {
    auto c = url.rfind("sqlite://", 0) == 0 ? openSqlite(url.substr(9)) : openPostgres(url);
    EXPECT_TRUE(c) << (c ? "" : c.error().message);
    return c ? std::move(c).value() : nullptr;
}

/// Every identifier row of `kind`: profile id → verified.
std::map<std::string, std::int64_t> verifiedByProfile(SqlConnection& c, const std::string& kind) {
    std::map<std::string, std::int64_t> out;
    auto rows = c.query("SELECT profile_id, verified FROM identifiers WHERE kind = ?", {kind});
    EXPECT_TRUE(rows) << (rows ? "" : rows.error().message);
    if (!rows) return out;
    for (std::size_t i = 0; i < rows->size(); ++i) out[rows->text(i, 0)] = rows->integer(i, 1);
    return out;
}

class VERIFIED_SUITE : public HubApiTest {
protected:
    std::string profileOf(const std::string& query) {
        return get("/v1/profiles/lookup?" + query, hub().lookupToken()).json().value("profileId", "");
    }
};

TEST_F(VERIFIED_SUITE, TheMarkStaysWithTheIdentifierThroughAMergeAndItsUndo) {
    // A web visitor with an e-mail typed on a page (not verified), then a non-member's kiosk sign-in by phone.
    const auto t = m_clock.utcMs();
    ASSERT_EQ(send({webIdentify("w1", t, "visitor", "", {{"email", "visitor@example.com"}})}),
              std::vector<std::string>{"accepted"});
    m_clock.advanceMs(60'000);
    auto k = kiosk("store-1", "k1", m_clock);
    const event::Identity phone{event::Identity::Type::Phone, "+12025550161"};
    ASSERT_EQ(send({wire(k.signin("session-1", "en-US", event::SigninMethod::Phone, phone, false))}),
              std::vector<std::string>{"accepted"});
    const std::string visitor = profileOf("email=visitor%40example.com");
    const std::string shopper = profileOf("phone=%2B12025550161");
    ASSERT_FALSE(visitor.empty());
    ASSERT_FALSE(shopper.empty());
    ASSERT_NE(visitor, shopper);
    auto c = rawConnection(hub().storeUrl());
    ASSERT_TRUE(c);
    EXPECT_EQ(verifiedByProfile(*c, "phone"), (std::map<std::string, std::int64_t>{{shopper, 1}}));
    EXPECT_EQ(verifiedByProfile(*c, "email"), (std::map<std::string, std::int64_t>{{visitor, 0}}));
    EXPECT_EQ(verifiedByProfile(*c, "anon"), (std::map<std::string, std::int64_t>{{visitor, 0}, {shopper, 0}}));

    // The retailer's back end ties them: the older visitor survives and holds the verified phone.
    auto tie = webIdentify("tie", m_clock.utcMs(), "visitor", "", {{"phone", phone.value}});
    tie["context"]["channel"] = "server";
    ASSERT_EQ(send({tie}), std::vector<std::string>{"accepted"});
    ASSERT_EQ(profileOf("phone=%2B12025550161"), visitor);
    EXPECT_EQ(verifiedByProfile(*c, "phone"), (std::map<std::string, std::int64_t>{{visitor, 1}}));
    EXPECT_EQ(verifiedByProfile(*c, "email"), (std::map<std::string, std::int64_t>{{visitor, 0}}));

    // Undone, the phone goes back to the kiosk shopper, still verified; the e-mail stays as it was.
    const auto merges = get("/v1/merges", hub().headOfficeToken()).json();
    ASSERT_EQ(merges["merges"].size(), 1u) << merges;
    const auto seq = merges["merges"][0]["seq"].get<std::int64_t>();
    const auto undone = post("/v1/merges/" + std::to_string(seq) + "/undo", "", hub().headOfficeToken());
    ASSERT_EQ(undone.status, 200) << undone.body;
    EXPECT_EQ(profileOf("phone=%2B12025550161"), shopper);
    EXPECT_EQ(verifiedByProfile(*c, "phone"), (std::map<std::string, std::int64_t>{{shopper, 1}}));
    EXPECT_EQ(verifiedByProfile(*c, "email"), (std::map<std::string, std::int64_t>{{visitor, 0}}));
}

TEST_F(VERIFIED_SUITE, AKioskSigninByAnEmailAPageAttachedVerifiesIt) {
    ASSERT_EQ(send({webIdentify("w1", m_clock.utcMs(), "visitor", "", {{"email", "typed@example.com"}})}),
              std::vector<std::string>{"accepted"});
    auto c = rawConnection(hub().storeUrl());
    ASSERT_TRUE(c);
    const std::string visitor = profileOf("email=typed%40example.com");
    EXPECT_EQ(verifiedByProfile(*c, "email"), (std::map<std::string, std::int64_t>{{visitor, 0}}));
    auto k = kiosk("store-1", "k1", m_clock);
    const event::Identity email{event::Identity::Type::Email, "typed@example.com"};
    // Twice: the second finds it verified already.
    for (const char* session : {"session-1", "session-2"}) {
        ASSERT_EQ(send({wire(k.signin(session, "en-US", event::SigninMethod::Email, email, false))}),
                  std::vector<std::string>{"accepted"});
        EXPECT_EQ(verifiedByProfile(*c, "email"), (std::map<std::string, std::int64_t>{{visitor, 1}})) << session;
    }
}

TEST(VerifiedIdentifiersStep, ContactsOfProfilesSeenAtAKioskOrHoldingAMembershipAreVerified) {
    touchpoint::testing::TempDir dir;
    std::string url;
    ASSERT_NO_FATAL_FAILURE(makeStoreOfThisBuild(dir, url));
    {
        // Back to what the step before wrote: identifiers without a verified column.
        auto c = rawConnection(url);
        ASSERT_TRUE(c);
        ASSERT_TRUE(c->exec("ALTER TABLE identifiers DROP COLUMN verified"));
        ASSERT_TRUE(c->exec("UPDATE schema_version SET version = ?", {kVerifiedIdentifiersVersion - 1}));
        // p-kiosk: a non-member seen at a kiosk; p-member: a member seen only on the web; p-web: neither.
        for (const auto& [id, member] : {std::pair{"p-kiosk", 0}, {"p-member", 1}, {"p-web", 0}}) {
            ASSERT_TRUE(c->exec("INSERT INTO profiles(id, created_at, is_member) VALUES(?, 1, ?)",
                                {std::string(id), std::int64_t{member}}));
        }
        for (const auto& [id, channel] : {std::pair{"p-kiosk", "web"}, {"p-kiosk", "in_store_kiosk"},
                                          {"p-member", "web"}, {"p-web", "web"}, {"p-web", "app"}}) {
            ASSERT_TRUE(c->exec("INSERT INTO channels(profile_id, channel, first_seen, last_seen) VALUES(?, ?, 1, 2)",
                                {std::string(id), std::string(channel)}));
        }
        const std::vector<std::tuple<std::string, std::string, std::string>> rows{
            {"phone", "tag-kiosk-phone", "p-kiosk"},   {"email", "tag-kiosk-email", "p-kiosk"},
            {"anon", "tag-kiosk-anon", "p-kiosk"},     {"phone", "tag-member-phone", "p-member"},
            {"member", "tag-member-code", "p-member"}, {"email", "tag-web-email", "p-web"},
            {"phone", "tag-web-phone", "p-web"},       {"user", "tag-web-user", "p-web"}};
        for (const auto& [kind, tag, profile] : rows) {
            ASSERT_TRUE(c->exec("INSERT INTO identifiers(kind, value, profile_id) VALUES(?, ?, ?)", {kind, tag, profile}));
        }
    }
    ASSERT_TRUE(openHubStore(url, HubConfig{})) << "the step ran";
    auto c = rawConnection(url);
    ASSERT_TRUE(c);
    auto schema = c->query("SELECT MAX(version) FROM schema_version");
    ASSERT_TRUE(schema) << schema.error().message;
    EXPECT_EQ(schema->integer(0, 0), kHubSchemaVersion);
    auto rows = c->query("SELECT value, verified FROM identifiers");
    ASSERT_TRUE(rows) << rows.error().message;
    std::map<std::string, std::int64_t> verified;
    for (std::size_t i = 0; i < rows->size(); ++i) verified[rows->text(i, 0)] = rows->integer(i, 1);
    EXPECT_EQ(verified, (std::map<std::string, std::int64_t>{{"tag-kiosk-phone", 1},
                                                            {"tag-kiosk-email", 1},
                                                            {"tag-kiosk-anon", 0},
                                                            {"tag-member-phone", 1},
                                                            {"tag-member-code", 0},
                                                            {"tag-web-email", 0},
                                                            {"tag-web-phone", 0},
                                                            {"tag-web-user", 0}}));
}

}  // namespace
}  // namespace touchpoint::hub::testing
