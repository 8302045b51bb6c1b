// The one validator of what head office publishes: the hub refuses with these answers before publishing, and the
// kiosk checks the same way before applying.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "content/fleet_document.hpp"
#include "temp_dir.hpp"

namespace content = touchpoint::content;
using nlohmann::json;

namespace {

json builtInSurvey() {
    std::ifstream in(touchpoint::testing::sourceAssetsDir() / "surveys" / "store-visit.json");
    std::stringstream ss;
    ss << in.rdbuf();
    return json::parse(ss.str());
}

/// A complete document: the built-in survey with every text it uses, in English and Spanish.
json goodDocument() {
    const json survey = builtInSurvey();
    const auto parsed = content::Survey::fromJson(survey, "survey");
    EXPECT_TRUE(parsed.ok());
    json texts;
    for (const auto& key : parsed->translationKeys()) {
        texts["en"][key] = "Text for " + key;
        texts["es"][key] = "Texto para " + key + " ¿ñ?";
    }
    return {{"format", 1},
            {"survey", survey},
            {"texts", texts},
            {"settings", {{"languages", {"en", "es"}}, {"defaultLanguage", "es"}, {"inactivityS", 60}}}};
}

/// [["08:00", "20:00"], ...] (a braced list of pairs would become a JSON object).
json periods(std::initializer_list<std::pair<const char*, const char*>> list) {
    json out = json::array();
    for (const auto& [open, close] : list) out.push_back(json::array({open, close}));
    return out;
}

bool hasError(const content::ContentErrors& errors, const std::string& path, const std::string& fragment) {
    for (const auto& e : errors) {
        if (e.path == path && e.message.find(fragment) != std::string::npos) return true;
    }
    ADD_FAILURE() << "no error at " << path << " containing \"" << fragment << "\" in:\n" << content::formatErrors(errors);
    return false;
}

}  // namespace

TEST(FleetDocument, ACompleteDocumentParsesAndSurvivesItsOwnJson) {
    auto doc = content::fleetDocumentFromJson(goodDocument());
    ASSERT_TRUE(doc.ok()) << content::formatErrors(doc.error());
    EXPECT_EQ(doc->settings.languages, (std::vector<std::string>{"en", "es"}));
    EXPECT_EQ(doc->settings.defaultLanguage, "es");
    EXPECT_EQ(doc->settings.inactivityS, 60);
    EXPECT_EQ(doc->survey.steps.size(), 7U);
    const auto again = content::fleetDocumentFromJson(doc->toJson());
    ASSERT_TRUE(again.ok()) << content::formatErrors(again.error());
    EXPECT_EQ(again->toJson(), doc->toJson());
    EXPECT_TRUE(content::sameSurveyQuestions(*doc, *again));
}

TEST(FleetDocument, AMissingTextNamesTheLanguageTheKeyAndTheStep) {
    auto j = goodDocument();
    j["texts"]["es"].erase("survey.opt.stock");
    j["texts"]["en"].erase("survey.q.nps");
    const auto doc = content::fleetDocumentFromJson(j);
    ASSERT_FALSE(doc.ok());
    EXPECT_TRUE(hasError(doc.error(), "texts.es", "no text for \"survey.opt.stock\" (step \"low_reason\", option \"stock\")"));
    EXPECT_TRUE(hasError(doc.error(), "texts.en", "no text for \"survey.q.nps\" (step \"nps\", question)"));
    EXPECT_EQ(doc.error().size(), 2U) << content::formatErrors(doc.error());
}

TEST(FleetDocument, SurveyErrorsArePathsWithTheStepNamed) {
    auto j = goodDocument();
    j["survey"]["steps"][1]["options"] = json::array();
    j["survey"]["steps"][2]["when"]["step"] = "csat";  // a later step
    j["survey"]["steps"][3]["type"] = "stars";
    j["survey"]["steps"][4]["id"] = "nps";             // duplicate
    const auto doc = content::fleetDocumentFromJson(j);
    ASSERT_FALSE(doc.ok());
    EXPECT_TRUE(hasError(doc.error(), "survey.steps[1].options", "step \"low_reason\": a choice needs"));
    EXPECT_TRUE(hasError(doc.error(), "survey.steps[2].when.step", "step \"mid_reason\": must name an earlier"));
    EXPECT_TRUE(hasError(doc.error(), "survey.steps[3].type", "step \"high_reason\": must be nps"));
    EXPECT_TRUE(hasError(doc.error(), "survey.steps[4].id", "duplicate id"));
}

