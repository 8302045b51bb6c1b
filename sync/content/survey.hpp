#pragma once
// A survey as data: a list of steps, each an NPS 0-10, CSAT 1-5, CES 1-7, a choice list or a free comment,
// optionally shown only when an earlier score falls in a range ("when": {"step": "nps", "max": 6}). Texts are
// translation keys so every language covers them. The kiosk reads surveys from its built-in assets
// (assets/surveys/<id>.json) or from the document head office publishes (fleet_document.hpp); the hub checks a
// published survey with this same code.

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/result.hpp"

namespace touchpoint::content {

enum class StepType { Nps, Csat, Ces, Choice, Comment };
std::string_view toString(StepType type);
bool isScore(StepType type);

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
    bool optional = false;  ///< may be skipped (choices and comments default to optional)
    bool multi = false;     ///< choice: several options may be picked
    std::vector<ChoiceOption> options;
    std::optional<StepCondition> when;

    int minScore() const;
    int maxScore() const;
};

/// One problem in a document, where it is and what is wrong:
/// {"survey.steps[2].options[0].labelKey", "language \"es\" has no text for \"survey.opt.stock\""}.
struct ContentError {
    std::string path;
    std::string message;
    std::string format() const;  ///< "<path>: <message>"
};
using ContentErrors = std::vector<ContentError>;
/// Every error, one per line.
std::string formatErrors(const ContentErrors& errors);

struct Survey {
    std::string id;
    int version = 1;
    std::string titleKey;
    std::vector<SurveyStep> steps;

    /// Reads and checks a survey: unique step ids, conditions that refer to an earlier score step, options on
    /// choice steps, bounded sizes. Every problem is reported, each with its path under `pathPrefix`.
    static Result<Survey, ContentErrors> fromJson(const nlohmann::json& json, const std::string& pathPrefix);
    nlohmann::json toJson() const;
    /// Every translation key the survey uses, in order of appearance, each once.
    std::vector<std::string> translationKeys() const;
    /// Same steps, options, branching and keys (the version is not compared).
    bool sameQuestions(const Survey& other) const;
};

/// Bounds on what a survey may hold (a document arrives from the network).
inline constexpr std::size_t kMaxSteps = 32;
inline constexpr std::size_t kMaxOptions = 24;
inline constexpr std::size_t kMaxIdBytes = 64;  ///< ids and keys: [A-Za-z0-9_.-], 1..64 bytes
/// A survey's version: 1..kMaxSurveyVersion (the hub reads answers' versions with the same bound).
inline constexpr int kMaxSurveyVersion = 1'000'000;

}  // namespace touchpoint::content
