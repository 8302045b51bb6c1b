// Which published configuration a kiosk runs (hub/fleet/config_rules.hpp), the survey version the hub gives a
// publication, and the poll's cache of assignments (hub/fleet/config_cache.hpp): pure code on a manual clock.

#include <gtest/gtest.h>

#include "common/clock.hpp"
#include "hub/fleet/config_cache.hpp"
#include "hub/fleet/config_rules.hpp"

namespace touchpoint::hub::fleet {
namespace {

constexpr std::int64_t kT0 = 1'800'000'000'000;
constexpr std::int64_t kHourMs = 3'600'000;

class FleetConfigRules : public ::testing::Test {
  protected:
    /// Appends an assignment with the next seq.
    void assign(const std::string& scope, std::int64_t documentId, std::int64_t startsMs) {
        auto parsed = parseScope(scope);
        ASSERT_TRUE(parsed) << scope << ": " << parsed.error();
        m_set.assignments.push_back({++m_seq, *parsed, documentId, startsMs, startsMs, "test"});
    }
    std::optional<std::int64_t> running(const std::string& store, const std::string& kiosk,
                                        std::int64_t at) const {
        auto a = resolveAssignment(m_set, store, kiosk, at);
        return a ? std::optional(a->documentId) : std::nullopt;
    }