TEST(FleetDocument, ConditionsAreBoundedByTheScoreTheyReferTo) {
    auto j = goodDocument();
    j["survey"]["steps"][1]["when"] = {{"step", "nps"}, {"min", 0}, {"max", 11}};
    j["survey"]["steps"][2]["when"] = {{"step", "nps"}, {"min", 8}, {"max", 7}};
    const auto doc = content::fleetDocumentFromJson(j);
    ASSERT_FALSE(doc.ok());
    EXPECT_TRUE(hasError(doc.error(), "survey.steps[1].when.max", "from 0 to 10"));
    EXPECT_TRUE(hasError(doc.error(), "survey.steps[2].when", "\"min\" is above \"max\""));
}

TEST(FleetDocument, SettingsOutsideTheirBoundsAreRefusedEachWithItsKey) {
    auto j = goodDocument();
    j["settings"] = {{"languages", {"en", "zh", "en"}}, {"defaultLanguage", "fr"}, {"inactivityS", 5},
                     {"stillThereS", 19}, {"accessibilityTimeoutFactor", 0.5}, {"largeTextDefault", "yes"},
                     {"brightness", 3}};
    const auto doc = content::fleetDocumentFromJson(j);
    ASSERT_FALSE(doc.ok());
    EXPECT_TRUE(hasError(doc.error(), "settings.languages[1]", "kiosk's languages"));
    EXPECT_TRUE(hasError(doc.error(), "settings.languages[2]", "listed twice"));
    EXPECT_TRUE(hasError(doc.error(), "settings.defaultLanguage", "languages offered"));
    EXPECT_TRUE(hasError(doc.error(), "settings.inactivityS", "from 15 to 600"));
    EXPECT_TRUE(hasError(doc.error(), "settings.stillThereS", "from 20 to 300"));
    EXPECT_TRUE(hasError(doc.error(), "settings.accessibilityTimeoutFactor", "from 1 to 10"));
    EXPECT_TRUE(hasError(doc.error(), "settings.largeTextDefault", "true or false"));
    EXPECT_TRUE(hasError(doc.error(), "settings.brightness", "not a kiosk setting"));
    EXPECT_TRUE(hasError(doc.error(), "texts.es", "not a language this document offers"));
}

TEST(FleetDocument, TextsMayOverrideOnlyKnownScreenTextsWithTheirOwnPlaceholders) {
    auto j = goodDocument();
    j["texts"]["en"]["attract.brand"] = "Corner Market Rewards";
    j["texts"]["en"]["welcome.hello"] = "Hi {initial}!";
    ASSERT_TRUE(content::fleetDocumentFromJson(j).ok());
    j["texts"]["en"]["welcome.hello"] = "Hi {name}!";
    j["texts"]["en"]["signin.title"] = "Sign in";
    j["texts"]["es"]["attract.brand"] = "bad\x01text";
    j["texts"]["es"]["attract.subtitle"] = std::string(1001, 'a');
    j["texts"]["es"]["thanks.body"] = "";
    const auto doc = content::fleetDocumentFromJson(j);
    ASSERT_FALSE(doc.ok());
    EXPECT_TRUE(hasError(doc.error(), "texts.en.welcome.hello", "placeholder {name}"));
    EXPECT_TRUE(hasError(doc.error(), "texts.en.signin.title", "neither a key of the survey"));
    EXPECT_TRUE(hasError(doc.error(), "texts.es.attract.brand", "without control characters"));
    EXPECT_TRUE(hasError(doc.error(), "texts.es.attract.subtitle", "longer than 1000 bytes"));
    EXPECT_TRUE(hasError(doc.error(), "texts.es.thanks.body", "non-empty string"));
}

TEST(FleetDocument, InvalidUtf8IsRefused) {
    for (const std::string bad : {"\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xE2\x82", "\xC2\x85"}) {
        auto j = goodDocument();
        // nlohmann refuses to serialise invalid UTF-8, so the document arrives as raw bytes, as from the network.
        std::string text = j.dump();
        const std::string marker = "Text for survey.q.nps";
        text.replace(text.find(marker), marker.size(), "x" + bad);
        const auto doc = content::parseFleetDocument(text);
        ASSERT_FALSE(doc.ok());
    }
}

