#pragma once
// Surveys are data (assets/surveys/<id>.json), not code: a list of steps, each an NPS 0-10, CSAT 1-5,
// CES 1-7, a choice list or a free comment, optionally shown only when an earlier score falls in a range
// ("when": {"step": "nps", "max": 6}). Texts are translation keys so every language covers them.

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "event/kiosk_events.hpp"

namespace touchpoint::kiosk {

enum class StepType { Nps, Csat, Ces, Choice, Comment };
std::string_view toString(StepType type);

struct ChoiceOption {
    std::string id;        ///< recorded in answers.reasons
    std::string labelKey;  ///< translation key
};

/// A step is shown only if the earlier score step `stepId` was answered within [min, max].
struct StepCondition {
    std::string stepId;
    int min = 0;
    int max = 10;
};

struct SurveyStep {
    std::string id;
    StepType type = StepType::Nps;
    std::string questionKey;
    bool optional = false;        ///< may be skipped (choices and comments default to optional)
    bool multi = false;           ///< choice: several options may be picked
    std::vector<ChoiceOption> options;
    std::optional<StepCondition> when;

    int minScore() const;
    int maxScore() const;
};

struct Survey {
    std::string id;
    int version = 1;
    std::string titleKey;
    std::vector<SurveyStep> steps;

    /// Reads and checks a survey file: unique step ids, conditions that refer to an earlier score step,
    /// options on choice steps. Errors name the file and the step.
    static Result<Survey, std::string> load(const std::filesystem::path& file);
    static Result<Survey, std::string> parse(const std::string& json, const std::string& nameForErrors);
    /// Every translation key the survey uses.
    std::vector<std::string> translationKeys() const;
};

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
