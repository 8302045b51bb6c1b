// Head office's reads and erasures of personal data are audited (threat model: "head office people and
// scripts: what their role allows, audited"): a timeline, an erasure and an export that shows personal values
// each leave one audit row, shown on GET /v1/audit; a masked export leaves none; and what cannot be audited is
// not answered. Staff lookups have a token bucket per staff token ("may look up one shopper at a time"). On
// the backend this executable was built for: SQLite (hub_integration_test) or PostgreSQL (hub_postgres_test).

#include "api_test_fixture.hpp"

// HubSqliteHeadOfficeAudit / HubPostgresHeadOfficeAudit: the suite name follows the backend like api_test.cpp's.
#define AUDIT_CAT2(a, b) a##b
#define AUDIT_CAT(a, b) AUDIT_CAT2(a, b)
#define AUDIT_SUITE AUDIT_CAT(HUB_SUITE, HeadOfficeAudit)

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;

const event::Identity kPhone{event::Identity::Type::Phone, "+12025550123"};

class AUDIT_SUITE : public HUB_SUITE {
protected:
    /// A shopper who signed in at store-1/k1; returns the profile id.
    std::string signedInProfile() {
        auto k = kiosk("store-1", "k1", m_clock);
        EXPECT_EQ(send({wire(k.signin("g1", "en-US", event::SigninMethod::Phone, kPhone, true))}),
                  std::vector<std::string>{"accepted"});
        auto p = hub().store().findProfile("phone", kPhone.value);
        EXPECT_TRUE(p && *p);
        return p && *p ? (*p)->profileId : std::string("missing");
    }
    std::vector<AuditEntry> audited(const std::string& route) {
        auto rows = hub().store().recentAudit(100, route);
        EXPECT_TRUE(rows.ok());
        return rows.ok() ? *rows : std::vector<AuditEntry>{};
    }
};

TEST_F(AUDIT_SUITE, TimelineErasureAndPersonalExportsLeaveOneAuditRowEach) {
    const std::string id = signedInProfile();
    const std::string admin = hub().headOfficeToken();
    const std::string analyst = hub().token("head-office:analyst");

    // A timeline: one row naming the profile, whoever reads it.
    ASSERT_EQ(get("/v1/profiles/" + id + "/timeline", admin).status, 200);
    auto timeline = audited("timeline");
    ASSERT_EQ(timeline.size(), 1u);
    EXPECT_EQ(timeline[0].tokenName, hub().tokenName("head-office"));
    EXPECT_EQ(timeline[0].profileId, id);
    EXPECT_EQ(timeline[0].identifierType, "profile");
    EXPECT_TRUE(timeline[0].found);
    EXPECT_EQ(timeline[0].route, "timeline");
    ASSERT_EQ(get("/v1/profiles/" + id + "/timeline", analyst).status, 200);
    ASSERT_EQ(audited("timeline").size(), 2u);
    EXPECT_EQ(audited("timeline")[0].tokenName, hub().tokenName("head-office:analyst"));
    // An id nobody holds: audited as a lookup that found nobody, without the id.
    ASSERT_EQ(get("/v1/profiles/0123-abcd/timeline", analyst).status, 404);
    timeline = audited("timeline");
    ASSERT_EQ(timeline.size(), 3u);
    EXPECT_FALSE(timeline[0].found);
    EXPECT_EQ(timeline[0].profileId, "");

    // Exports: masked ones show nothing personal and are not audited; an admin's events (stored messages as
    // they arrived) and anyone's profiles (member numbers) are.
    for (const char* kind : {"events", "feedback", "signins"}) {
        ASSERT_EQ(get(std::string("/v1/export/") + kind + "?" + range(), analyst).status, 200) << kind;
    }
    for (const char* kind : {"feedback", "signins"}) {
        ASSERT_EQ(get(std::string("/v1/export/") + kind + "?" + range(), admin).status, 200) << kind;
    }
    EXPECT_TRUE(audited("export").empty());
    const auto events = get("/v1/export/events?format=csv&" + range(), admin);
    ASSERT_EQ(events.status, 200);
    EXPECT_NE(events.body.find(kPhone.value), std::string::npos) << "the admin's export shows the values";
    auto exports = audited("export");
    ASSERT_EQ(exports.size(), 1u);
    EXPECT_EQ(exports[0].tokenName, hub().tokenName("head-office"));
    EXPECT_EQ(exports[0].identifierType, "events");
    EXPECT_EQ(exports[0].profileId, "");
    EXPECT_EQ(exports[0].detail, today() + ".." + today());
    ASSERT_EQ(get("/v1/export/profiles?store=store-1%0Aforged&" + range(), analyst).status, 200);
    exports = audited("export");
    ASSERT_EQ(exports.size(), 2u);
    EXPECT_EQ(exports[0].tokenName, hub().tokenName("head-office:analyst"));
    EXPECT_EQ(exports[0].identifierType, "profiles");
    // The store it named, as printable text: a line break in the parameter cannot forge a line of the audit.
    EXPECT_EQ(exports[0].detail, today() + ".." + today() + " store=store-1?forged");

    // Erasure: refused to an analyst (nothing erased, nothing audited), then one row for the admin's, which
    // names no profile; the erasure unlinks the timeline rows from the profile as it does lookups.
    EXPECT_EQ(del("/v1/profiles/" + id, analyst).status, 403);
    EXPECT_TRUE(audited("erase").empty());
    ASSERT_EQ(del("/v1/profiles/" + id, admin).status, 200);
    auto erase = audited("erase");
    ASSERT_EQ(erase.size(), 1u);
    EXPECT_EQ(erase[0].tokenName, hub().tokenName("head-office"));
    EXPECT_EQ(erase[0].identifierType, "profile");
    EXPECT_EQ(erase[0].profileId, "");
    EXPECT_TRUE(erase[0].found);
    for (const auto& row : audited("")) EXPECT_NE(row.profileId, id) << row.route;
    EXPECT_EQ(del("/v1/profiles/" + id, admin).status, 404);
    erase = audited("erase");
    ASSERT_EQ(erase.size(), 2u);
    EXPECT_FALSE(erase[0].found);

    // The audit on the API, for admins only; the fleet's welcome counts see none of these rows.
    const auto api = get("/v1/audit?route=erase", admin);
    ASSERT_EQ(api.status, 200) << api.body;
    ASSERT_EQ(api.json()["entries"].size(), 2u) << api.body;
    EXPECT_EQ(api.json()["entries"][1]["token"], hub().tokenName("head-office"));
    EXPECT_EQ(api.json()["entries"][1]["route"], "erase");
    EXPECT_TRUE(api.json()["entries"][1]["profileId"].is_null());
    EXPECT_EQ(api.json()["entries"][1]["found"], true);
    EXPECT_EQ(api.json()["entries"][1]["detail"], "");
    const auto exportsApi = get("/v1/audit?route=export", admin);
    ASSERT_EQ(exportsApi.status, 200) << exportsApi.body;
    EXPECT_EQ(exportsApi.json()["entries"][0]["detail"], today() + ".." + today() + " store=store-1?forged");
    const auto all = get("/v1/audit?limit=3", admin);
    ASSERT_EQ(all.status, 200) << all.body;
    EXPECT_EQ(all.json()["entries"].size(), 3u);
    EXPECT_EQ(get("/v1/audit", analyst).status, 403);
    EXPECT_EQ(get("/v1/audit", hub().token("head-office:manager")).status, 403);
    EXPECT_EQ(get("/v1/audit?route=staff", admin).status, 400);
    EXPECT_EQ(get("/v1/audit?limit=0", admin).status, 400);
    EXPECT_EQ(get("/v1/audit", hub().lookupToken()).status, 403);
    auto k = kiosk("store-1", "k1", m_clock);
    send({wire(k.heartbeat(json::object()))});
    const auto fleet = get("/v1/fleet", admin).json();
    ASSERT_EQ(fleet["kiosks"].size(), 1u) << fleet;
    EXPECT_EQ(fleet["kiosks"][0]["welcomeLookups"], 0);
}

