#pragma once
// What the hub knows of each ingest source (a kiosk token or a write key, by token name): when it was last
// heard, its hourly accepted/duplicate/rejected counts and its latest rejected messages (HubStore::sources,
// the dashboard's Sources page). Kept in the store so several hub processes sharing a database agree.

#include <cstdint>
#include <string>
#include <vector>

namespace touchpoint::hub {

inline constexpr std::int64_t kSourceHourMs = 3'600'000;
/// Rejected messages kept per source; older ones are dropped as new ones arrive.
inline constexpr std::size_t kSourceRejectionsKept = 50;
/// Hourly counts older than this are dropped.
inline constexpr std::int64_t kSourceHoursKeptMs = 7 * 24 * kSourceHourMs;

struct SourceRejection {
    std::int64_t atMs = 0;
    std::string messageId;      ///< as sent, bounded
    std::string reason;         ///< the receipt's reason
    std::string maskedPayload;  ///< the message with personal data masked, cut to a bounded size
};

struct SourceHour {
    std::int64_t hourMs = 0;  ///< start of the UTC hour
    std::int64_t accepted = 0, duplicate = 0, rejected = 0;
};

/// One process's news about a source since its last write: added to what the store has.
struct SourceDelta {
    std::string source;
    std::int64_t lastSeenMs = 0;
    std::string library;  ///< the latest context.library seen, "" when none
    std::vector<SourceHour> hours;
    std::vector<SourceRejection> rejections;  ///< oldest first
};

struct SourceRecord {
    std::string source;
    std::int64_t lastSeenMs = 0;
    std::string library;
    std::vector<SourceHour> hours;            ///< oldest first
    std::vector<SourceRejection> rejections;  ///< newest first
};

}  // namespace touchpoint::hub
