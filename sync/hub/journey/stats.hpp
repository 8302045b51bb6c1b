#pragma once
// GET /v1/stats: NPS, CSAT and CES with 95% intervals per store and per UTC day, from rows the store reads.
// Pure, so the numbers are checked on a known data set without a server.

#include <optional>
#include <string>

#include "common/result.hpp"
#include "hub/journey/stats_data.hpp"
#include "hub/journey/stats_report.hpp"

namespace touchpoint::hub {

inline constexpr std::size_t kRecentComments = 20;

/// The report for the rows of a range (`store` set when the rows were filtered to one store, `survey` when they
/// were filtered to one survey or survey version). Comments are masked here, so nothing that reads a report
/// sees an e-mail address or phone number. The report lists the survey versions its answers came from and
/// names every survey whose versions it combines (docs/PROTOCOL.md, GET /v1/stats).
StatsReport computeStats(const StatsData& data, const std::string& fromDay, const std::string& toDay,
                         const std::optional<std::string>& store, const SurveyFilter& survey = {});

/// Checks the `survey` and `surveyVersion` query parameters (absent or empty = not given): a survey id of
/// 1..64 characters [A-Za-z0-9_.-], and a version of 0 (answers that did not say) to kMaxSurveyVersion in plain
/// digits, only together with a survey (versions are numbered per survey). The error names the parameter.
Result<SurveyFilter, std::string> parseSurveyFilter(const std::string& survey, const std::string& surveyVersion);

/// The sentence a page shows for figures that combine several versions of one survey.
std::string mixedVersionsNotice(const std::string& surveyId, const std::vector<std::int64_t>& versions);

/// Two-sided 95% Student t critical value for `df` degrees of freedom (1.96 beyond 30).
double tCritical95(std::int64_t df);

}  // namespace touchpoint::hub