    AssignmentSet m_set;
    std::int64_t m_seq = 0;
};

TEST_F(FleetConfigRules, NearestScopeWinsWhateverTheOrderOfAssignment) {
    EXPECT_EQ(running("s1", "k1", kT0), std::nullopt);  // nothing assigned: no configuration
    assign("kiosk:s1/k1", 4, kT0);
    assign("store:s1", 3, kT0);
    assign("region:north", 2, kT0);
    assign("all", 1, kT0);
    m_set.regionOfStore = {{"s1", "north"}, {"s2", "north"}, {"s3", "south"}};

    EXPECT_EQ(running("s1", "k1", kT0), 4);  // its own assignment
    EXPECT_EQ(running("s1", "k2", kT0), 3);  // its store's
    EXPECT_EQ(running("s2", "k1", kT0), 2);  // its store's region's
    EXPECT_EQ(running("s3", "k1", kT0), 1);  // another region: all stores'
    EXPECT_EQ(running("s9", "k1", kT0), 1);  // a store in no region
    // A kiosk id is not confused with the same id in another store.
    EXPECT_EQ(running("s2", "k1", kT0), 2);
}

TEST_F(FleetConfigRules, AnAssignmentAppliesFromItsStartAndTheLatestStartWinsWithinAScope) {
    assign("all", 1, kT0);
    assign("all", 2, kT0 + 10 * kHourMs);  // scheduled
    assign("store:s1", 3, kT0 + 5 * kHourMs);

    EXPECT_EQ(running("s1", "k1", kT0), 1);
    EXPECT_EQ(running("s1", "k1", kT0 + 5 * kHourMs - 1), 1);
    EXPECT_EQ(running("s1", "k1", kT0 + 5 * kHourMs), 3);  // at its start exactly
    EXPECT_EQ(running("s2", "k1", kT0 + 10 * kHourMs - 1), 1);
    EXPECT_EQ(running("s2", "k1", kT0 + 10 * kHourMs), 2);
    // The store's assignment stays nearer than the newer one for all stores.
    EXPECT_EQ(running("s1", "k1", kT0 + 11 * kHourMs), 3);

    EXPECT_EQ(nextScheduledStart(m_set, kT0), kT0 + 5 * kHourMs);
    EXPECT_EQ(nextScheduledStart(m_set, kT0 + 5 * kHourMs), kT0 + 10 * kHourMs);
    EXPECT_EQ(nextScheduledStart(m_set, kT0 + 10 * kHourMs), std::nullopt);
}

TEST_F(FleetConfigRules, SameStartIsDecidedByTheLaterAssignment) {
    assign("store:s1", 7, kT0);
    assign("store:s1", 5, kT0);
    EXPECT_EQ(running("s1", "k1", kT0), 5);
    // An assignment made later with an earlier start does not displace a later start.
    assign("store:s1", 9, kT0 - kHourMs);
    EXPECT_EQ(running("s1", "k1", kT0), 5);
}

TEST_F(FleetConfigRules, RollbackIsANewAssignmentOfAnEarlierDocumentAndKeepsTheHistory) {
    assign("all", 1, kT0);
    assign("all", 2, kT0 + kHourMs);
    EXPECT_EQ(running("s1", "k1", kT0 + 2 * kHourMs), 2);
    assign("all", 1, kT0 + 2 * kHourMs);  // roll back to 1
    EXPECT_EQ(running("s1", "k1", kT0 + 2 * kHourMs), 1);
    EXPECT_EQ(running("s1", "k1", kT0 + kHourMs), 2);  // what ran before is still answerable
    EXPECT_EQ(m_set.assignments.size(), 3u);
    // Rolling forward again works the same way.
    assign("all", 2, kT0 + 3 * kHourMs);
    EXPECT_EQ(running("s1", "k1", kT0 + 3 * kHourMs), 2);
}

TEST_F(FleetConfigRules, RegionMovesApplyToTheStore) {
    assign("region:north", 1, kT0);
    assign("region:south", 2, kT0);
    m_set.regionOfStore["s1"] = "north";
    EXPECT_EQ(running("s1", "k1", kT0), 1);
    m_set.regionOfStore["s1"] = "south";
    EXPECT_EQ(running("s1", "k1", kT0), 2);
    m_set.regionOfStore.erase("s1");
    EXPECT_EQ(running("s1", "k1", kT0), std::nullopt);
}

TEST(FleetConfigScopes, ParsedStrictly) {
    EXPECT_EQ(parseScope("all")->kind, ScopeKind::All);
    EXPECT_EQ(parseScope("region:North West")->value, "North West");
    EXPECT_EQ(parseScope("store:s-1")->value, "s-1");
    auto kiosk = parseScope("kiosk:s-1/k-2");
    ASSERT_TRUE(kiosk);
    EXPECT_EQ(kiosk->kind, ScopeKind::Kiosk);
    EXPECT_EQ(kiosk->value, "s-1/k-2");
    EXPECT_EQ(kiosk->format(), "kiosk:s-1/k-2");
    for (const char* bad : {"", "All", "all:", "region:", "store:", "store:has space", "kiosk:s1",
                            "kiosk:s1/", "kiosk:/k1", "kiosk:a/b/c", "planet:earth", "region:\x01", ":x"}) {
        EXPECT_FALSE(parseScope(bad)) << bad;
    }
    EXPECT_FALSE(parseScope("region:" + std::string(65, 'r')));
    EXPECT_TRUE(parseScope("region:" + std::string(64, 'r')));
    EXPECT_FALSE(parseScope("store:" + std::string(65, 's')));

    EXPECT_TRUE(isDocumentName("spring-survey_v2.1"));
    EXPECT_FALSE(isDocumentName(""));
    EXPECT_FALSE(isDocumentName("has space"));
    EXPECT_FALSE(isDocumentName("slash/name"));
    EXPECT_FALSE(isDocumentName(std::string(65, 'n')));
}

TEST(FleetConfigDepth, NestingIsCountedOutsideStringsOnly) {
    EXPECT_FALSE(nestedDeeperThan(R"({"a":[{"b":[1]}]})", 4));
    EXPECT_TRUE(nestedDeeperThan(R"({"a":[{"b":[1]}]})", 3));
    EXPECT_FALSE(nestedDeeperThan(R"({"a":"[[[[[[{{{{\"[[["})", 1));
    EXPECT_TRUE(nestedDeeperThan(std::string(100'000, '['), kMaxDocumentDepth));
    EXPECT_FALSE(nestedDeeperThan(std::string(100'000, ']'), 1));  // not JSON, but not deep either
}

TEST(FleetConfigSchedule, StartsAtIsAnInstantAtMostAYearAhead) {
    EXPECT_EQ(*parseStartsAt(std::nullopt, kT0), kT0);
    std::int64_t at = 0;
    ASSERT_TRUE(parseIsoUtcMs("2027-01-15T06:00:00Z", at));
    const std::int64_t now = at - 24 * kHourMs;
    EXPECT_EQ(*parseStartsAt(std::string("2027-01-15T06:00:00Z"), now), at);
    EXPECT_EQ(*parseStartsAt(std::string("2027-01-15T07:00:00+01:00"), now), at);
    EXPECT_TRUE(parseStartsAt(std::string("2020-01-01T00:00:00Z"), now));  // past: applies at once
    for (const char* bad :
         {"2027-01-15", "tomorrow", "2027-02-30T00:00:00Z", "", "2027-01-15T06:00:00Z junk"}) {
        EXPECT_FALSE(parseStartsAt(std::string(bad), now)) << bad;
    }
    EXPECT_FALSE(parseStartsAt(std::string("2029-01-15T06:00:00Z"), now));  // two years ahead
}

content::Survey survey(const std::string& id, int version, const std::string& firstQuestion) {
    content::Survey s;
    s.id = id;
    s.version = version;
    s.titleKey = "survey.title";
    content::SurveyStep nps;
    nps.id = "nps";
    nps.type = content::StepType::Nps;
    nps.questionKey = firstQuestion;
    content::SurveyStep comment;
    comment.id = "comment";
    comment.type = content::StepType::Comment;
    comment.questionKey = "survey.q.comment";
    comment.optional = true;
    s.steps = {nps, comment};
    return s;
}

/// A document asking `survey`, with an English text for each of its keys ("nps wording" for the NPS question).
content::FleetDocument documentOf(content::Survey s, const std::string& npsWording = "How likely?") {
    content::FleetDocument d;
    d.settings.languages = {"en"};
    for (const auto& key : s.translationKeys()) d.texts["en"][key] = "Text of " + key;
    d.texts["en"][s.steps.front().questionKey] = npsWording;
    d.survey = std::move(s);
    return d;
}

TEST(FleetFeedbackRule, ContactThresholdsMayNotExceedTheHubsUnhappyOnes) {
    CasesConfig cases;
    cases.unhappyNpsMax = 5;
    cases.unhappyCsatMax = 3;
    content::FleetDocument doc;
    EXPECT_TRUE(feedbackBeyondCases(doc, cases).empty())
        << "no feedback part: the kiosk's kiosk.toml applies";
    doc.settings.feedback = content::FeedbackSettings{true, 5, 3};
    EXPECT_TRUE(feedbackBeyondCases(doc, cases).empty()) << "equal is allowed";
    doc.settings.feedback = content::FeedbackSettings{true, -1, 0};
    EXPECT_TRUE(feedbackBeyondCases(doc, cases).empty());
    doc.settings.feedback = content::FeedbackSettings{true, 6, 4};
    const auto errors = feedbackBeyondCases(doc, cases);
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].path, "settings.feedback.contactNpsMax");
    EXPECT_EQ(errors[0].message,
              "6 is above the hub's [cases] unhappy_nps_max 5: shoppers would be promised a call "
              "no case is opened for");
    EXPECT_EQ(errors[1].path, "settings.feedback.contactCsatMax");
    EXPECT_EQ(errors[1].message,
              "4 is above the hub's [cases] unhappy_csat_max 3: shoppers would be promised a "
              "call no case is opened for");
    doc.settings.feedback = content::FeedbackSettings{true, 5, 4};
    ASSERT_EQ(feedbackBeyondCases(doc, cases).size(), 1u);
    EXPECT_EQ(feedbackBeyondCases(doc, cases)[0].path, "settings.feedback.contactCsatMax");
    doc.settings.feedback = content::FeedbackSettings{false, 10, 5};
    EXPECT_TRUE(feedbackBeyondCases(doc, cases).empty()) << "the question off promises nothing";
}

TEST(FleetSurveyVersions, UnchangedQuestionsKeepTheirVersionAndAnyChangeTakesANewOne) {
    // The first publication of a survey id.
    EXPECT_EQ(publishedSurveyVersion(documentOf(survey("store", 1, "survey.q.nps")), {}), 1);
    // Attract texts or settings changed, questions not: the previous revision's version, whatever the
    // document said.
    SurveyHistory history{documentOf(survey("store", 3, "survey.q.nps")), 4};
    auto rebranded = documentOf(survey("store", 99, "survey.q.nps"));
    rebranded.texts["en"]["attract.brand"] = "Corner Market";
    rebranded.settings.inactivityS = 90;
    EXPECT_EQ(publishedSurveyVersion(rebranded, history), 3);
    // A changed question: one past the highest ever published for the id (4 was published under another
    // name). Its wording counts as much as its key: answers to "How likely?" and to "Would you recommend us?"
    // are not one figure.
    EXPECT_EQ(publishedSurveyVersion(documentOf(survey("store", 3, "survey.q.nps_new")), history), 5);
    EXPECT_EQ(publishedSurveyVersion(documentOf(survey("store", 3, "survey.q.nps"), "Would you recommend us?"),
                                     history),
              5);
    // A step more is a change too.
    auto longer = survey("store", 3, "survey.q.nps");
    longer.steps.push_back(longer.steps.back());
    longer.steps.back().id = "comment2";
    EXPECT_EQ(publishedSurveyVersion(documentOf(longer), history), 5);
    // Another survey id under the same name starts from that id's own history.
    EXPECT_EQ(publishedSurveyVersion(documentOf(survey("kiosk-exit", 1, "survey.q.nps")),
                                     {documentOf(survey("store", 3, "survey.q.nps")), 0}),
              1);
}

TEST(FleetConfigCache, ReloadsWhenOlderThanItsAgeOrInvalidatedAndKeepsTheLastCopyThroughFailures) {
    ManualClock clock;
    AssignmentSet stored;
    stored.assignments.push_back({1, {ScopeKind::All, ""}, 10, 0, 0, "t"});
    bool failing = false;
    int bodyReads = 0;
    ConfigCache cache(
        [&]() -> Result<AssignmentSet, std::string> {
            if (failing) return Fail(std::string("database down"));
            return stored;
        },
        [&](std::int64_t id) -> Result<std::optional<std::string>, std::string> {
            ++bodyReads;
            if (id == 10) return std::optional<std::string>("{\"format\":1}");
            return std::optional<std::string>();
        },
        clock, 5000);

    ASSERT_TRUE(cache.assignments());
    EXPECT_EQ(cache.loads(), 1);
    // Within its age: no read, even after the store changed (another hub process published).
    stored.assignments.push_back({2, {ScopeKind::All, ""}, 11, 0, 0, "t"});
    clock.advanceMs(4999);
    EXPECT_EQ((*cache.assignments())->assignments.size(), 1u);
    EXPECT_EQ(cache.loads(), 1);
    // Past its age: read again, and the other process's change is seen.
    clock.advanceMs(1);
    EXPECT_EQ((*cache.assignments())->assignments.size(), 2u);
    EXPECT_EQ(cache.loads(), 2);
    // A change through this process: read at once.
    stored.assignments.push_back({3, {ScopeKind::All, ""}, 12, 0, 0, "t"});
    cache.invalidate();
    EXPECT_EQ((*cache.assignments())->assignments.size(), 3u);
    EXPECT_EQ(cache.loads(), 3);
    // The database fails: the last copy answers.
    failing = true;
    clock.advanceMs(6000);
    auto during = cache.assignments();
    ASSERT_TRUE(during);
    EXPECT_EQ((*during)->assignments.size(), 3u);

    // Bodies are read once (published documents never change); an unknown id is nothing, not an error.
    EXPECT_EQ(**cache.body(10), "{\"format\":1}");
    EXPECT_EQ(**cache.body(10), "{\"format\":1}");
    EXPECT_EQ(bodyReads, 1);
    auto missing = cache.body(77);
    ASSERT_TRUE(missing);
    EXPECT_FALSE(*missing);
}

TEST(FleetConfigCache, WithoutAnyCopyAFailureIsAnError) {
    ManualClock clock;
    ConfigCache cache([]() -> Result<AssignmentSet, std::string> { return Fail(std::string("down")); },
                      [](std::int64_t) -> Result<std::optional<std::string>, std::string> {
                          return std::optional<std::string>();
                      },
                      clock);
    EXPECT_FALSE(cache.assignments());
}

}  // namespace
}  // namespace touchpoint::hub::fleet