TEST_F(AUDIT_SUITE, WhatCannotBeAuditedIsNotAnswered) {
    const std::string id = signedInProfile();
    const std::string admin = hub().headOfficeToken();
    refuseAuditRows(hub());

    const auto timeline = get("/v1/profiles/" + id + "/timeline", admin);
    EXPECT_EQ(timeline.status, 503);
    EXPECT_FALSE(timeline.retryAfter.empty());
    EXPECT_EQ(timeline.body.find("touchpoints"), std::string::npos) << timeline.body;
    const auto events = get("/v1/export/events?format=csv&" + range(), admin);
    EXPECT_EQ(events.status, 503);
    EXPECT_EQ(events.body.find(kPhone.value), std::string::npos) << events.body;
    EXPECT_EQ(get("/v1/profiles/lookup?phone=%2B12025550123", hub().lookupToken()).status, 503);
    const auto erased = del("/v1/profiles/" + id, admin);
    EXPECT_EQ(erased.status, 503);
    auto still = hub().store().findProfile("phone", kPhone.value);
    ASSERT_TRUE(still);
    EXPECT_TRUE(still->has_value()) << "an erasure that could not be audited erased nothing";
    // An export that shows nothing personal needs no audit row.
    EXPECT_EQ(get("/v1/export/events?" + range(), hub().token("head-office:analyst")).status, 200);

    allowAuditRows(hub());
    EXPECT_TRUE(audited("").empty());
    ASSERT_EQ(del("/v1/profiles/" + id, admin).status, 200);
    EXPECT_EQ(audited("erase").size(), 1u);
}

TEST_F(AUDIT_SUITE, StaffLookupsAreRateLimitedPerStaffToken) {
    for (int i = 0; i < 10; ++i) {  // the default burst; nobody is found, and each is still a lookup
        ASSERT_EQ(get("/v1/profiles/lookup?member=M-" + std::to_string(i), hub().lookupToken()).status, 404) << i;
    }
    const auto limited = get("/v1/profiles/lookup?member=M-99", hub().lookupToken());
    EXPECT_EQ(limited.status, 429) << limited.body;
    // One lookup every 3 s by default; a little may have refilled while the 10 were answered.
    ASSERT_FALSE(limited.retryAfter.empty());
    EXPECT_GE(std::stoi(limited.retryAfter), 1);
    EXPECT_LE(std::stoi(limited.retryAfter), 3);
    // Another staff token has its own bucket, and the kiosk's welcome bucket is another one again.
    EXPECT_EQ(get("/v1/profiles/lookup?member=M-1", hub().staffToken("store-1", "k2")).status, 404);
    EXPECT_EQ(get("/v1/profiles/welcome?member=M-1", hub().ingestToken()).status, 200);

    EXPECT_EQ(audited("lookup").size(), 11u);  // the refused one looked nobody up
    const auto metrics = get("/metrics", hub().headOfficeToken());
    ASSERT_EQ(metrics.status, 200);
    EXPECT_NE(metrics.body.find("touchpoint_hub_rejects_total{source=\"" + hub().tokenName("staff") +
                                "\",reason=\"lookup_rate_limited\"} 1\n"),
              std::string::npos)
        << metrics.body;
    EXPECT_EQ(metrics.body.find("source=\"" + hub().tokenName("staff:store-1/k2") + "\",reason=\"lookup_rate_limited\""),
              std::string::npos);
}

}  // namespace
}  // namespace touchpoint::hub::testing
