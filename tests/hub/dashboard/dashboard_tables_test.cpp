#include <gtest/gtest.h>

#include "hub/dashboard/dashboard.hpp"
#include "hub/dashboard/tables.hpp"

namespace touchpoint::hub::dashboard {
namespace {

using nlohmann::json;

json sampleStats() {
    return json::parse(R"({
      "from":"2026-11-01","to":"2026-11-03","store":null,
      "overall":{"nps":{"score":32.5,"responses":120,"promoters":60,"passives":40,"detractors":20,"ci95":[20.1,44.9]},
                 "csat":{"score":81.0,"responses":80,"satisfied":65,"ci95":[72.0,90.0]},
                 "ces":{"mean":5.6,"responses":50,"ci95":[5.2,6.0]},
                 "signins":300,"newMembers":40,"feedbackAbandoned":12,"misuse":3},
      "byStore":[{"store":"store-0001","nps":{"score":-12.25,"responses":8,"ci95":[-60.0,35.5]},
                  "csat":{"responses":0},"ces":{"mean":4.0,"responses":1,"ci95":[4.0,4.0]},
                  "signins":7,"newMembers":1}],
      "byDay":[],
      "stages":{"awareness":10,"consideration":20,"purchase":5,"retention":30,"advocacy":35},
      "stageTransitions":[{"from":"consideration","to":"retention","channel":"in_store_kiosk","count":12},
                          {"from":null,"to":"awareness","channel":"web","count":3}],
      "reasons":[{"reason":"staff","count":3},{"reason":"price","count":1}],
      "recentComments":[{"at":"2026-11-02T10:00:00.000Z","store":"store-0001","nps":3,
                         "text":"=call me on +1 (555) 010-2345 or a.b@example.com"}]})");
}

TEST(DashboardTables, ScoresTableHasOverallFirstThenStoresWithIntervals) {
    auto tables = buildTables(sampleStats(), json::array(), {});
    const Table& t = tables.at("scores");
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0][0], "All stores");
    EXPECT_EQ(t.rows[0][1], "32.5");
    EXPECT_EQ(t.rows[0][2], "20.1");
    EXPECT_EQ(t.rows[0][3], "44.9");
    EXPECT_EQ(t.rows[0][4], "120");
    EXPECT_EQ(t.rowClass[0], "total");
    EXPECT_EQ(t.rows[1][0], "store-0001");
    EXPECT_EQ(t.rows[1][5], "") << "no CSAT answers: no score, not 0";
    EXPECT_EQ(t.rows[1][8], "0");
    EXPECT_EQ(t.rows[1][9], "4.00");
}

TEST(DashboardTables, StagesSharesAndTransitionsHighlightInStore) {
    auto tables = buildTables(sampleStats(), json::array(), {});
    const Table& s = tables.at("stages");
    ASSERT_EQ(s.rows.size(), 5u);
    EXPECT_EQ(s.rows[4], (std::vector<std::string>{"advocacy", "35", "35.0"}));
    const Table& t = tables.at("transitions");
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rowClass[0], "highlight");
    EXPECT_EQ(t.rows[1][0], "(new)");
    EXPECT_EQ(tables.at("reasons").rows[0], (std::vector<std::string>{"staff", "3", "75.0"}));
}

TEST(DashboardTables, CommentsAreMaskedAgainAndCsvGuardsFormulas) {
    auto tables = buildTables(sampleStats(), json::array(), {});
    const Table& c = tables.at("comments");
    ASSERT_EQ(c.rows.size(), 1u);
    EXPECT_EQ(c.rows[0][3], "=call me on [phone] or [email]");
    const std::string csv = toCsv(c);
    EXPECT_NE(csv.find("'=call me on [phone] or [email]"), std::string::npos) << csv;
    EXPECT_EQ(csv.substr(0, csv.find("\r\n")), "Time (UTC),Store,NPS,Comment");
}

TEST(DashboardTables, CsvQuotesSeparatorsAndKeepsNegativeNumbers) {
    Table t{"t", {"a", "b"}, {{"x,y", "say \"hi\""}, {"-12.5", "-"}}, {}};
    EXPECT_EQ(toCsv(t), "a,b\r\n\"x,y\",\"say \"\"hi\"\"\"\r\n-12.5,'-\r\n");
}

