#pragma once
// Surveys are data, not code (sync/content/survey.hpp: the model, shared with the hub's publishing). The kiosk
// reads its built-in survey from assets/surveys/<id>.json, or takes the one head office published; this file adds
// one shopper's way through it.

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "common/result.hpp"
#include "content/survey.hpp"
#include "event/kiosk_events.hpp"

namespace touchpoint::kiosk {

using content::ChoiceOption;
using content::StepCondition;
using content::StepType;
using content::Survey;
using content::SurveyStep;

/// Reads and checks a survey file; every problem on its own line, each naming the file, the path and the step.
Result<Survey, std::string> loadSurvey(const std::filesystem::path& file);
Result<Survey, std::string> parseSurvey(const std::string& json, const std::string& nameForErrors);

/// One shopper's way through a survey: answers so far, the current step, branching.
class SurveyRun {
public:
    explicit SurveyRun(const Survey& survey);

    const SurveyStep& current() const;
    std::size_t currentIndex() const { return m_index; }
    /// 1-based position among the steps visible with the answers so far, and their count.
    std::pair<int, int> position() const;

    void setScore(int score);              ///< on a score step; out-of-range values are ignored
    void toggleOption(const std::string& optionId);
    void setComment(std::string comment);
    std::string& commentBuffer() { return m_comment; }
    const std::string& comment() const { return m_comment; }

    std::optional<int> score(const std::string& stepId) const;
    bool isPicked(const std::string& optionId) const;
    bool currentAnswered() const;
    bool canAdvance() const { return currentAnswered() || current().optional; }
    /// Moves to the next visible step; false when the current step is the last one.
    bool advance();
    bool back();
    bool isLast() const;
    bool hasAnyAnswer() const;

    /// Answers of the steps still visible (a branch abandoned by changing the score is left out).
    event::FeedbackAnswers answers() const;
    /// Overwrites the comment and forgets every answer (session wipe).
    void wipe();

private:
    bool visible(const SurveyStep& step) const;

    const Survey* m_survey;
    std::size_t m_index = 0;
    std::map<std::string, int> m_scores;                 // step id -> score
    std::map<std::string, std::set<std::string>> m_picks; // step id -> option ids
    std::string m_comment;
};

}  // namespace touchpoint::kiosk
