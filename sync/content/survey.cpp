#include "content/survey.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace touchpoint::content {

std::string_view toString(StepType type) {
    switch (type) {
        case StepType::Nps: return "nps";
        case StepType::Csat: return "csat";
        case StepType::Ces: return "ces";
        case StepType::Choice: return "choice";
        case StepType::Comment: return "comment";
    }
    return "nps";
}

bool isScore(StepType type) { return type == StepType::Nps || type == StepType::Csat || type == StepType::Ces; }

int SurveyStep::minScore() const { return type == StepType::Nps ? 0 : 1; }
int SurveyStep::maxScore() const {
    switch (type) {
        case StepType::Nps: return 10;
        case StepType::Csat: return 5;
        case StepType::Ces: return 7;
        default: return 0;
    }
}

std::string ContentError::format() const { return path.empty() ? message : path + ": " + message; }

std::string formatErrors(const ContentErrors& errors) {
    std::string out;
    for (const auto& e : errors) {
        if (!out.empty()) out += '\n';
        out += e.format();
    }
    return out;
}

namespace {

std::optional<StepType> stepTypeFrom(const std::string& s) {
    if (s == "nps") return StepType::Nps;
    if (s == "csat") return StepType::Csat;
    if (s == "ces") return StepType::Ces;
    if (s == "choice") return StepType::Choice;
    if (s == "comment") return StepType::Comment;
    return std::nullopt;
}

bool isIdText(const std::string& s) {
    if (s.empty() || s.size() > kMaxIdBytes) return false;
    for (const unsigned char c : s) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                        c == '.' || c == '-';
        if (!ok) return false;
    }
    return true;
}

/// Reads a required id-like string member; records an error and returns "" when it is missing or malformed.
std::string idMember(const nlohmann::json& j, const char* key, const std::string& path, ContentErrors& errors) {
    const auto it = j.find(key);
    if (it == j.end()) {
        errors.push_back({path, std::string("\"") + key + "\" is required"});
        return {};
    }
    if (!it->is_string() || !isIdText(it->get_ref<const std::string&>())) {
        errors.push_back({path + "." + key, "must be 1 to 64 characters of A-Z a-z 0-9 _ . -"});
        return {};
    }
    return it->get<std::string>();
}

std::optional<bool> boolMember(const nlohmann::json& j, const char* key, const std::string& path,
                               ContentErrors& errors) {
    const auto it = j.find(key);
    if (it == j.end()) return std::nullopt;
    if (!it->is_boolean()) {
        errors.push_back({path + "." + key, "must be true or false"});
        return std::nullopt;
    }
    return it->get<bool>();
}

std::optional<int> intMember(const nlohmann::json& j, const char* key, const std::string& path, int lo, int hi,
                             ContentErrors& errors) {
    const auto it = j.find(key);
    if (it == j.end()) return std::nullopt;
    if (!it->is_number_integer() || it->get<std::int64_t>() < lo || it->get<std::int64_t>() > hi) {
        errors.push_back({path + "." + key, "must be an integer from " + std::to_string(lo) + " to " +
                                                std::to_string(hi)});
        return std::nullopt;
    }
    return static_cast<int>(it->get<std::int64_t>());
}

void readOptions(const nlohmann::json& js, const std::string& path, SurveyStep& step, ContentErrors& errors) {
    const auto opts = js.find("options");
    if (opts == js.end() || !opts->is_array() || opts->empty()) {
        errors.push_back({path + ".options", "a choice needs a non-empty array of options"});
        return;
    }
    if (opts->size() > kMaxOptions) {
        errors.push_back({path + ".options", "at most " + std::to_string(kMaxOptions) + " options"});
        return;
    }
    std::set<std::string> ids;
    for (std::size_t i = 0; i < opts->size(); ++i) {
        const auto& o = (*opts)[i];
        const std::string where = path + ".options[" + std::to_string(i) + "]";
        if (!o.is_object()) {
            errors.push_back({where, "must be an object"});
            continue;
        }
        ChoiceOption opt{idMember(o, "id", where, errors), idMember(o, "labelKey", where, errors)};
        if (!opt.id.empty() && !ids.insert(opt.id).second) errors.push_back({where + ".id", "duplicate option id"});
        step.options.push_back(std::move(opt));
    }
}

void readCondition(const nlohmann::json& w, const std::string& path, const std::map<std::string, StepType>& seen,
                   SurveyStep& step, ContentErrors& errors) {
    if (!w.is_object()) {
        errors.push_back({path + ".when", "must be an object"});
        return;
    }
    StepCondition c;
    const auto ref = w.find("step");
    if (ref != w.end() && ref->is_string()) c.stepId = ref->get<std::string>();
    const auto earlier = seen.find(c.stepId);
    if (earlier == seen.end() || !isScore(earlier->second)) {
        errors.push_back({path + ".when.step", "must name an earlier nps, csat or ces step"});
        return;
    }
    SurveyStep scored;
    scored.type = earlier->second;
    c.min = intMember(w, "min", path + ".when", scored.minScore(), scored.maxScore(), errors).value_or(scored.minScore());
    c.max = intMember(w, "max", path + ".when", scored.minScore(), scored.maxScore(), errors).value_or(scored.maxScore());
    if (c.min > c.max) errors.push_back({path + ".when", "\"min\" is above \"max\""});
    step.when = c;
}

}  // namespace

