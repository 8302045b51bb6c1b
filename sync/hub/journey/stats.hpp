#pragma once
// GET /v1/stats: NPS, CSAT and CES with 95% intervals per store and per UTC day, from rows the store reads.
// Pure, so the numbers are checked on a known data set without a server.

#include <optional>
#include <string>

#include "hub/journey/stats_data.hpp"
#include "hub/journey/stats_report.hpp"

namespace touchpoint::hub {

inline constexpr std::size_t kRecentComments = 20;

/// The report for the rows of a range (`store` set when the rows were filtered to one store). Comments are
/// masked here, so nothing that reads a report sees an e-mail address or phone number.
StatsReport computeStats(const StatsData& data, const std::string& fromDay, const std::string& toDay,
                         const std::optional<std::string>& store);

/// Two-sided 95% Student t critical value for `df` degrees of freedom (1.96 beyond 30).
double tCritical95(std::int64_t df);

}  // namespace touchpoint::hub
