// Survey versions in the figures, as pure code: which versions a report's answers came from, when it combines
// versions of one survey (and the sentence the page shows), the checks of ?survey=&surveyVersion=, and how an
// answer's version is read from its message.

#include <gtest/gtest.h>

#include "hub/journey/stats.hpp"
#include "hub/journey/stats_json.hpp"
#include "hub/journey/survey_version.hpp"

namespace touchpoint::hub {
namespace {

using nlohmann::json;

FeedbackRow answer(const std::string& survey, std::int64_t version, int nps, bool abandoned = false) {
    FeedbackRow r;
    r.day = "2026-11-20";
    r.store = "s1";
    r.nps = nps;
    r.surveyId = survey;
    r.surveyVersion = version;
    r.abandoned = abandoned;
    return r;
}

TEST(StatsSurveyVersions, ListsTheVersionsOfTheAnswersAndNamesASurveyWhoseVersionsAreCombined) {
    StatsData d;
    for (int nps : {10, 9}) d.feedback.push_back(answer("visit", 2, nps));
    for (int nps : {0, 3, 10}) d.feedback.push_back(answer("visit", 3, nps));
    d.feedback.push_back(answer("checkout", 1, 8));
    const auto report = computeStats(d, "2026-11-20", "2026-11-20", std::nullopt);
    EXPECT_EQ(report.surveyVersions,
              (std::vector<SurveyVersionCount>{{"checkout", 1, 1}, {"visit", 2, 2}, {"visit", 3, 3}}));
    EXPECT_EQ(report.availableSurveyVersions, report.surveyVersions);
    ASSERT_EQ(report.mixedSurveyVersions.size(), 1u);
    EXPECT_EQ(report.mixedSurveyVersions[0].surveyId, "visit");
    EXPECT_EQ(report.mixedSurveyVersions[0].versions, (std::vector<std::int64_t>{2, 3}));
    EXPECT_EQ(report.mixedSurveyVersions[0].notice,
              "answers from versions 2 and 3 of survey visit are combined; the questions changed in version 3");
    const auto doc = toJson(report);
    EXPECT_EQ(doc["versionsMixed"], true);
    EXPECT_EQ(doc["surveyVersions"][1], json::parse(R"({"surveyId":"visit","version":2,"responses":2})"));
}

TEST(StatsSurveyVersions, OneVersionPerSurveyIsNotMixedAndAbandonedAnswersScoreNothingToMix) {
    StatsData d;
    d.feedback.push_back(answer("visit", 3, 10));
    d.feedback.push_back(answer("visit", 2, 1, true));  // abandoned under the old version: counted, not scored
    d.feedback.push_back(answer("checkout", 1, 8));
    const auto report = computeStats(d, "2026-11-20", "2026-11-20", std::nullopt);
    EXPECT_TRUE(report.mixedSurveyVersions.empty());
    EXPECT_EQ(report.surveyVersions,
              (std::vector<SurveyVersionCount>{{"checkout", 1, 1}, {"visit", 2, 0}, {"visit", 3, 1}}));
    EXPECT_EQ(toJson(report)["versionsMixed"], false);
}

TEST(StatsSurveyVersions, AFilteredReportOffersEveryVersionOfTheRange) {
    StatsData d;
    d.feedback.push_back(answer("visit", 3, 10));
    d.surveyVersionsInRange = {{"visit", 2, 5}, {"visit", 3, 1}};
    const SurveyFilter filter{"visit", 3};
    const auto report = computeStats(d, "2026-11-20", "2026-11-20", std::nullopt, filter);
    EXPECT_EQ(report.surveyFilter, filter);
    EXPECT_EQ(report.surveyVersions, (std::vector<SurveyVersionCount>{{"visit", 3, 1}}));
    EXPECT_EQ(report.availableSurveyVersions, d.surveyVersionsInRange);
    const auto doc = toJson(report);
    EXPECT_EQ(doc["survey"], "visit");
    EXPECT_EQ(doc["surveyVersion"], 3);
}

TEST(StatsSurveyVersions, NoticesForSeveralChangesAndForAnswersWithoutAVersion) {
    EXPECT_EQ(mixedVersionsNotice("visit", {1, 2, 4}),
              "answers from versions 1, 2 and 4 of survey visit are combined; the questions changed in versions 2 and 4");
    EXPECT_EQ(mixedVersionsNotice("visit", {0, 2, 3}),
              "answers from versions 2 and 3 of survey visit are combined; the questions changed in version 3; some "
              "answers do not say their version");
    EXPECT_EQ(mixedVersionsNotice("visit", {0, 2}),
              "answers of survey visit that do not say their version are combined with those of version 2; they may "
              "not have answered the same questions");
    EXPECT_EQ(mixedVersionsNotice("", {1, 2}),
              "answers from versions 1 and 2 of answers without a survey id are combined; the questions changed in "
              "version 2");
}

TEST(StatsSurveyVersions, FilterParametersAreChecked) {
    EXPECT_EQ(parseSurveyFilter("", "").value(), SurveyFilter{});
    EXPECT_EQ(parseSurveyFilter("store-visit", "").value(), (SurveyFilter{"store-visit", std::nullopt}));
    EXPECT_EQ(parseSurveyFilter("store-visit", "0").value(), (SurveyFilter{"store-visit", 0}));
    EXPECT_EQ(parseSurveyFilter("a.b_c-9", "1000000").value(), (SurveyFilter{"a.b_c-9", 1'000'000}));
    EXPECT_EQ(parseSurveyFilter("store-visit", "0002").value(), (SurveyFilter{"store-visit", 2}));
    for (const char* bad : {"-1", "1000001", "99999999999999999999", "two", "1.5", "+1", " 1", "1e3", "0x10"}) {
        const auto r = parseSurveyFilter("store-visit", bad);
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().rfind("surveyVersion: expected a whole number", 0), 0u) << r.error();
    }
    EXPECT_EQ(parseSurveyFilter("", "2").error(), "surveyVersion: only with survey=<id> (versions are numbered per survey)");
    for (const std::string& bad : std::vector<std::string>{"a b", std::string(65, 's'), "x'--", "caf\xc3\xa9"}) {
        const auto r = parseSurveyFilter(bad, "1");
        ASSERT_FALSE(r.ok()) << bad;
        EXPECT_EQ(r.error().rfind("survey: expected a survey id", 0), 0u) << r.error();
    }
    EXPECT_TRUE(parseSurveyFilter(std::string(64, 's'), "").ok());
}

TEST(StatsSurveyVersions, AnAnswersVersionIsAWholeNumberInRangeElseUnknown) {
    EXPECT_EQ(answerSurveyVersion(json{{"surveyVersion", 3}}), 3);
    EXPECT_EQ(answerSurveyVersion(json{{"surveyVersion", 1}}), 1);
    EXPECT_EQ(answerSurveyVersion(json{{"surveyVersion", kMaxSurveyVersion}}), kMaxSurveyVersion);
    EXPECT_EQ(answerSurveyVersion(json{{"surveyVersion", 4.0}}), 4);  // a whole number written as a float
    for (const json& bad : {json("3"), json(0), json(-3), json(2.5), json(1e300), json(kMaxSurveyVersion + 1),
                            json(nullptr), json::array({3}), json(true)}) {
        EXPECT_EQ(answerSurveyVersion(json{{"surveyVersion", bad}}), kUnknownSurveyVersion) << bad.dump();
    }
    EXPECT_EQ(answerSurveyVersion(json::object()), kUnknownSurveyVersion);
}

}  // namespace
}  // namespace touchpoint::hub