Result<Survey, ContentErrors> Survey::fromJson(const nlohmann::json& json, const std::string& prefix) {
    ContentErrors errors;
    if (!json.is_object()) return Fail(ContentErrors{{prefix, "must be a JSON object"}});
    Survey s;
    s.id = idMember(json, "id", prefix, errors);
    if (json.contains("titleKey")) s.titleKey = idMember(json, "titleKey", prefix, errors);
    if (const auto v = json.find("version"); v != json.end()) {
        if (!v->is_number_integer() || v->get<std::int64_t>() < 1 || v->get<std::int64_t>() > kMaxSurveyVersion) {
            errors.push_back({prefix + ".version", "must be an integer from 1 to " + std::to_string(kMaxSurveyVersion)});
        } else {
            s.version = static_cast<int>(v->get<std::int64_t>());
        }
    }
    const auto steps = json.find("steps");
    if (steps == json.end() || !steps->is_array() || steps->empty()) {
        errors.push_back({prefix + ".steps", "must be a non-empty array"});
        return Fail(std::move(errors));
    }
    if (steps->size() > kMaxSteps) {
        errors.push_back({prefix + ".steps", "at most " + std::to_string(kMaxSteps) + " steps"});
        return Fail(std::move(errors));
    }
    std::map<std::string, StepType> seen;
    for (std::size_t i = 0; i < steps->size(); ++i) {
        const auto& js = (*steps)[i];
        const std::string path = prefix + ".steps[" + std::to_string(i) + "]";
        if (!js.is_object()) {
            errors.push_back({path, "must be an object"});
            continue;
        }
        const std::size_t errorsBefore = errors.size();
        SurveyStep step;
        step.id = idMember(js, "id", path, errors);
        // Name the step in every error about it, as a person editing the survey knows it.
        const auto nameStep = [&] {
            if (step.id.empty()) return;
            for (std::size_t e = errorsBefore; e < errors.size(); ++e) {
                errors[e].message = "step \"" + step.id + "\": " + errors[e].message;
            }
        };
        if (!step.id.empty() && seen.count(step.id)) errors.push_back({path + ".id", "duplicate id"});
        const auto typeIt = js.find("type");
        const auto type = typeIt != js.end() && typeIt->is_string() ? stepTypeFrom(typeIt->get<std::string>()) : std::nullopt;
        if (!type) {
            errors.push_back({path + ".type", "must be nps, csat, ces, choice or comment"});
            nameStep();
            continue;
        }
        step.type = *type;
        step.questionKey = idMember(js, "questionKey", path, errors);
        step.optional = boolMember(js, "optional", path, errors)
                            .value_or(step.type == StepType::Choice || step.type == StepType::Comment);
        step.multi = boolMember(js, "multi", path, errors).value_or(false);
        if (step.type == StepType::Choice) {
            readOptions(js, path, step, errors);
        } else if (js.contains("options")) {
            errors.push_back({path + ".options", "only a choice step has options"});
        }
        if (const auto w = js.find("when"); w != js.end()) {
            if (i == 0) {
                errors.push_back({path + ".when", "the first step cannot be conditional"});
            } else {
                readCondition(*w, path, seen, step, errors);
            }
        }
        nameStep();
        if (!step.id.empty()) seen.emplace(step.id, step.type);
        s.steps.push_back(std::move(step));
    }
    if (!errors.empty()) return Fail(std::move(errors));
    return s;
}

nlohmann::json Survey::toJson() const {
    nlohmann::json j{{"id", id}, {"version", version}};
    if (!titleKey.empty()) j["titleKey"] = titleKey;
    auto& jsteps = j["steps"] = nlohmann::json::array();
    for (const auto& step : steps) {
        nlohmann::json js{{"id", step.id}, {"type", std::string(toString(step.type))}, {"questionKey", step.questionKey},
                          {"optional", step.optional}};
        if (step.type == StepType::Choice) {
            js["multi"] = step.multi;
            auto& opts = js["options"] = nlohmann::json::array();
            for (const auto& o : step.options) opts.push_back({{"id", o.id}, {"labelKey", o.labelKey}});
        }
        if (step.when) js["when"] = {{"step", step.when->stepId}, {"min", step.when->min}, {"max", step.when->max}};
        jsteps.push_back(std::move(js));
    }
    return j;
}

std::vector<std::string> Survey::translationKeys() const {
    std::vector<std::string> keys;
    std::set<std::string> seen;
    const auto add = [&](const std::string& k) {
        if (!k.empty() && seen.insert(k).second) keys.push_back(k);
    };
    add(titleKey);
    for (const auto& step : steps) {
        add(step.questionKey);
        for (const auto& o : step.options) add(o.labelKey);
    }
    return keys;
}

bool Survey::sameQuestions(const Survey& other) const {
    auto mine = toJson();
    auto theirs = other.toJson();
    mine.erase("version");
    theirs.erase("version");
    return mine == theirs;
}

}  // namespace touchpoint::content
