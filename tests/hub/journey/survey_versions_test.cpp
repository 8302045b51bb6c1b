// Answers carry their survey version on the hub (schema step kSurveyVersionColumnVersion) and the figures of
// GET /v1/stats can be narrowed to one survey or one version of it, on the backend this suite runs on: SQLite
// (hub_integration_test) or PostgreSQL (hub_postgres_test). A report that combines versions of one survey says
// so; answers stored before the step get their version from their events.

#include <gtest/gtest.h>

#include "api_test_fixture.hpp"
#include "hub/privacy/data_key.hpp"
#include "hub/privacy/field_cipher.hpp"
#include "hub/store/hub_store.hpp"
#include "hub/store/sql_backend.hpp"
#include "hub/store/sql_schema.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;

constexpr const char* kMixedNotice =
    "answers from versions 1 and 2 of survey store-visit are combined; the questions changed in version 2";

class SurveyVersions : public HUB_SUITE {
protected:
    /// Version 1: NPS 10, 10, 0 (score 33.3). Version 2: NPS 0, 0, 9, 10 (score 0.0). Together: 14.3.
    void sendBothVersions() {
        auto k = kiosk("store-1", "k1", m_clock);
        json batch = json::array();
        int n = 0;
        auto add = [&](int version, int nps) {
            auto a = answers(nps);
            a.surveyVersion = version;
            batch.push_back(wire(k.feedback("v" + std::to_string(++n), "en-US", a, std::nullopt)));
        };
        for (int nps : {10, 10, 0}) add(1, nps);
        for (int nps : {0, 0, 9, 10}) add(2, nps);
        auto abandoned = answers(3);
        abandoned.surveyVersion = 2;
        batch.push_back(wire(k.feedbackAbandoned("x1", "en-US", abandoned, "timeout", std::nullopt)));
        const auto receipts = send(batch);
        ASSERT_EQ(receipts, std::vector<std::string>(batch.size(), "accepted"));
    }

    json stats(const std::string& extra) { return get("/v1/stats?" + range() + extra, hub().headOfficeToken()).json(); }
};

TEST_F(SurveyVersions, UnfilteredFiguresSayTheyCombineVersionsAndListThem) {
    sendBothVersions();
    const auto all = stats("");
    EXPECT_EQ(all["overall"]["nps"]["responses"], 7);
    EXPECT_EQ(all["overall"]["nps"]["score"], 14.3);
    EXPECT_EQ(all["survey"], nullptr);
    EXPECT_EQ(all["surveyVersion"], nullptr);
    EXPECT_EQ(all["surveyVersions"], json::parse(R"([{"surveyId":"store-visit","version":1,"responses":3},
                                                      {"surveyId":"store-visit","version":2,"responses":4}])"));
    EXPECT_EQ(all["availableSurveyVersions"], all["surveyVersions"]);
    EXPECT_EQ(all["versionsMixed"], true);
    ASSERT_EQ(all["mixedSurveyVersions"].size(), 1u);
    EXPECT_EQ(all["mixedSurveyVersions"][0]["surveyId"], "store-visit");
    EXPECT_EQ(all["mixedSurveyVersions"][0]["versions"], json::parse("[1, 2]"));
    EXPECT_EQ(all["mixedSurveyVersions"][0]["notice"], kMixedNotice);

    // One survey, every version: still combined.
    const auto survey = stats("&survey=store-visit");
    EXPECT_EQ(survey["overall"]["nps"]["responses"], 7);
    EXPECT_EQ(survey["versionsMixed"], true);
    EXPECT_EQ(stats("&survey=other")["overall"]["nps"]["responses"], 0);

    // Raw exports carry each answer's version.
    const auto exported = get("/v1/export/feedback?" + range() + "&format=json", hub().headOfficeToken()).json();
    ASSERT_EQ(exported.size(), 8u);
    std::map<std::int64_t, int> byVersion;
    for (const auto& row : exported) ++byVersion[row["surveyVersion"].get<std::int64_t>()];
    EXPECT_EQ(byVersion, (std::map<std::int64_t, int>{{1, 3}, {2, 5}}));
    const auto csv = get("/v1/export/feedback?" + range() + "&format=csv", hub().headOfficeToken()).body;
    EXPECT_NE(csv.find(",surveyId,abandonReason,surveyVersion\r\n"), std::string::npos) << csv.substr(0, 200);
}

