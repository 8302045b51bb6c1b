#pragma once
// The rows statistics are computed from (journey/stats.hpp), as the store reads them (HubStore::statsData).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace touchpoint::hub {

/// The highest survey version an answer can carry; the same bound as a published survey's
/// (content::kMaxSurveyVersion). An answer whose version is missing or outside 1..this is stored as 0, unknown.
inline constexpr std::int64_t kMaxSurveyVersion = 1'000'000;
/// The version stored for an answer that did not say which survey version it answered.
inline constexpr std::int64_t kUnknownSurveyVersion = 0;

/// Which answers figures are computed from: every answer, one survey's (all its versions), or one version of
/// one survey (GET /v1/stats ?survey=&surveyVersion=).
struct SurveyFilter {
    std::optional<std::string> surveyId;
    std::optional<std::int64_t> version;  ///< only with surveyId; kUnknownSurveyVersion selects unknown ones
    bool any() const { return surveyId.has_value(); }
    bool operator==(const SurveyFilter&) const = default;
};

/// How many answers of one version of one survey a range holds.
struct SurveyVersionCount {
    std::string surveyId;
    std::int64_t version = kUnknownSurveyVersion;
    std::int64_t responses = 0;  ///< submitted answers (abandoned ones are not scored)
    bool operator==(const SurveyVersionCount&) const = default;
};

/// One feedback row for statistics (days are UTC "YYYY-MM-DD").
struct FeedbackRow {
    std::string day;
    std::string store;
    std::int64_t atMs = 0;
    bool abandoned = false;
    bool misuse = false;
    std::optional<int> nps, csat, ces;
    std::vector<std::string> reasons;
    std::optional<std::string> comment;
    std::string surveyId;
    std::int64_t surveyVersion = kUnknownSurveyVersion;
};

struct SigninRow {
    std::string day;
    std::string store;
    bool newMember = false;
};

struct TransitionRow {
    std::string from, to, channel;
    std::int64_t count = 0;
};

struct StatsData {
    std::vector<FeedbackRow> feedback;
    std::vector<SigninRow> signins;
    std::map<std::string, std::int64_t> stages;
    std::vector<TransitionRow> transitions;
    /// With a survey filter: every survey version the range (and store) holds, whatever the filter, so a page can
    /// offer the others. Without one it is left empty: the feedback rows are all of them.
    std::vector<SurveyVersionCount> surveyVersionsInRange;
};

}  // namespace touchpoint::hub
