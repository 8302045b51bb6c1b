#include <gtest/gtest.h>

#include "hub/dashboard/dashboard.hpp"
#include "hub/dashboard/tables.hpp"

namespace touchpoint::hub::dashboard {
namespace {

using nlohmann::json;

GroupFigures figures(std::optional<double> nps, std::int64_t npsN, std::optional<Interval> npsCi) {
    GroupFigures g;
    g.nps.score = nps;
    g.nps.responses = npsN;
    g.nps.ci95 = npsCi;
    return g;
}

StatsReport sampleStats() {
    StatsReport r;
    r.from = "2026-11-01";
    r.to = "2026-11-03";
    r.overall = figures(32.5, 120, Interval{20.1, 44.9});
    r.overall.nps.promoters = 60;
    r.overall.nps.passives = 40;
    r.overall.nps.detractors = 20;
    r.overall.csat = {81.0, 80, 65, Interval{72.0, 90.0}};
    r.overall.ces = {5.6, 50, Interval{5.2, 6.0}};
    r.overall.signins = 300;
    r.overall.newMembers = 40;
    r.overall.feedbackAbandoned = 12;
    r.overall.misuse = 3;
    StoreFigures store{"store-0001", figures(-12.25, 8, Interval{-60.0, 35.5})};
    store.figures.ces = {4.0, 1, Interval{4.0, 4.0}};
    store.figures.signins = 7;
    store.figures.newMembers = 1;
    r.byStore.push_back(store);
    r.stages = {{"awareness", 10}, {"consideration", 20}, {"purchase", 5}, {"retention", 30}, {"advocacy", 35}};
    r.transitions = {{"consideration", "retention", "in_store_kiosk", 12}, {"", "awareness", "web", 3}};
    r.reasons = {{"staff", 3}, {"price", 1}};
    r.recentComments = {{1'793'613'600'000, "store-0001", 3, "=call me on +1 (555) 010-2345 or a.b@example.com"}};
    return r;
}

TEST(DashboardTables, ScoresTableHasOverallFirstThenStoresWithIntervals) {
    auto tables = buildTables(sampleStats(), {}, {});
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
    auto tables = buildTables(sampleStats(), {}, {});
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
    auto tables = buildTables(sampleStats(), {}, {});
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
    std::vector<KioskRecord> fleet(3);
    fleet[0].kiosk = "k-ok";
    fleet[0].store = "s1";
    fleet[0].lastSeenMs = now - 60'000;
    fleet[0].queueDepth = 2;
    fleet[0].welcomeLookups = 7;
    fleet[1].kiosk = "k-stale";
    fleet[1].store = "s1";
    fleet[1].lastSeenMs = now - 3'600'000;
    fleet[2].kiosk = "k-fail";
    fleet[2].store = "s2";
    fleet[2].lastSeenMs = now - 30'000;
    fleet[2].drops = {{"evicted", 3}, {"too_large", 1}};
    fleet[2].clockOffsetMs = 400'000;
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
    auto tables = buildTables(sampleStats(), {}, kiosks);
    EXPECT_EQ(tables.at("fleet").rows[0][8], "400.0");
    EXPECT_EQ(tables.at("fleet").rowClass[0], "failing");
    // Each kiosk's welcome lookups (issue 15: counted per kiosk on the fleet page), in the table and its CSV.
    const auto& shown = tables.at("fleet");
    ASSERT_EQ(shown.columns.back(), "Welcome lookups");
    EXPECT_EQ(shown.rows[2][0], "k-ok");
    EXPECT_EQ(shown.rows[2].back(), "7");
    EXPECT_EQ(shown.rows[0].back(), "0");
    EXPECT_NE(toCsv(shown).find(",Welcome lookups\r\n"), std::string::npos);
    EXPECT_NE(toCsv(shown).find(",0,7\r\n"), std::string::npos);
}

TEST(DashboardTables, ExtremeKioskClaimsAreHeldNotOverflowed) {
    const std::int64_t now = 1'800'000'000'000;
    std::vector<KioskRecord> fleet(1);
    fleet[0].kiosk = "k-odd";
    fleet[0].lastSeenMs = now;
    fleet[0].drops = {{"a", INT64_MAX}, {"b", INT64_MAX}};
    fleet[0].clockOffsetMs = INT64_MIN;
    auto kiosks = readFleet(fleet, now, FleetThresholds{});
    ASSERT_EQ(kiosks.size(), 1u);
    EXPECT_EQ(kiosks[0].drops, INT64_MAX);
    EXPECT_TRUE(kiosks[0].clockFlagged);
    EXPECT_EQ(kiosks[0].status, "failing");
}

TEST(DashboardTables, DailySeriesFillsMissingDaysWithZeroCounts) {
    GroupFigures second = figures(50.0, 2, std::nullopt);
    second.signins = 4;
    const auto d = dailySeries({"2026-11-01", "2026-11-02"}, {{"2026-11-02", second}});
    ASSERT_EQ(d.size(), 2u);
    EXPECT_EQ(d[0].day, "2026-11-01");
    EXPECT_EQ(d[0].figures.signins, 0);
    EXPECT_EQ(d[0].figures.nps.responses, 0);
    EXPECT_EQ(d[1].figures.signins, 4);
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
