#include "survey.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "wipe.hpp"

namespace touchpoint::kiosk {

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

int SurveyStep::minScore() const { return type == StepType::Nps ? 0 : 1; }
int SurveyStep::maxScore() const {
    switch (type) {
        case StepType::Nps: return 10;
        case StepType::Csat: return 5;
        case StepType::Ces: return 7;
        default: return 0;
    }
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

bool isScore(StepType t) { return t == StepType::Nps || t == StepType::Csat || t == StepType::Ces; }

std::string str(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

Result<Survey, std::string> Survey::load(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return Fail(file.string() + ": cannot open survey file");
    std::stringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), file.string());
}

Result<Survey, std::string> Survey::parse(const std::string& text, const std::string& name) {
    const auto json = nlohmann::json::parse(text, nullptr, false);
    if (json.is_discarded() || !json.is_object()) return Fail(name + ": not a JSON object");
    Survey s;
    s.id = str(json, "id");
    s.titleKey = str(json, "titleKey");
    if (s.id.empty()) return Fail(name + ": \"id\" is required");
    if (const auto v = json.find("version"); v != json.end()) {
        if (!v->is_number_integer() || v->get<int>() < 1) return Fail(name + ": \"version\" must be an integer >= 1");
        s.version = v->get<int>();
    }
    const auto steps = json.find("steps");
    if (steps == json.end() || !steps->is_array() || steps->empty()) {
        return Fail(name + ": \"steps\" must be a non-empty array");
    }
    std::map<std::string, StepType> seen;
    for (const auto& js : *steps) {
        if (!js.is_object()) return Fail(name + ": every step must be an object");
        SurveyStep step;
        step.id = str(js, "id");
        const std::string where = name + ": step \"" + step.id + "\": ";
        if (step.id.empty()) return Fail(name + ": a step has no \"id\"");
        if (seen.count(step.id)) return Fail(where + "duplicate id");
        const auto type = stepTypeFrom(str(js, "type"));
        if (!type) return Fail(where + "\"type\" must be nps, csat, ces, choice or comment");
        step.type = *type;
        step.questionKey = str(js, "questionKey");
        if (step.questionKey.empty()) return Fail(where + "\"questionKey\" is required");
        step.optional = js.value("optional", step.type == StepType::Choice || step.type == StepType::Comment);
        step.multi = js.value("multi", false);
        if (step.type == StepType::Choice) {
            const auto opts = js.find("options");
            if (opts == js.end() || !opts->is_array() || opts->empty()) return Fail(where + "a choice needs options");
            for (const auto& o : *opts) {
                ChoiceOption opt{str(o, "id"), str(o, "labelKey")};
                if (opt.id.empty() || opt.labelKey.empty()) return Fail(where + "every option needs id and labelKey");
                step.options.push_back(std::move(opt));
            }
        }
        if (const auto w = js.find("when"); w != js.end()) {
            StepCondition c;
            c.stepId = str(*w, "step");
            const auto ref = seen.find(c.stepId);
            if (ref == seen.end() || !isScore(ref->second)) {
                return Fail(where + "\"when.step\" must name an earlier nps/csat/ces step");
            }
            c.min = w->value("min", 0);
            c.max = w->value("max", 10);
            if (c.min > c.max) return Fail(where + "\"when.min\" is above \"when.max\"");
            step.when = c;
        }
        seen[step.id] = step.type;
        s.steps.push_back(std::move(step));
    }
    if (s.steps.front().when) return Fail(name + ": the first step cannot be conditional");
    return s;
}

std::vector<std::string> Survey::translationKeys() const {
    std::vector<std::string> keys;
    if (!titleKey.empty()) keys.push_back(titleKey);
    for (const auto& step : steps) {
        keys.push_back(step.questionKey);
        for (const auto& o : step.options) keys.push_back(o.labelKey);
    }
    return keys;
}

SurveyRun::SurveyRun(const Survey& survey) : m_survey(&survey) {}

const SurveyStep& SurveyRun::current() const { return m_survey->steps.at(m_index); }

bool SurveyRun::visible(const SurveyStep& step) const {
    if (!step.when) return true;
    const auto it = m_scores.find(step.when->stepId);
    return it != m_scores.end() && it->second >= step.when->min && it->second <= step.when->max;
}

std::pair<int, int> SurveyRun::position() const {
    int pos = 0;
    int count = 0;
    for (std::size_t i = 0; i < m_survey->steps.size(); ++i) {
        if (!visible(m_survey->steps[i])) continue;
        ++count;
        if (i <= m_index) pos = count;
    }
    return {pos, count};
}

void SurveyRun::setScore(int score) {
    const auto& step = current();
    if (!isScore(step.type) || score < step.minScore() || score > step.maxScore()) return;
    m_scores[step.id] = score;
}

void SurveyRun::toggleOption(const std::string& optionId) {
    const auto& step = current();
    if (step.type != StepType::Choice) return;
    bool known = false;
    for (const auto& o : step.options) known = known || o.id == optionId;
    if (!known) return;
    auto& picks = m_picks[step.id];
    if (picks.erase(optionId) != 0) return;
    if (!step.multi) picks.clear();
    picks.insert(optionId);
}

void SurveyRun::setComment(std::string comment) {
    wipeString(m_comment);
    m_comment = std::move(comment);
}

std::optional<int> SurveyRun::score(const std::string& stepId) const {
    const auto it = m_scores.find(stepId);
    return it == m_scores.end() ? std::nullopt : std::optional<int>(it->second);
}

bool SurveyRun::isPicked(const std::string& optionId) const {
    const auto it = m_picks.find(current().id);
    return it != m_picks.end() && it->second.count(optionId) != 0;
}

bool SurveyRun::currentAnswered() const {
    const auto& step = current();
    switch (step.type) {
        case StepType::Nps:
        case StepType::Csat:
        case StepType::Ces: return m_scores.count(step.id) != 0;
        case StepType::Choice: {
            const auto it = m_picks.find(step.id);
            return it != m_picks.end() && !it->second.empty();
        }
        case StepType::Comment: return !m_comment.empty();
    }
    return false;
}

bool SurveyRun::advance() {
    for (std::size_t i = m_index + 1; i < m_survey->steps.size(); ++i) {
        if (visible(m_survey->steps[i])) {
            m_index = i;
            return true;
        }
    }
    return false;
}

bool SurveyRun::back() {
    for (std::size_t i = m_index; i-- > 0;) {
        if (visible(m_survey->steps[i])) {
            m_index = i;
            return true;
        }
    }
    return false;
}

bool SurveyRun::isLast() const {
    for (std::size_t i = m_index + 1; i < m_survey->steps.size(); ++i) {
        if (visible(m_survey->steps[i])) return false;
    }
    return true;
}

bool SurveyRun::hasAnyAnswer() const {
    if (!m_scores.empty() || !m_comment.empty()) return true;
    for (const auto& [id, picks] : m_picks) {
        if (!picks.empty()) return true;
    }
    return false;
}

event::FeedbackAnswers SurveyRun::answers() const {
    event::FeedbackAnswers a;
    a.surveyId = m_survey->id;
    a.surveyVersion = m_survey->version;
    a.lastStep = current().id;
    for (const auto& step : m_survey->steps) {
        if (!visible(step)) continue;
        switch (step.type) {
            case StepType::Nps: a.nps = score(step.id); break;
            case StepType::Csat: a.csat = score(step.id); break;
            case StepType::Ces: a.ces = score(step.id); break;
            case StepType::Choice:
                if (const auto it = m_picks.find(step.id); it != m_picks.end()) {
                    // Keep the survey's option order, not the set's, so reports read naturally.
                    for (const auto& o : step.options) {
                        if (it->second.count(o.id)) a.reasons.push_back(o.id);
                    }
                }
                break;
            case StepType::Comment: a.comment = m_comment; break;
        }
    }
    return a;
}

void SurveyRun::wipe() {
    wipeString(m_comment);
    m_scores.clear();
    m_picks.clear();
    m_index = 0;
}

}  // namespace touchpoint::kiosk
