#pragma once
// What GET /v1/stats reports, typed: computeStats (stats.hpp) makes it, the dashboard builds its tables from
// it, and it becomes JSON only where it is answered (stats_json.hpp).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hub/journey/stats_data.hpp"

namespace touchpoint::hub {

/// A 95% interval, rounded as it is shown.
using Interval = std::pair<double, double>;

struct NpsFigures {
    std::optional<double> score;  ///< −100..100, one decimal; none without responses
    std::int64_t responses = 0, promoters = 0, passives = 0, detractors = 0;
    std::optional<Interval> ci95;
};

struct CsatFigures {
    std::optional<double> score;  ///< % satisfied (4 or 5), one decimal
    std::int64_t responses = 0, satisfied = 0;
    std::optional<Interval> ci95;  ///< Wilson score interval
};

struct CesFigures {
    std::optional<double> mean;  ///< one decimal
    std::int64_t responses = 0;
    std::optional<Interval> ci95;  ///< Student t; needs two responses
};

/// The figures of one group of answers: everything, one store, or one store on one day.
struct GroupFigures {
    NpsFigures nps;
    CsatFigures csat;
    CesFigures ces;
    std::int64_t signins = 0, newMembers = 0, feedbackAbandoned = 0, misuse = 0;
};

struct StoreFigures {
    std::string store;
    GroupFigures figures;
};

struct DayFigures {
    std::string day;    ///< UTC "YYYY-MM-DD"
    std::string store;  ///< "" when the row covers every store
    GroupFigures figures;
};

struct ReasonCount {
    std::string reason;
    std::int64_t count = 0;
};

struct RecentComment {
    std::int64_t atMs = 0;
    std::string store;
    std::optional<int> nps;
    std::string text;  ///< e-mail addresses and phone numbers masked
};

/// Answers of several versions of one survey counted in the same figures. By the hub's rule a survey gets a new
/// version whenever a question or its wording changes, so such figures average a question with its predecessor.
struct MixedSurveyVersions {
    std::string surveyId;
    std::vector<std::int64_t> versions;  ///< ascending; kUnknownSurveyVersion (0) first when some answers had none
    std::string notice;                  ///< one sentence for the page, e.g. "answers from versions 2 and 3 ..."
};

struct StatsReport {
    std::string from, to;
    std::optional<std::string> store;
    GroupFigures overall;
    std::vector<StoreFigures> byStore;  ///< by store id
    std::vector<DayFigures> byDay;      ///< by day, then store
    std::map<std::string, std::int64_t> stages;
    std::vector<TransitionRow> transitions;
    std::vector<ReasonCount> reasons;  ///< most chosen first
    std::vector<RecentComment> recentComments;  ///< newest first
    SurveyFilter surveyFilter;                   ///< which answers the figures are computed from
    std::vector<SurveyVersionCount> surveyVersions;           ///< the versions the figures' answers came from
    std::vector<SurveyVersionCount> availableSurveyVersions;  ///< every version in the range and store, unfiltered
    std::vector<MixedSurveyVersions> mixedSurveyVersions;     ///< surveys whose versions these figures combine
};

}  // namespace touchpoint::hub
