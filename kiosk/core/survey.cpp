#include "survey.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "wipe.hpp"

namespace touchpoint::kiosk {

Result<Survey, std::string> loadSurvey(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) return Fail(file.string() + ": cannot open survey file");
    std::stringstream ss;
    ss << in.rdbuf();
    return parseSurvey(ss.str(), file.string());
}

Result<Survey, std::string> parseSurvey(const std::string& text, const std::string& name) {
    const auto json = nlohmann::json::parse(text, nullptr, false);
    if (json.is_discarded()) return Fail(name + ": not valid JSON");
    auto survey = Survey::fromJson(json, name);
    if (!survey) return Fail(content::formatErrors(survey.error()));
    return std::move(*survey);
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
    if (!content::isScore(step.type) || score < step.minScore() || score > step.maxScore()) return;
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