TEST_F(SurveyVersions, OneVersionGivesOnlyItsAnswersAndStillOffersTheOthers) {
    sendBothVersions();
    const auto v1 = stats("&survey=store-visit&surveyVersion=1");
    EXPECT_EQ(v1["survey"], "store-visit");
    EXPECT_EQ(v1["surveyVersion"], 1);
    EXPECT_EQ(v1["overall"]["nps"]["responses"], 3);
    EXPECT_EQ(v1["overall"]["nps"]["score"], 33.3);
    EXPECT_EQ(v1["overall"]["feedbackAbandoned"], 0);
    EXPECT_EQ(v1["versionsMixed"], false);
    EXPECT_EQ(v1["mixedSurveyVersions"], json::array());
    EXPECT_EQ(v1["surveyVersions"], json::parse(R"([{"surveyId":"store-visit","version":1,"responses":3}])"));
    EXPECT_EQ(v1["availableSurveyVersions"].size(), 2u);
    ASSERT_EQ(v1["byStore"].size(), 1u);
    EXPECT_EQ(v1["byStore"][0]["nps"]["score"], 33.3);

    const auto v2 = stats("&survey=store-visit&surveyVersion=2&store=store-1");
    EXPECT_EQ(v2["overall"]["nps"]["responses"], 4);
    EXPECT_EQ(v2["overall"]["nps"]["score"], 0.0);
    EXPECT_EQ(v2["overall"]["feedbackAbandoned"], 1);
    EXPECT_EQ(v2["versionsMixed"], false);
    EXPECT_EQ(stats("&survey=store-visit&surveyVersion=3")["overall"]["nps"]["responses"], 0);
}

TEST_F(SurveyVersions, BadFilterParametersAreRefusedWithTheirName) {
    for (const std::string bad : {"&survey=store-visit&surveyVersion=-1", "&survey=store-visit&surveyVersion=1000001",
                                  "&survey=store-visit&surveyVersion=99999999999999999999999",
                                  "&survey=store-visit&surveyVersion=two", "&survey=store-visit&surveyVersion=1.5",
                                  "&survey=store-visit&surveyVersion=%2B1", "&surveyVersion=1"}) {
        const auto r = get("/v1/stats?" + range() + bad, hub().headOfficeToken());
        EXPECT_EQ(r.status, 400) << bad;
        EXPECT_NE(r.body.find("surveyVersion:"), std::string::npos) << bad << " " << r.body;
    }
    for (const std::string& bad :
         std::vector<std::string>{"&survey=a%20b", "&survey=" + std::string(65, 's'), "&survey=%27%3B--"}) {
        const auto r = get("/v1/stats?" + range() + bad, hub().headOfficeToken());
        EXPECT_EQ(r.status, 400) << bad;
        EXPECT_NE(r.body.find("survey:"), std::string::npos) << bad << " " << r.body;
    }
    EXPECT_EQ(get("/v1/stats?" + range() + "&survey=store-visit&surveyVersion=0", hub().headOfficeToken()).status, 200);
    EXPECT_EQ(get("/v1/stats?" + range() + "&survey=&surveyVersion=", hub().headOfficeToken()).status, 200);
}

TEST_F(SurveyVersions, AnAnswerWithAnUnreadableVersionIsKeptAsUnknown) {
    auto k = kiosk("store-1", "k1", m_clock);
    json batch = json::array();
    int n = 0;
    for (const json& version : {json("2"), json(-5), json(2.5), json(1e300), json(1000001), json(nullptr)}) {
        json m = wire(k.feedback("h" + std::to_string(++n), "en-US", answers(10), std::nullopt));
        m["properties"]["surveyVersion"] = version;
        batch.push_back(std::move(m));
    }
    json missing = wire(k.feedback("h-missing", "en-US", answers(10), std::nullopt));
    missing["properties"].erase("surveyVersion");
    batch.push_back(std::move(missing));
    json good = wire(k.feedback("h-good", "en-US", answers(0), std::nullopt));
    good["properties"]["surveyVersion"] = 1000000;
    batch.push_back(std::move(good));
    ASSERT_EQ(send(batch), std::vector<std::string>(batch.size(), "accepted"));

    const auto all = stats("");
    EXPECT_EQ(all["overall"]["nps"]["responses"], 8);
    EXPECT_EQ(all["surveyVersions"], json::parse(R"([{"surveyId":"store-visit","version":0,"responses":7},
                                                      {"surveyId":"store-visit","version":1000000,"responses":1}])"));
    ASSERT_EQ(all["mixedSurveyVersions"].size(), 1u);
    EXPECT_EQ(all["mixedSurveyVersions"][0]["notice"],
              "answers of survey store-visit that do not say their version are combined with those of version 1000000; "
              "they may not have answered the same questions");
    const auto unknown = stats("&survey=store-visit&surveyVersion=0");
    EXPECT_EQ(unknown["overall"]["nps"]["responses"], 7);
    EXPECT_EQ(unknown["overall"]["nps"]["score"], 100.0);
}

std::unique_ptr<SqlConnection> rawConnection(const std::string& url) {
    auto c = url.rfind("sqlite://", 0) == 0 ? openSqlite(url.substr(9)) : openPostgres(url);
    EXPECT_TRUE(c) << (c ? "" : c.error().message);
    return c ? std::move(c).value() : nullptr;
}