TEST(FleetDocument, ShapeAndSizeOfTheDocumentItself) {
    EXPECT_TRUE(hasError(content::parseFleetDocument("[1]").error(), "", "JSON object"));
    EXPECT_TRUE(hasError(content::parseFleetDocument("{\"format\":").error(), "", "not valid JSON"));
    EXPECT_TRUE(hasError(content::parseFleetDocument(std::string(content::kMaxDocumentBytes + 1, ' ')).error(), "",
                         "larger than"));
    auto j = goodDocument();
    j["format"] = 2;
    j["extra"] = true;
    j.erase("texts");
    const auto doc = content::fleetDocumentFromJson(j);
    ASSERT_FALSE(doc.ok());
    EXPECT_TRUE(hasError(doc.error(), "format", "must be 1"));
    EXPECT_TRUE(hasError(doc.error(), "extra", "not part of a fleet document"));
    EXPECT_TRUE(hasError(doc.error(), "texts", "is required"));
    // Deep nesting is only a parse error, not a crash.
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    EXPECT_FALSE(content::parseFleetDocument(deep).ok());
}

TEST(FleetDocument, SurveySizeIsBounded) {
    auto j = goodDocument();
    auto& steps = j["survey"]["steps"];
    for (int i = 0; i < 40; ++i) steps.push_back({{"id", "extra" + std::to_string(i)}, {"type", "comment"}, {"questionKey", "survey.q.comment"}});
    EXPECT_TRUE(hasError(content::fleetDocumentFromJson(j).error(), "survey.steps", "at most 32 steps"));
}

TEST(FleetDocument, ChangedWordingIsADifferentSurveyButChangedAttractTextIsNot) {
    const auto base = content::fleetDocumentFromJson(goodDocument()).value();
    auto j = goodDocument();
    j["texts"]["en"]["attract.brand"] = "New brand";
    EXPECT_TRUE(content::sameSurveyQuestions(base, content::fleetDocumentFromJson(j).value()));
    j["texts"]["es"]["survey.q.nps"] = "¿Nos recomendaría?";
    EXPECT_FALSE(content::sameSurveyQuestions(base, content::fleetDocumentFromJson(j).value()));
    auto k = goodDocument();
    k["survey"]["steps"][1]["when"]["max"] = 5;
    EXPECT_FALSE(content::sameSurveyQuestions(base, content::fleetDocumentFromJson(k).value()));
    auto v = goodDocument();
    v["survey"]["version"] = 9;
    EXPECT_TRUE(content::sameSurveyQuestions(base, content::fleetDocumentFromJson(v).value()));
}

TEST(FleetDocument, FeedbackThresholdsAreOptionalCompleteAndBounded) {
    // Absent: the kiosk keeps its kiosk.toml values, and the document says so by having none.
    auto none = content::fleetDocumentFromJson(goodDocument());
    ASSERT_TRUE(none.ok()) << content::formatErrors(none.error());
    EXPECT_FALSE(none->settings.feedback.has_value());
    EXPECT_FALSE(none->toJson()["settings"].contains("feedback"));

    // The extremes of each range are accepted and survive the document's own JSON.
    json doc = goodDocument();
    doc["settings"]["feedback"] = {{"contactQuestion", false}, {"contactNpsMax", -1}, {"contactCsatMax", 5}};
    auto set = content::fleetDocumentFromJson(doc);
    ASSERT_TRUE(set.ok()) << content::formatErrors(set.error());
    ASSERT_TRUE(set->settings.feedback.has_value());
    EXPECT_EQ(*set->settings.feedback, (content::FeedbackSettings{false, -1, 5}));
    auto again = content::fleetDocumentFromJson(set->toJson());
    ASSERT_TRUE(again.ok()) << content::formatErrors(again.error());
    EXPECT_EQ(again->settings.feedback, set->settings.feedback);
    doc["settings"]["feedback"] = {{"contactQuestion", true}, {"contactNpsMax", 10}, {"contactCsatMax", 0}};
    ASSERT_TRUE(content::fleetDocumentFromJson(doc).ok());

    // Out of range, wrong types, a missing member and an unknown one: each named by its path.
    doc["settings"]["feedback"] = {{"contactQuestion", "yes"}, {"contactNpsMax", 11}, {"contactCsatMax", -1}};
    auto bad = content::fleetDocumentFromJson(doc);
    ASSERT_FALSE(bad.ok());
    EXPECT_TRUE(hasError(bad.error(), "settings.feedback.contactQuestion", "true or false"));
    EXPECT_TRUE(hasError(bad.error(), "settings.feedback.contactNpsMax", "from -1 to 10"));
    EXPECT_TRUE(hasError(bad.error(), "settings.feedback.contactCsatMax", "from 0 to 5"));
    doc["settings"]["feedback"] = {{"contactQuestion", true}, {"contactNpsMax", -2}, {"contactCsatMax", 2.5}};
    bad = content::fleetDocumentFromJson(doc);
    ASSERT_FALSE(bad.ok());
    EXPECT_TRUE(hasError(bad.error(), "settings.feedback.contactNpsMax", "from -1 to 10"));
    EXPECT_TRUE(hasError(bad.error(), "settings.feedback.contactCsatMax", "from 0 to 5"));
    doc["settings"]["feedback"] = {{"contactQuestion", true}, {"contactNpsMax", 6}, {"contactCsatMaxx", 2}};
    bad = content::fleetDocumentFromJson(doc);
    ASSERT_FALSE(bad.ok());
    EXPECT_TRUE(hasError(bad.error(), "settings.feedback.contactCsatMaxx", "not a feedback setting"));
    EXPECT_TRUE(hasError(bad.error(), "settings.feedback.contactCsatMax", "from 0 to 5"));
    doc["settings"]["feedback"] = json::array({6, 2});
    bad = content::fleetDocumentFromJson(doc);
    ASSERT_FALSE(bad.ok());
    EXPECT_TRUE(hasError(bad.error(), "settings.feedback", "must be an object"));
}

