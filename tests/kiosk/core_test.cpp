// The kiosk core without any GUI: validation, surveys, scanner input, i18n coverage, welcome parsing.
#include <gtest/gtest.h>

#include <fstream>

#include "core/consent_hash.hpp"
#include "core/i18n.hpp"
#include "core/profile.hpp"
#include "core/run_queue.hpp"
#include "core/scanner.hpp"
#include "core/survey.hpp"
#include "core/validation.hpp"
#include "core/wipe.hpp"
#include "temp_dir.hpp"

namespace touchpoint::kiosk {
namespace {

const std::vector<std::string> kLanguages{"en", "es", "fr", "de", "pt"};

TEST(PhoneValidator, NormalisesLocalNumbersToE164ForTheStoreRegion) {
    PhoneValidator us("US");
    EXPECT_EQ(*us.normalize("(202) 555-0143"), "+12025550143");
    EXPECT_EQ(*us.normalize("2025550143"), "+12025550143");
    EXPECT_EQ(*us.normalize("+49 30 901820"), "+4930901820");
    PhoneValidator de("DE");
    EXPECT_EQ(*de.normalize("030 901820"), "+4930901820");
}

TEST(PhoneValidator, RefusesWhatIsNotAValidNumber) {
    PhoneValidator us("US");
    EXPECT_EQ(us.normalize("").error(), InputError::Empty);
    EXPECT_EQ(us.normalize("12345").error(), InputError::PhoneInvalid);
    EXPECT_EQ(us.normalize("555-0143").error(), InputError::PhoneInvalid);  // no area code: not full length
    // The shared rule is "possible", not "valid" (event/identifier.hpp): the right length in an unallocated
    // block is accepted, the same answer touchpointctl and the hub give.
    EXPECT_EQ(*us.normalize("1111111111"), "+11111111111");
    EXPECT_EQ(us.normalize("abc").error(), InputError::PhoneInvalid);
    EXPECT_EQ(us.normalize(std::string(200, '9')).error(), InputError::PhoneInvalid);
}

TEST(Email, AcceptsAndLowerCasesPlainAddresses) {
    EXPECT_EQ(*normalizeEmail(" Ana.Silva+kiosk@Example.PT "), "ana.silva+kiosk@example.pt");
    EXPECT_EQ(*normalizeEmail("a@b.co"), "a@b.co");
}

TEST(Email, RefusesMalformedAddresses) {
    for (const char* bad : {"", "ana", "@example.com", "ana@", "ana@example", "ana@@example.com", "ana@exa mple.com",
                            "ana@example.c", "ana..b@example.com", ".ana@example.com", "ana@example..com",
                            "ana@example.c0m", "ánä@example.com"}) {
        EXPECT_FALSE(normalizeEmail(bad).ok()) << bad;
    }
}

TEST(MemberCode, AcceptsPrintableCodesAndTellsCardsFromQr) {
    EXPECT_EQ(*normalizeMemberCode(" 400012345678 "), "400012345678");
    EXPECT_EQ(methodForCode("400012345678"), event::SigninMethod::Card);
    EXPECT_EQ(methodForCode("TP:M-000123"), event::SigninMethod::Qr);
    EXPECT_EQ(normalizeMemberCode("12").error(), InputError::CodeInvalid);
    EXPECT_EQ(normalizeMemberCode("12 34 56").error(), InputError::CodeInvalid);
}

TEST(Scanner, AcceptsAFastBurstEndingInEnter) {
    ScannerInput s;
    std::int64_t t = 1000;
    for (char c : std::string("400012345678")) s.onChar(static_cast<unsigned char>(c), t += 8);
    EXPECT_EQ(s.onEnter(t + 8).value_or(""), "400012345678");
}

TEST(Scanner, IgnoresSlowTypingAndShortBursts) {
    ScannerInput s;
    std::int64_t t = 1000;
    for (char c : std::string("400012345678")) s.onChar(static_cast<unsigned char>(c), t += 300);
    EXPECT_FALSE(s.onEnter(t + 10).has_value());  // only the last key counts after a pause: too short
    for (char c : std::string("40001234")) s.onChar(static_cast<unsigned char>(c), t += 5);
    EXPECT_FALSE(s.onEnter(t + 500).has_value());  // Enter long after the burst
    s.onChar('1', t += 5);
    EXPECT_FALSE(s.onEnter(t + 5).has_value());
}

TEST(Wipe, ZeroesTheWholeBufferAndEmptiesTheString) {
    std::string s = "+12025550143 and a long enough text to live on the heap";
    const char* data = s.data();
    const auto capacity = s.capacity();
    wipeString(s);
    EXPECT_TRUE(s.empty());
    EXPECT_EQ(s.data(), data);  // same buffer, now zeroed
    for (std::size_t i = 0; i < capacity; ++i) EXPECT_EQ(data[i], '\0') << i;
}

TEST(ConsentHash, IsTheSha256OfTheExactText) {
    EXPECT_EQ(sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Translations, EveryKeyExistsInEveryLanguage) {
    // Shopper and staff tables alike.
    auto t = Translations::loadKiosk(touchpoint::testing::sourceAssetsDir() / "i18n", kLanguages);
    ASSERT_TRUE(t.ok()) << t.error();
    const auto keys = t->allKeys();
    EXPECT_GT(keys.size(), 50u);
    for (const auto& lang : kLanguages) {
        for (const auto& key : keys) EXPECT_TRUE(t->has(lang, key)) << lang << " lacks " << key;
    }
    auto survey = loadSurvey(touchpoint::testing::sourceAssetsDir() / "surveys" / "store-visit.json");
    ASSERT_TRUE(survey.ok()) << survey.error();
    for (const auto& lang : kLanguages) {
        for (const auto& key : survey->translationKeys()) EXPECT_TRUE(t->has(lang, key)) << lang << " lacks " << key;
    }
}

TEST(Translations, FallsBackToEnglishThenToTheKey) {
    auto t = Translations::fromTables({{"en", {{"a", "A"}, {"b", "B"}}}, {"fr", {{"a", "À"}}}});
    EXPECT_EQ(t.text("fr", "a"), "À");
    EXPECT_EQ(t.text("fr", "b"), "B");
    EXPECT_EQ(t.text("fr", "nope"), "nope");
    EXPECT_EQ(formatText("{n} of {count}", {{"n", "2"}, {"count", "5"}}), "2 of 5");
    EXPECT_EQ(formatText("{unknown} stays", {}), "{unknown} stays");
}

TEST(Translations, KioskTablesAddStaffKeysAndRefuseAKeyInBoth) {
    touchpoint::testing::TempDir dir;
    std::filesystem::create_directories(dir / "staff");
    std::ofstream(dir / "en.json") << R"({"a": "A"})";
    std::ofstream(dir / "staff" / "en.json") << R"({"staff.b": "B"})";
    auto t = Translations::loadKiosk(dir.path(), {"en"});
    ASSERT_TRUE(t.ok()) << t.error();
    EXPECT_EQ(t->text("en", "a"), "A");
    EXPECT_EQ(t->text("en", "staff.b"), "B");
    std::ofstream(dir / "staff" / "en.json") << R"({"a": "not the shopper's"})";
    auto clash = Translations::loadKiosk(dir.path(), {"en"});
    ASSERT_FALSE(clash.ok());
    EXPECT_NE(clash.error().find("staff"), std::string::npos) << clash.error();
    EXPECT_FALSE(Translations::loadKiosk(dir.path(), {"en", "fr"}).ok()) << "a language without its staff table";
}

TEST(Translations, LoadReportsTheBadFile) {
    touchpoint::testing::TempDir dir;
    std::ofstream(dir / "en.json") << R"({"a": 1})";
    auto t = Translations::load(dir.path(), {"en"});
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.error().find("en.json"), std::string::npos);
    EXPECT_FALSE(Translations::load(dir.path(), {"xx"}).ok());
}

Survey loadStoreVisit() {
    auto s = loadSurvey(touchpoint::testing::sourceAssetsDir() / "surveys" / "store-visit.json");
    EXPECT_TRUE(s.ok());
    return std::move(s).value();
}

TEST(Survey, DetractorsAreAskedWhatWentWrong) {
    const auto survey = loadStoreVisit();
    SurveyRun run(survey);
    EXPECT_EQ(run.current().id, "nps");
    EXPECT_FALSE(run.canAdvance());
    run.setScore(11);  // out of range: ignored
    EXPECT_FALSE(run.canAdvance());
    run.setScore(3);
    ASSERT_TRUE(run.advance());
    EXPECT_EQ(run.current().id, "low_reason");
    run.toggleOption("wait_time");
    run.toggleOption("stock");
    run.toggleOption("nonsense");
    ASSERT_TRUE(run.advance());
    EXPECT_EQ(run.current().id, "csat");
    EXPECT_EQ(run.position(), std::make_pair(3, 5));
    run.setScore(2);
    ASSERT_TRUE(run.advance());
    run.setScore(6);
    ASSERT_TRUE(run.advance());
    EXPECT_EQ(run.current().type, StepType::Comment);
    EXPECT_TRUE(run.canAdvance());  // the comment is optional
    EXPECT_TRUE(run.isLast());
    run.commentBuffer() = "queue was long";
    const auto a = run.answers();
    EXPECT_EQ(a.nps, 3);
    EXPECT_EQ(a.csat, 2);
    EXPECT_EQ(a.ces, 6);
    EXPECT_EQ(a.reasons, (std::vector<std::string>{"wait_time", "stock"}));
    EXPECT_EQ(a.comment, "queue was long");
    EXPECT_EQ(a.surveyId, "store-visit");
}

TEST(Survey, PromotersGetTheirOwnBranchAndAChangedScoreDropsTheOldBranch) {
    const auto survey = loadStoreVisit();
    SurveyRun run(survey);
    run.setScore(2);
    run.advance();
    run.toggleOption("prices");
    run.back();
    run.setScore(10);
    ASSERT_TRUE(run.advance());
    EXPECT_EQ(run.current().id, "high_reason");
    run.toggleOption("fast_checkout");
    const auto a = run.answers();
    EXPECT_EQ(a.reasons, (std::vector<std::string>{"fast_checkout"}));  // "prices" was on the detractor branch
    EXPECT_EQ(a.lastStep, "high_reason");
}

TEST(Survey, ParseErrorsNameTheStep) {
    EXPECT_NE(parseSurvey("[]", "s.json").error().find("s.json"), std::string::npos);
    EXPECT_NE(parseSurvey(R"({"id":"x","steps":[{"id":"a","type":"stars","questionKey":"q"}]})", "s.json")
                  .error()
                  .find("\"a\""),
              std::string::npos);
    EXPECT_NE(parseSurvey(R"({"id":"x","steps":[{"id":"a","type":"nps","questionKey":"q"},
                                                  {"id":"b","type":"choice","questionKey":"q","options":[]}]})",
                            "s.json")
                  .error()
                  .find("options"),
              std::string::npos);
    EXPECT_NE(parseSurvey(R"({"id":"x","steps":[{"id":"a","type":"nps","questionKey":"q"},
                                                  {"id":"b","type":"comment","questionKey":"q","when":{"step":"zz"}}]})",
                            "s.json")
                  .error()
                  .find("when.step"),
              std::string::npos);
    EXPECT_FALSE(parseSurvey(R"({"id":"x","steps":[{"id":"a","type":"nps","questionKey":"q"},
                                                     {"id":"a","type":"ces","questionKey":"q"}]})",
                               "s.json")
                     .ok());
}