TEST(SurveyVersionStep, AnswersStoredBeforeGetTheVersionTheirEventsCarried) {
    touchpoint::testing::TempDir dir;
    std::string url;
    ASSERT_NO_FATAL_FAILURE(makeStoreOfThisBuild(dir, url));
    const std::string day = "2026-11-02";
    {
        // Back to what the step before wrote: answers without a version column, their versions only in events,
        // whose payloads are sealed at rest (one from before that, in plaintext; one that does not open).
        const privacy::FieldCipher cipher(privacy::DataKeys::processLocal());
        const auto sealed = [&](const std::string& payload) {
            return cipher.seal(privacy::columns::kEventPayload, payload);
        };
        auto c = rawConnection(url);
        ASSERT_TRUE(c);
        ASSERT_TRUE(c->exec("ALTER TABLE feedback DROP COLUMN survey_version"));
        ASSERT_TRUE(c->exec("UPDATE schema_version SET version = ?", {kSurveyVersionColumnVersion - 1}));
        const std::vector<std::tuple<std::string, std::string, std::string, int>> answers{
            {"m-v2", "Feedback Submitted", sealed(R"({"properties":{"surveyId":"visit","surveyVersion":2}})"), 9},
            {"m-v3", "Feedback Submitted", sealed(R"({"properties":{"surveyId":"visit","surveyVersion":3}})"), 0},
            {"m-v3-abandoned", "Feedback Abandoned", R"({"properties":{"surveyId":"visit","surveyVersion":3}})", 2},
            {"m-text", "Feedback Submitted", sealed(R"({"properties":{"surveyId":"visit","surveyVersion":"3"}})"), 10},
            {"m-huge", "Feedback Submitted", sealed(R"({"properties":{"surveyId":"visit","surveyVersion":1e300}})"), 10},
            {"m-none", "Feedback Submitted", sealed(R"({"properties":{"surveyId":"visit"}})"), 10},
            {"m-not-json", "Feedback Submitted", sealed("{not json"), 10},
            {"m-no-open", "Feedback Submitted", sealed(R"({"properties":{"surveyVersion":4}})").substr(0, 40), 10},
        };
        std::int64_t at = 1000;
        for (const auto& [id, event, payload, nps] : answers) {
            ++at;
            ASSERT_TRUE(c->exec("INSERT INTO events(message_id, type, event, at, day, received_at, store_id, kiosk_id, "
                                "channel, profile_id, payload) VALUES(?, 'track', ?, ?, ?, ?, 's1', 'k1', "
                                "'in_store_kiosk', NULL, ?)",
                                {id, event, at, day, at, payload}));
            ASSERT_TRUE(c->exec("INSERT INTO feedback(message_id, at, day, store_id, kiosk_id, profile_id, abandoned, "
                                "misuse, nps, csat, ces, reasons, comment, survey_id, abandon_reason) "
                                "VALUES(?, ?, ?, 's1', 'k1', NULL, ?, 0, ?, NULL, NULL, '[]', NULL, 'visit', '')",
                                {id, at, day, std::int64_t{event == "Feedback Abandoned"}, std::int64_t{nps}}));
        }
    }
    auto store = openHubStore(url, HubConfig{});
    ASSERT_TRUE(store) << store.error().message;
    auto c = rawConnection(url);
    ASSERT_TRUE(c);
    auto schema = c->query("SELECT MAX(version) FROM schema_version");
    ASSERT_TRUE(schema) << schema.error().message;
    EXPECT_EQ(schema->integer(0, 0), kHubSchemaVersion);
    auto rows = c->query("SELECT message_id, survey_version FROM feedback ORDER BY at");
    ASSERT_TRUE(rows) << rows.error().message;
    std::map<std::string, std::int64_t> versions;
    for (std::size_t i = 0; i < rows->size(); ++i) versions[rows->text(i, 0)] = rows->integer(i, 1);
    EXPECT_EQ(versions, (std::map<std::string, std::int64_t>{{"m-v2", 2}, {"m-v3", 3}, {"m-v3-abandoned", 3},
                                                             {"m-text", 0}, {"m-huge", 0}, {"m-none", 0},
                                                             {"m-not-json", 0}, {"m-no-open", 0}}));

    // The store filters on what the step filled in.
    auto v3 = (*store)->statsData(day, day, "", SurveyFilter{"visit", 3});
    ASSERT_TRUE(v3) << v3.error().message;
    ASSERT_EQ(v3->feedback.size(), 2u);
    EXPECT_EQ(v3->feedback[0].nps, 0);
    EXPECT_EQ(v3->surveyVersionsInRange,
              (std::vector<SurveyVersionCount>{{"visit", 0, 5}, {"visit", 2, 1}, {"visit", 3, 1}}));
}

}  // namespace
}  // namespace touchpoint::hub::testing
