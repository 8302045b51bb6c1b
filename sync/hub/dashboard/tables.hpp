#pragma once
// The tables the dashboard shows, built from the hub's stats report and its kiosk records. The page renders
// these rows as they are and the "Download CSV" links serve the same rows, so a CSV always matches the screen.
// Pure functions: no server, no store, easy to test.

#include <cstdint>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "hub/ingest/personal_text.hpp"
#include "hub/journey/stats_report.hpp"
#include "hub/store/kiosk_record.hpp"

namespace touchpoint::hub::dashboard {

struct Table {
    std::string title;
    std::vector<std::string> columns;
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> rowClass;  ///< per row: "" or a highlight ("total", "stale", "failing", "highlight")
};

nlohmann::json toJson(const Table& table);
/// RFC 4180 CSV with a header row, CRLF line ends. Text that a spreadsheet would run as a formula
/// (leading = + @, or - not followed by a digit) is prefixed with ' so opening the file is safe.
std::string toCsv(const Table& table);

// The hub masks comments already; the dashboard masks again with the same function (hub::maskPersonalText,
// found from this namespace) so nothing personal reaches a screen if it did not.

/// When a kiosk counts as stale or failing on the fleet page.
struct FleetThresholds {
    std::int64_t staleAfterMs = 15 * 60 * 1000;          ///< no heartbeat for this long
    std::int64_t oldestPendingFailMs = 60 * 60 * 1000;   ///< an event waiting this long means uploads fail
    std::int64_t clockOffsetFlagMs = 5 * 60 * 1000;      ///< the hub's skew flag threshold
};

/// One kiosk as the fleet table shows it, from what the hub knows of it.
struct KioskHealth {
    std::string kioskId;
    std::string storeId;
    std::string lastSeen;  ///< RFC 3339 UTC, "" if never
    std::int64_t lastSeenMs = 0;
    std::string appVersion;
    std::int64_t queueDepth = 0;
    std::int64_t oldestPendingS = 0;
    std::int64_t clockOffsetMs = 0;
    std::int64_t drops = 0;  ///< all reasons together
    std::int64_t deadLetters = 0;
    std::int64_t welcomeLookups = 0;  ///< welcome lookups its kiosk token made (audited by the hub)
    bool clockFlagged = false;
    std::string status;  ///< "ok", "stale" or "failing"
    std::string why;     ///< what made it stale or failing
};
/// Each kiosk's status and why, problems first, then the longest silent.
std::vector<KioskHealth> readFleet(const std::vector<KioskRecord>& fleet, std::int64_t nowMs,
                                   const FleetThresholds& thresholds);

/// Per-day series for the selected scope: one row per day of `days`, in order (`store` left empty).
/// `perDay` maps "YYYY-MM-DD" to that day's figures; days without an entry get zero counts.
std::vector<DayFigures> dailySeries(const std::vector<std::string>& days,
                                    const std::map<std::string, GroupFigures>& perDay);

/// Every table of the dashboard by name: scores, daily, stages, transitions, reasons, comments, fleet.
std::map<std::string, Table> buildTables(const StatsReport& stats, const std::vector<DayFigures>& daily,
                                         const std::vector<KioskHealth>& fleet);

/// Fleet counts for the summary tiles: kiosks, ok, stale, failing.
nlohmann::json fleetSummary(const std::vector<KioskHealth>& fleet);

/// "12.3" (one decimal, as on screen); "" for a missing value.
std::string formatDecimal(std::optional<double> value, int digits);

}  // namespace touchpoint::hub::dashboard