TEST(Welcome, ParsesTheHubAnswer) {
    auto w = parseWelcome(R"({"found": true, "firstInitial": "A", "tier": "Silver", "points": 340,
        "nextTier": "Gold", "pointsToNextTier": 160, "progress": 0.68,
        "rewards": [{"id": "coffee", "name": "Free coffee", "points": 300}],
        "lastCheckinAt": "2026-11-23T01:12:00.000Z", "cooldownSeconds": 10800, "pointsPerCheckin": 10,
        "nextStep": {"kind": "reward_available", "text": "You can redeem a free coffee today"}})");
    ASSERT_TRUE(w.ok()) << w.error();
    EXPECT_TRUE(w->found);
    EXPECT_EQ(w->tier, "Silver");
    EXPECT_EQ(w->points, 340);
    EXPECT_EQ(w->rewards.size(), 1u);
    EXPECT_TRUE(w->lastCheckinMs.has_value());
    EXPECT_EQ(w->cooldownSeconds, 10800);
    EXPECT_EQ(w->nextStepText, "You can redeem a free coffee today");
    EXPECT_FALSE(parseWelcome(R"({"found": false})")->found);
}

TEST(Welcome, BadAnswersAreErrorsNotCrashes) {
    for (const char* bad : {"", "<html>portal</html>", "[]", R"({"points": 3})",
                            R"({"found": true, "points": "many"})", R"({"found": true, "lastCheckinAt": "yesterday"})"}) {
        EXPECT_FALSE(parseWelcome(bad).ok()) << bad;
    }
}

TEST(WelcomeCache, KeepsTheMostRecentlyUsed) {
    WelcomeCache cache(2);
    WelcomeInfo w;
    w.found = true;
    w.points = 1;
    cache.put("a", w);
    w.points = 2;
    cache.put("b", w);
    EXPECT_EQ(cache.get("a")->points, 1);  // "a" is now the most recent
    w.points = 3;
    cache.put("c", w);
    EXPECT_FALSE(cache.get("b").has_value());
    EXPECT_TRUE(cache.get("a").has_value());
    EXPECT_EQ(cache.size(), 2u);
}

TEST(RunQueue, RunsTasksOnDrainAndAllowsPostingFromATask) {
    int wakes = 0;
    RunQueue q([&] { ++wakes; });
    std::vector<int> ran;
    q.post([&] {
        ran.push_back(1);
        q.post([&] { ran.push_back(2); });
    });
    EXPECT_EQ(wakes, 1);
    EXPECT_EQ(q.drain(), 1u);
    EXPECT_EQ(ran, std::vector<int>{1});
    EXPECT_EQ(q.drain(), 1u);
    EXPECT_EQ(ran, (std::vector<int>{1, 2}));
    EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace touchpoint::kiosk