TEST(DashboardTables, MaskingLeavesShortNumbersAndPlainText) {
    EXPECT_EQ(maskPersonalText("aisle 12 was great, 5 stars"), "aisle 12 was great, 5 stars");
    EXPECT_EQ(maskPersonalText("text 07700 900123 please"), "text [phone] please");
    EXPECT_EQ(maskPersonalText("Mail ME@Shop.co.uk!"), "Mail [email]!");
}

TEST(DashboardTables, FleetStatusStaleFailingOkSortedProblemsFirst) {
    const std::int64_t now = 1'800'000'000'000;
    json fleet = {{"kiosks",
                   {{{"kioskId", "k-ok"}, {"storeId", "s1"}, {"lastSeen", formatIsoUtcMs(now - 60'000)}, {"queueDepth", 2}},
                    {{"kioskId", "k-stale"}, {"storeId", "s1"}, {"lastSeen", formatIsoUtcMs(now - 3'600'000)}},
                    {{"kioskId", "k-fail"}, {"storeId", "s2"}, {"lastSeen", formatIsoUtcMs(now - 30'000)},
                     {"drops", {{"evicted", 3}, {"too_large", 1}}}, {"clockOffsetMs", 400'000}}}}};
    auto kiosks = readFleet(fleet, now, FleetThresholds{});
    ASSERT_EQ(kiosks.size(), 3u);
    EXPECT_EQ(kiosks[0].kioskId, "k-fail");
    EXPECT_EQ(kiosks[0].status, "failing");
    EXPECT_EQ(kiosks[0].drops, 4);
    EXPECT_TRUE(kiosks[0].clockFlagged);
    EXPECT_EQ(kiosks[1].status, "stale");
    EXPECT_EQ(kiosks[2].status, "ok");
    auto summary = fleetSummary(kiosks);
    EXPECT_EQ(summary["failing"], 1);
    EXPECT_EQ(summary["stale"], 1);
    EXPECT_EQ(summary["ok"], 1);
    auto tables = buildTables(sampleStats(), json::array(), kiosks);
    EXPECT_EQ(tables.at("fleet").rows[0][8], "400.0");
    EXPECT_EQ(tables.at("fleet").rowClass[0], "failing");
}

TEST(DashboardTables, DailySeriesFillsMissingDaysWithZeroCounts) {
    std::map<std::string, json> perDay{{"2026-11-02", json{{"signins", 4}, {"nps", {{"score", 50.0}, {"responses", 2}}}}}};
    json d = dailySeries({"2026-11-01", "2026-11-02"}, perDay);
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0]["signins"], 0);
    EXPECT_EQ(d[0]["nps"]["responses"], 0);
    EXPECT_EQ(d[1]["signins"], 4);
    auto tables = buildTables(sampleStats(), d, {});
    EXPECT_EQ(tables.at("daily").rows[0][3], "");
    EXPECT_EQ(tables.at("daily").rows[1][3], "50.0");
}

TEST(DashboardQuery, RejectsBadDatesReversedRangesAndOddStoreIds) {
    EXPECT_TRUE(parseQuery("2026-11-01", "2026-11-28", "", 186).ok());
    EXPECT_TRUE(parseQuery("2024-02-29", "2024-02-29", "store-0001", 186).ok());
    EXPECT_EQ(parseQuery("2026-02-30", "2026-03-01", "", 186).error().message, "from: expected a date YYYY-MM-DD");
    EXPECT_EQ(parseQuery("2026-11-01", "26-11-28", "", 186).error().message, "to: expected a date YYYY-MM-DD");
    EXPECT_EQ(parseQuery("2026-11-02", "2026-11-01", "", 186).error().message, "from: must not be after to");
    EXPECT_EQ(parseQuery("2025-01-01", "2026-11-01", "", 186).error().message, "range: at most 186 days");
    EXPECT_EQ(parseQuery("2026-11-01", "2026-11-02", "a'b", 186).error().message, "store: not a store id");
    auto days = daysBetween("2026-12-30", "2027-01-02");
    EXPECT_EQ(days, (std::vector<std::string>{"2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"}));
}

}  // namespace
}  // namespace touchpoint::hub::dashboard