TEST(OpeningHours, OpenAndClosedInTheStoresZoneAcrossDaylightSaving) {
    auto j = goodDocument();
    j["settings"]["openingHours"] = {{"timeZone", "Europe/Berlin"},
                                     {"days", {{"mon", periods({{"08:00", "20:00"}})}, {"sun", json::array()},
                                               {"sat", periods({{"09:00", "12:00"}, {"13:00", "24:00"}})}}}};
    const auto doc = content::fleetDocumentFromJson(j);
    ASSERT_TRUE(doc.ok()) << content::formatErrors(doc.error());
    const auto& open = *doc->settings.openingHours;
    using namespace std::chrono;
    const auto at = [](int y, unsigned m, unsigned d, int h, int min) {
        return sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min};
    };
    // Monday 2026-01-05, winter (UTC+1): 07:00 UTC is 08:00 in Berlin.
    EXPECT_FALSE(open.isOpen(at(2026, 1, 5, 6, 59)));
    EXPECT_TRUE(open.isOpen(at(2026, 1, 5, 7, 0)));
    EXPECT_TRUE(open.isOpen(at(2026, 1, 5, 18, 59)));
    EXPECT_FALSE(open.isOpen(at(2026, 1, 5, 19, 0)));
    // Monday 2026-07-06, summer (UTC+2): 06:00 UTC is 08:00 in Berlin.
    EXPECT_TRUE(open.isOpen(at(2026, 7, 6, 6, 0)));
    EXPECT_FALSE(open.isOpen(at(2026, 7, 6, 18, 0)));
    // Saturday with a lunch break, open to midnight; Sunday and an unlisted day closed.
    EXPECT_TRUE(open.isOpen(at(2026, 7, 4, 9, 59)));   // 11:59
    EXPECT_FALSE(open.isOpen(at(2026, 7, 4, 10, 30))); // 12:30
    EXPECT_TRUE(open.isOpen(at(2026, 7, 4, 21, 59)));  // 23:59
    EXPECT_FALSE(open.isOpen(at(2026, 7, 5, 10, 0)));  // Sunday
    EXPECT_FALSE(open.isOpen(at(2026, 7, 7, 10, 0)));  // Tuesday, not listed
}

TEST(OpeningHours, BadTimesZonesAndOverlapsAreRefused) {
    auto j = goodDocument();
    j["settings"]["openingHours"] = {{"timeZone", "Mars/Olympus"},
                                     {"days", {{"mon", periods({{"25:00", "26:00"}})}, {"tue", periods({{"20:00", "08:00"}})},
                                               {"wed", periods({{"08:00", "12:00"}, {"11:00", "14:00"}})},
                                               {"funday", json::array()}}}};
    const auto doc = content::fleetDocumentFromJson(j);
    ASSERT_FALSE(doc.ok());
    EXPECT_TRUE(hasError(doc.error(), "settings.openingHours.timeZone", "time zone name"));
    EXPECT_TRUE(hasError(doc.error(), "settings.openingHours.days.mon[0]", "HH:MM"));
    EXPECT_TRUE(hasError(doc.error(), "settings.openingHours.days.tue[0]", "closes before it opens"));
    EXPECT_TRUE(hasError(doc.error(), "settings.openingHours.days.wed[1]", "overlaps"));
    EXPECT_TRUE(hasError(doc.error(), "settings.openingHours.days.funday", "not a day"));
    EXPECT_TRUE(content::isKnownTimeZone("UTC"));
    EXPECT_TRUE(content::isKnownTimeZone("America/New_York"));
    EXPECT_FALSE(content::isKnownTimeZone("../../etc/passwd"));
}
