#pragma once
// What head office publishes to kiosks (docs/PROTOCOL.md "Kiosk configuration"): the survey, the texts that
// override the built-in translation tables (survey questions and options, attract and welcome texts, the
// cooldown text), and the settings head office may change. The hub checks a document with this code before it
// publishes it and the kiosk checks it again before it applies it: one validator, the same answers.
//
// {"format": 1,
//  "survey": {<as assets/surveys/*.json>},
//  "texts": {"en": {"survey.q.nps": "How likely ...", "attract.brand": "..."}, "es": {...}},
//  "settings": {"languages": ["en", "es"], "defaultLanguage": "en", "inactivityS": 45, "stillThereS": 20,
//               "accessibilityTimeoutFactor": 2.0, "highContrastDefault": false, "largeTextDefault": false,
//               "feedback": {"contactQuestion": true, "contactNpsMax": 6, "contactCsatMax": 2},
//               "openingHours": {"timeZone": "Europe/Berlin",
//                                "days": {"mon": [["08:00", "20:00"]], "sun": []}}}}

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "content/survey.hpp"

namespace touchpoint::content {

/// The languages a kiosk can show (its fonts and built-in tables cover these).
const std::vector<std::string>& kioskLanguages();

/// Keys of the built-in tables that a document may override besides the survey's own keys: the attract and
/// welcome screens' texts and the cooldown text. Any other key is refused (a typo must not pass silently).
bool isOverridableTextKey(const std::string& key);
/// Those keys, sorted (the dashboard's editor offers them).
std::vector<std::string> overridableTextKeys();

/// One opening period within a day, minutes since local midnight; close > open (no period crosses midnight:
/// write two).
struct OpeningPeriod {
    int openMinute = 0;
    int closeMinute = 0;
};

struct OpeningHours {
    std::string timeZone;  ///< IANA name, checked against the system's zone database
    /// Monday = 0 ... Sunday = 6. A day absent from the document is closed all day; an empty list too.
    std::array<std::vector<OpeningPeriod>, 7> days;

    /// Whether the store is open at `t` (UTC), in `timeZone` (daylight saving included).
    bool isOpen(std::chrono::system_clock::time_point t) const;
};
/// An IANA zone name the time zone database knows ("Europe/Berlin", "UTC").
bool isKnownTimeZone(const std::string& name);

/// The kiosk's "May we contact you about this?" question after a low score (kiosk.toml [feedback] when a
/// document has none). In a document all three are given together.
struct FeedbackSettings {
    bool contactQuestion = true;
    int contactNpsMax = 6;   ///< -1..10: an NPS of at most this asks; -1: never by NPS
    int contactCsatMax = 2;  ///< 0..5: a CSAT of at most this asks; 0: never by CSAT
    bool operator==(const FeedbackSettings&) const = default;
};

struct KioskSettings {
    std::vector<std::string> languages{"en", "es", "fr", "de", "pt"};  ///< offered, in this order
    std::string defaultLanguage = "en";
    int inactivityS = 45;                     ///< 15..600
    int stillThereS = 20;                     ///< 20..300 (WCAG 2.2.1: at least 20 s)
    double accessibilityTimeoutFactor = 2.0;  ///< 1..10
    bool highContrastDefault = false;
    bool largeTextDefault = false;
    std::optional<OpeningHours> openingHours;  ///< absent: always open (no sleep screen)
    std::optional<FeedbackSettings> feedback;  ///< absent: the kiosk's own kiosk.toml [feedback] values
};

struct FleetDocument {
    int format = 1;
    Survey survey;
    std::map<std::string, std::map<std::string, std::string>> texts;  ///< language -> key -> text
    KioskSettings settings;

    nlohmann::json toJson() const;
};

inline constexpr std::size_t kMaxDocumentBytes = 256 * 1024;
inline constexpr std::size_t kMaxTextBytes = 1000;  ///< one text, UTF-8 bytes

/// Parses and checks a document. Every problem is reported with its path, e.g.
/// "texts.es: no text for \"survey.q.nps\" (step \"nps\", question)" or
/// "settings.openingHours.days.mon[0]: \"25:00\" is not a time HH:MM". Checks: size and shape, the survey
/// (Survey::fromJson), every language offered is a kiosk language and has a text for every key the survey uses,
/// texts only for offered languages and overridable or survey keys, valid UTF-8 without control characters,
/// setting bounds, opening hours and time zone.
Result<FleetDocument, ContentErrors> parseFleetDocument(std::string_view text);
Result<FleetDocument, ContentErrors> fleetDocumentFromJson(const nlohmann::json& json);

/// Whether two documents ask the same survey: the same steps, options and branching, and the same texts for the
/// survey's keys in every language. A publisher gives a survey a new version when this is false, so that answers
/// to a changed question are never counted with its predecessor's.
bool sameSurveyQuestions(const FleetDocument& a, const FleetDocument& b);

/// Every text a kiosk would show from this document (for a glyph check against its fonts).
std::vector<std::string> allTexts(const FleetDocument& document);

}  // namespace touchpoint::content
