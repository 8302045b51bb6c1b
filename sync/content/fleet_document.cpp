#include "content/fleet_document.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace touchpoint::content {

const std::vector<std::string>& kioskLanguages() {
    static const std::vector<std::string> languages{"en", "es", "fr", "de", "pt"};
    return languages;
}

namespace {

/// Overridable built-in keys and the placeholders each may use (the screen fills only these).
const std::map<std::string, std::set<std::string>>& overridableKeys() {
    static const std::map<std::string, std::set<std::string>> keys{
        {"attract.brand", {}},
        {"attract.subtitle", {}},
        {"attract.tap_to_start", {}},
        {"attract.scan_hint", {}},
        {"welcome.hello", {"initial"}},
        {"welcome.hello_anonymous", {}},
        {"welcome.new_member", {}},
        {"welcome.next_step", {}},
        {"welcome.feedback", {}},
        {"welcome.cooldown", {}},
        {"thanks.title", {}},
        {"thanks.member", {}},
        {"thanks.body", {}},
    };
    return keys;
}

const std::array<const char*, 7> kDayNames{"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::string hhmm(int minuteOfDay) {
    const int h = minuteOfDay / 60;
    const int m = minuteOfDay % 60;
    return {static_cast<char>('0' + h / 10), static_cast<char>('0' + h % 10), ':', static_cast<char>('0' + m / 10),
            static_cast<char>('0' + m % 10)};
}

/// Valid UTF-8 (no overlongs, surrogates or code points past U+10FFFF) without control characters other than
/// a line break.
bool isDisplayableUtf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            if ((c < 0x20 && c != '\n') || c == 0x7F) return false;
            ++i;
            continue;
        }
        int length = 0;
        std::uint32_t cp = 0;
        if ((c & 0xE0) == 0xC0) { length = 2; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { length = 3; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { length = 4; cp = c & 0x07; }
        else return false;
        if (i + static_cast<std::size_t>(length) > s.size()) return false;
        for (int k = 1; k < length; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        const std::uint32_t minimum = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000;
        if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        if (cp >= 0x80 && cp < 0xA0) return false;  // C1 controls
        i += static_cast<std::size_t>(length);
    }
    return true;
}

/// "{name}" placeholders in a text.
std::set<std::string> placeholders(const std::string& text) {
    std::set<std::string> names;
    std::size_t pos = 0;
    while ((pos = text.find('{', pos)) != std::string::npos) {
        const auto end = text.find('}', pos);
        if (end == std::string::npos) break;
        names.insert(text.substr(pos + 1, end - pos - 1));
        pos = end + 1;
    }
    return names;
}

std::optional<int> minuteOfDay(const nlohmann::json& j) {
    if (!j.is_string()) return std::nullopt;
    const auto& s = j.get_ref<const std::string&>();
    if (s.size() != 5 || s[2] != ':') return std::nullopt;
    for (const std::size_t i : {0U, 1U, 3U, 4U}) {
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
    }
    const int h = (s[0] - '0') * 10 + (s[1] - '0');
    const int m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
    return h * 60 + m;
}

void readOpeningHours(const nlohmann::json& j, KioskSettings& settings, ContentErrors& errors) {
    const std::string path = "settings.openingHours";
    if (!j.is_object()) {
        errors.push_back({path, "must be an object"});
        return;
    }
    OpeningHours hours;
    const auto zone = j.find("timeZone");
    if (zone == j.end() || !zone->is_string() || !isKnownTimeZone(zone->get<std::string>())) {
        errors.push_back({path + ".timeZone", "must be a time zone name such as \"Europe/Berlin\""});
    } else {
        hours.timeZone = zone->get<std::string>();
    }
    const auto days = j.find("days");
    if (days == j.end() || !days->is_object()) {
        errors.push_back({path + ".days", "must be an object of mon..sun"});
        return;
    }
    for (const auto& [name, periods] : days->items()) {
        const std::string& dayName = name;  // a structured binding: clang 14 cannot capture it in a lambda
        const auto day =
            std::find_if(kDayNames.begin(), kDayNames.end(), [&](const char* d) { return dayName == d; });
        const std::string dayPath = path + ".days." + name.substr(0, 16);
        if (day == kDayNames.end()) {
            errors.push_back({dayPath, "is not a day (mon, tue, wed, thu, fri, sat, sun)"});
            continue;
        }
        if (!periods.is_array() || periods.size() > 8) {
            errors.push_back({dayPath, "must be a list of at most 8 [\"HH:MM\", \"HH:MM\"] periods"});
            continue;
        }
        auto& list = hours.days[static_cast<std::size_t>(day - kDayNames.begin())];
        for (std::size_t i = 0; i < periods.size(); ++i) {
            const auto& p = periods[i];
            const std::string where = dayPath + "[" + std::to_string(i) + "]";
            // Plain ints, not optionals: GCC's -O2 flow analysis takes an optional's value here for uninitialised.
            const bool pair = p.is_array() && p.size() == 2;
            const int open = pair ? minuteOfDay(p[0]).value_or(-1) : -1;
            const int close = pair ? minuteOfDay(p[1]).value_or(-1) : -1;
            if (open < 0 || close < 0) {
                errors.push_back({where, "must be [\"HH:MM\", \"HH:MM\"] with times from 00:00 to 24:00"});
                continue;
            }
            if (close <= open) {
                errors.push_back({where, "closes before it opens (a period past midnight is written as two)"});
                continue;
            }
            for (const auto& other : list) {
                if (open < other.closeMinute && other.openMinute < close) {
                    errors.push_back({where, "overlaps an earlier period of the same day"});
                }
            }
            list.push_back({open, close});
        }
    }
    settings.openingHours = std::move(hours);
}

void readFeedback(const nlohmann::json& j, KioskSettings& settings, ContentErrors& errors) {
    const std::string path = "settings.feedback";
    if (!j.is_object()) {
        errors.push_back({path, "must be an object with contactQuestion, contactNpsMax and contactCsatMax"});
        return;
    }
    for (const auto& [key, value] : j.items()) {
        if (key != "contactQuestion" && key != "contactNpsMax" && key != "contactCsatMax") {
            errors.push_back({path + "." + key.substr(0, 64), "is not a feedback setting"});
        }
    }
    // All three or none: a kiosk never mixes head office's thresholds with its own, which the hub cannot see.
    FeedbackSettings feedback;
    bool complete = true;
    const auto question = j.find("contactQuestion");
    if (question == j.end() || !question->is_boolean()) {
        errors.push_back({path + ".contactQuestion", "must be true or false"});
        complete = false;
    } else {
        feedback.contactQuestion = question->get<bool>();
    }
    const auto readThreshold = [&](const char* key, int lo, int hi, const char* never, int& out) {
        const auto it = j.find(key);
        if (it == j.end() || !it->is_number_integer() || it->get<std::int64_t>() < lo ||
            it->get<std::int64_t>() > hi) {
            errors.push_back({path + "." + key, "must be an integer from " + std::to_string(lo) + " to " +
                                                    std::to_string(hi) + " (" + never + ")"});
            complete = false;
            return;
        }
        out = static_cast<int>(it->get<std::int64_t>());
    };
    readThreshold("contactNpsMax", -1, 10, "-1: never by NPS", feedback.contactNpsMax);
    readThreshold("contactCsatMax", 0, 5, "0: never by CSAT", feedback.contactCsatMax);
    if (complete) settings.feedback = feedback;
}

void readSettings(const nlohmann::json& j, KioskSettings& settings, ContentErrors& errors) {
    if (!j.is_object()) {
        errors.push_back({"settings", "must be an object"});
        return;
    }
    static const std::set<std::string> known{"languages",
                                             "defaultLanguage",
                                             "inactivityS",
                                             "stillThereS",
                                             "accessibilityTimeoutFactor",
                                             "highContrastDefault",
                                             "largeTextDefault",
                                             "openingHours",
                                             "feedback"};
    for (const auto& [key, value] : j.items()) {
        if (!known.count(key)) errors.push_back({"settings." + key.substr(0, 64), "is not a kiosk setting"});
    }
    if (const auto it = j.find("languages"); it != j.end()) {
        settings.languages.clear();
        if (!it->is_array() || it->empty()) {
            errors.push_back({"settings.languages", "must be a non-empty list of languages"});
        } else {
            for (std::size_t i = 0; i < it->size(); ++i) {
                const auto& l = (*it)[i];
                const auto& supported = kioskLanguages();
                if (!l.is_string() ||
                    std::find(supported.begin(), supported.end(), l.get<std::string>()) == supported.end()) {
                    errors.push_back({"settings.languages[" + std::to_string(i) + "]",
                                      "must be one of the kiosk's languages: en, es, fr, de, pt"});
                } else if (std::find(settings.languages.begin(), settings.languages.end(), l.get<std::string>()) !=
                           settings.languages.end()) {
                    errors.push_back({"settings.languages[" + std::to_string(i) + "]", "is listed twice"});
                } else {
                    settings.languages.push_back(l.get<std::string>());
                }
            }
        }
    }
    if (const auto it = j.find("defaultLanguage"); it != j.end()) {
        settings.defaultLanguage = it->is_string() ? it->get<std::string>() : std::string();
    }
    if (std::find(settings.languages.begin(), settings.languages.end(), settings.defaultLanguage) ==
        settings.languages.end()) {
        errors.push_back({"settings.defaultLanguage", "must be one of the languages offered"});
    }
    const auto readInt = [&](const char* key, int lo, int hi, int& out) {
        const auto it = j.find(key);
        if (it == j.end()) return;
        if (!it->is_number_integer() || it->get<std::int64_t>() < lo || it->get<std::int64_t>() > hi) {
            errors.push_back({std::string("settings.") + key,
                              "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi)});
            return;
        }
        out = static_cast<int>(it->get<std::int64_t>());
    };
    readInt("inactivityS", 15, 600, settings.inactivityS);
    readInt("stillThereS", 20, 300, settings.stillThereS);
    if (const auto it = j.find("accessibilityTimeoutFactor"); it != j.end()) {
        if (!it->is_number() || it->get<double>() < 1.0 || it->get<double>() > 10.0) {
            errors.push_back({"settings.accessibilityTimeoutFactor", "must be a number from 1 to 10"});
        } else {
            settings.accessibilityTimeoutFactor = it->get<double>();
        }
    }
    const auto readBool = [&](const char* key, bool& out) {
        const auto it = j.find(key);
        if (it == j.end()) return;
        if (!it->is_boolean()) {
            errors.push_back({std::string("settings.") + key, "must be true or false"});
            return;
        }
        out = it->get<bool>();
    };
    readBool("highContrastDefault", settings.highContrastDefault);
    readBool("largeTextDefault", settings.largeTextDefault);
    if (const auto it = j.find("openingHours"); it != j.end() && !it->is_null()) readOpeningHours(*it, settings, errors);
    if (const auto it = j.find("feedback"); it != j.end() && !it->is_null())
        readFeedback(*it, settings, errors);
}

/// Where each survey key is used, for error messages: "step \"nps\", question".
std::map<std::string, std::string> keyUses(const Survey& survey) {
    std::map<std::string, std::string> uses;
    if (!survey.titleKey.empty()) uses.emplace(survey.titleKey, "title");
    for (const auto& step : survey.steps) {
        uses.emplace(step.questionKey, "step \"" + step.id + "\", question");
        for (const auto& o : step.options) uses.emplace(o.labelKey, "step \"" + step.id + "\", option \"" + o.id + "\"");
    }
    return uses;
}

void readTexts(const nlohmann::json& j, FleetDocument& doc, const std::map<std::string, std::string>& surveyKeys,
               ContentErrors& errors) {
    if (!j.is_object()) {
        errors.push_back({"texts", "must be an object of languages"});
        return;
    }
    const auto& offered = doc.settings.languages;
    for (const auto& [language, table] : j.items()) {
        const std::string path = "texts." + language.substr(0, 16);
        if (std::find(offered.begin(), offered.end(), language) == offered.end()) {
            errors.push_back({path, "is not a language this document offers (settings.languages)"});
            continue;
        }
        if (!table.is_object()) {
            errors.push_back({path, "must be an object of key: text"});
            continue;
        }
        auto& out = doc.texts[language];
        for (const auto& [key, text] : table.items()) {
            const std::string where = path + "." + key.substr(0, 64);
            const auto overridable = overridableKeys().find(key);
            if (!surveyKeys.count(key) && overridable == overridableKeys().end()) {
                errors.push_back({where, "is neither a key of the survey nor a text head office may change"});
                continue;
            }
            if (!text.is_string() || text.get_ref<const std::string&>().empty()) {
                errors.push_back({where, "must be a non-empty string"});
                continue;
            }
            const auto& s = text.get_ref<const std::string&>();
            if (s.size() > kMaxTextBytes) {
                errors.push_back({where, "is longer than " + std::to_string(kMaxTextBytes) + " bytes"});
                continue;
            }
            if (!isDisplayableUtf8(s)) {
                errors.push_back({where, "must be UTF-8 text without control characters"});
                continue;
            }
            if (overridable != overridableKeys().end()) {
                for (const auto& name : placeholders(s)) {
                    if (!overridable->second.count(name)) {
                        errors.push_back({where, "uses the placeholder {" + name.substr(0, 32) + "}, which this text cannot show"});
                    }
                }
            }
            out.emplace(key, s);
        }
    }
    for (const auto& language : offered) {
        const auto table = doc.texts.find(language);
        for (const auto& [key, use] : surveyKeys) {
            if (table == doc.texts.end() || !table->second.count(key)) {
                errors.push_back({"texts." + language, "no text for \"" + key + "\" (" + use + ")"});
            }
        }
    }
}

}  // namespace

Result<FleetDocument, ContentErrors> fleetDocumentFromJson(const nlohmann::json& json) {
    if (!json.is_object()) return Fail(ContentErrors{{"", "the document must be a JSON object"}});
    ContentErrors errors;
    FleetDocument doc;
    static const std::set<std::string> known{"format", "survey", "texts", "settings", "configVersion"};
    for (const auto& [key, value] : json.items()) {
        if (!known.count(key)) errors.push_back({key.substr(0, 64), "is not part of a fleet document"});
    }
    const auto format = json.find("format");
    if (format == json.end() || !format->is_number_integer() || format->get<std::int64_t>() != 1) {
        errors.push_back({"format", "must be 1"});
    }
    if (const auto it = json.find("settings"); it != json.end()) readSettings(*it, doc.settings, errors);
    const auto survey = json.find("survey");
    if (survey == json.end()) {
        errors.push_back({"survey", "is required"});
        return Fail(std::move(errors));
    }
    auto parsed = Survey::fromJson(*survey, "survey");
    if (!parsed) {
        errors.insert(errors.end(), parsed.error().begin(), parsed.error().end());
        return Fail(std::move(errors));
    }
    doc.survey = std::move(*parsed);
    const auto texts = json.find("texts");
    if (texts == json.end()) {
        errors.push_back({"texts", "is required: the survey's texts in every language offered"});
    } else {
        readTexts(*texts, doc, keyUses(doc.survey), errors);
    }
    if (!errors.empty()) return Fail(std::move(errors));
    return doc;
}

Result<FleetDocument, ContentErrors> parseFleetDocument(std::string_view text) {
    if (text.size() > kMaxDocumentBytes) {
        return Fail(ContentErrors{{"", "the document is larger than " + std::to_string(kMaxDocumentBytes) + " bytes"}});
    }
    auto json = nlohmann::json::parse(text, nullptr, false);
    if (json.is_discarded()) return Fail(ContentErrors{{"", "not valid JSON"}});
    return fleetDocumentFromJson(json);
}

nlohmann::json FleetDocument::toJson() const {
    nlohmann::json s{{"languages", settings.languages},
                     {"defaultLanguage", settings.defaultLanguage},
                     {"inactivityS", settings.inactivityS},
                     {"stillThereS", settings.stillThereS},
                     {"accessibilityTimeoutFactor", settings.accessibilityTimeoutFactor},
                     {"highContrastDefault", settings.highContrastDefault},
                     {"largeTextDefault", settings.largeTextDefault}};
    if (settings.openingHours) {
        nlohmann::json days = nlohmann::json::object();
        for (std::size_t d = 0; d < kDayNames.size(); ++d) {
            auto& list = days[kDayNames[d]] = nlohmann::json::array();
            for (const auto& p : settings.openingHours->days[d]) list.push_back({hhmm(p.openMinute), hhmm(p.closeMinute)});
        }
        s["openingHours"] = {{"timeZone", settings.openingHours->timeZone}, {"days", std::move(days)}};
    }
    if (settings.feedback) {
        s["feedback"] = {{"contactQuestion", settings.feedback->contactQuestion},
                         {"contactNpsMax", settings.feedback->contactNpsMax},
                         {"contactCsatMax", settings.feedback->contactCsatMax}};
    }
    return {{"format", format}, {"survey", survey.toJson()}, {"texts", texts}, {"settings", std::move(s)}};
}

bool sameSurveyQuestions(const FleetDocument& a, const FleetDocument& b) {
    if (!a.survey.sameQuestions(b.survey)) return false;
    const auto keys = a.survey.translationKeys();
    std::set<std::string> languages;
    for (const auto& [l, t] : a.texts) languages.insert(l);
    for (const auto& [l, t] : b.texts) languages.insert(l);
    const auto textOf = [](const FleetDocument& d, const std::string& l, const std::string& k) -> std::string {
        const auto table = d.texts.find(l);
        if (table == d.texts.end()) return {};
        const auto it = table->second.find(k);
        return it == table->second.end() ? std::string() : it->second;
    };
    for (const auto& l : languages) {
        for (const auto& k : keys) {
            if (textOf(a, l, k) != textOf(b, l, k)) return false;
        }
    }
    return true;
}

std::vector<std::string> allTexts(const FleetDocument& document) {
    std::vector<std::string> out;
    for (const auto& [language, table] : document.texts) {
        for (const auto& [key, text] : table) out.push_back(text);
    }
    return out;
}

bool isOverridableTextKey(const std::string& key) {
    return overridableKeys().count(key) > 0;
}

std::vector<std::string> overridableTextKeys() {
    std::vector<std::string> keys;
    for (const auto& [key, placeholders] : overridableKeys()) keys.push_back(key);
    return keys;
}

}  // namespace touchpoint::content
