// The case figures from known timings (no store, a fixed "now"): counts by status and overdue, the first
// action's median and 90th percentile, the share resolved within the SLA, and the next-visit NPS with its
// minimum number of answers.

#include "hub/cases/case_figures.hpp"

#include <gtest/gtest.h>

namespace touchpoint::hub {
namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kNow = 1'000 * kHour;

CaseTimings opened(std::int64_t atMs, std::int64_t slaMs = 24 * kHour) {
    CaseTimings c;
    c.status = "open";
    c.openedAtMs = atMs;
    c.dueAtMs = atMs + slaMs;
    return c;
}

CaseTimings actedOn(std::int64_t atMs, std::int64_t afterMs) {
    auto c = opened(atMs);
    c.status = "in_progress";
    c.firstActionAtMs = atMs + afterMs;
    return c;
}

CaseTimings resolved(std::int64_t atMs, std::int64_t firstActionAfterMs, std::int64_t resolvedAfterMs,
                     std::optional<std::int64_t> nextVisitNps = std::nullopt) {
    auto c = actedOn(atMs, firstActionAfterMs);
    c.status = "resolved";
    c.resolvedAtMs = atMs + resolvedAfterMs;
    c.nextVisitNps = nextVisitNps;
    return c;
}

TEST(CaseFigures, NothingOpenedHasNoFigures) {
    const auto f = computeCaseFigures({}, kNow);
    EXPECT_EQ(f.opened, 0);
    EXPECT_FALSE(f.firstActionMedianMs);
    EXPECT_FALSE(f.resolvedWithinSlaPercent);
    EXPECT_FALSE(f.nextVisitNps);
    EXPECT_FALSE(f.nextVisitTooFew);
}

TEST(CaseFigures, CountsByStatusAndOverdue) {
    const std::vector<CaseTimings> cases{
        opened(kNow - 2 * kHour),                          // open, due in 22 h
        opened(kNow - 30 * kHour),                         // open, 6 h overdue
        actedOn(kNow - 48 * kHour, 10 * kMinute),          // in progress, overdue
        resolved(kNow - 72 * kHour, kMinute, 80 * kHour),  // resolved late: never overdue
    };
    const auto f = computeCaseFigures(cases, kNow);
    EXPECT_EQ(f.opened, 4);
    EXPECT_EQ(f.open, 2);
    EXPECT_EQ(f.inProgress, 1);
    EXPECT_EQ(f.resolved, 1);
    EXPECT_EQ(f.overdue, 2);
}

TEST(CaseFigures, FirstActionMedianAndP90ByNearestRankOverTheCasesActedOn) {
    std::vector<CaseTimings> cases;
    for (int minutes = 1; minutes <= 10; ++minutes)
        cases.push_back(actedOn(kNow - 5 * kHour, minutes * kMinute));
    cases.push_back(opened(kNow - kHour));  // not acted on: not in the figures
    const auto f = computeCaseFigures(cases, kNow);
    EXPECT_EQ(f.actedOn, 10);
    EXPECT_EQ(f.firstActionMedianMs, 5 * kMinute);
    EXPECT_EQ(f.firstActionP90Ms, 9 * kMinute);

    const auto one = computeCaseFigures({actedOn(kNow - kHour, 7 * kMinute)}, kNow);
    EXPECT_EQ(one.firstActionMedianMs, 7 * kMinute);
    EXPECT_EQ(one.firstActionP90Ms, 7 * kMinute);
}

TEST(CaseFigures, ShareResolvedWithinSlaCountsTheDueTimeItselfAsInTime) {
    const std::vector<CaseTimings> cases{
        resolved(kNow - 100 * kHour, kMinute, 2 * kHour),   // in time
        resolved(kNow - 100 * kHour, kMinute, 24 * kHour),  // exactly at the due time: in time
        resolved(kNow - 100 * kHour, kMinute, 25 * kHour),  // late
        opened(kNow - kHour),                               // not resolved: not in the share
    };
    const auto f = computeCaseFigures(cases, kNow);
    EXPECT_EQ(f.resolvedWithinSla, 2);
    ASSERT_TRUE(f.resolvedWithinSlaPercent);
    EXPECT_DOUBLE_EQ(*f.resolvedWithinSlaPercent, 66.7);
}

TEST(CaseFigures, NextVisitNpsNeedsFiveAnswers) {
    std::vector<CaseTimings> cases{
        resolved(kNow - 50 * kHour, kMinute, kHour, 10), resolved(kNow - 50 * kHour, kMinute, kHour, 9),
        resolved(kNow - 50 * kHour, kMinute, kHour, 3),  resolved(kNow - 50 * kHour, kMinute, kHour, 8),
        resolved(kNow - 50 * kHour, kMinute, kHour),  // the shopper has not been back
    };
    auto few = computeCaseFigures(cases, kNow);
    EXPECT_EQ(few.nextVisitAnswers, 4);
    EXPECT_TRUE(few.nextVisitTooFew);
    EXPECT_FALSE(few.nextVisitNps);

    cases.push_back(resolved(kNow - 50 * kHour, kMinute, kHour, 10));
    auto open = opened(kNow - kHour);
    open.nextVisitNps = 0;  // only resolved cases count, whatever the store read
    cases.push_back(open);
    const auto f = computeCaseFigures(cases, kNow);
    EXPECT_EQ(f.nextVisitAnswers, 5);
    EXPECT_FALSE(f.nextVisitTooFew);
    ASSERT_TRUE(f.nextVisitNps);
    EXPECT_DOUBLE_EQ(*f.nextVisitNps, 40.0);  // 3 promoters, 1 passive, 1 detractor of 5
}

}  // namespace
}  // namespace touchpoint::hub
