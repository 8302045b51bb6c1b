#pragma once
// The JSON shape of a stats report, as docs/PROTOCOL.md gives it for GET /v1/stats (missing figures are null).

#include <nlohmann/json.hpp>

#include "hub/journey/stats_report.hpp"

namespace touchpoint::hub {

nlohmann::json toJson(const GroupFigures& figures);
nlohmann::json toJson(const StatsReport& report);

}  // namespace touchpoint::hub
