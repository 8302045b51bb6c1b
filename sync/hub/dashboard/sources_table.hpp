#pragma once
// The Sources page: each ingest token (kiosk token or web/app/server write key) with when it was last heard,
// its counts, and its latest rejected messages, the way Segment's debugger shows what arrived. A source whose
// rejections dominate its latest hour is failing, as a silent kiosk is stale on the fleet page. Pure
// functions over what the store keeps (source_record.hpp).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hub/dashboard/tables.hpp"
#include "hub/store/source_record.hpp"

namespace touchpoint::hub::dashboard {

struct SourceHealth {
    std::string name;
    std::string lastSeen;  ///< RFC 3339 UTC, "" if never
    std::string library;
    std::int64_t accepted = 0, duplicate = 0, rejected = 0;  ///< over the hours given (the last 24)
    std::string status;  ///< "failing", "quiet" (nothing for a day), "never" or "ok"
    std::string why;
};

/// Each source's status, failing ones first, then by name. `records` hold the last 24 hours' counts.
std::vector<SourceHealth> readSources(const std::vector<SourceRecord>& records, std::int64_t nowMs);

/// Adds the "sources", "sourceHours" and "rejections" tables (rejected payloads masked once more).
void addSourceTables(std::map<std::string, Table>& tables, const std::vector<SourceRecord>& records,
                     const std::vector<SourceHealth>& health);

}  // namespace touchpoint::hub::dashboard
