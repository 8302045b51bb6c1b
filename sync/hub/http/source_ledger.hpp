#pragma once
// Per-source ingest bookkeeping between store writes: what each token sent (accepted / duplicate / rejected by
// hour, last seen, latest rejections) is gathered in memory per request and written to the store at most once
// a second (HubStore::recordSources adds, so hub processes sharing a database each add their own share). The
// rejection log is rate-limited here too, per source, so a broken SDK cannot flood the hub's log.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "hub/store/hub_store.hpp"

namespace touchpoint::hub {

class SourceLedger {
public:
    struct Options {
        std::int64_t flushEveryMs = 1000;
        /// Rejection log lines per source per minute; the rest are counted and reported in one line.
        int logLinesPerMinute = 10;
    };

    SourceLedger() = default;
    explicit SourceLedger(Options options) : m_options(options) {}

    /// One request's outcome for `source`. `rejections` beyond kSourceRejectionsKept are dropped (oldest first).
    void record(const std::string& source, std::int64_t nowMs, const std::string& library, std::int64_t accepted,
                std::int64_t duplicate, std::int64_t rejected, std::vector<SourceRejection> rejections);
    /// Writes what was gathered when the last write is at least flushEveryMs old (or `force`). On a store
    /// error the counts are kept for the next try; the error is returned for the caller to log.
    StoreResult<void> flush(HubStore& store, std::int64_t nowMs, bool force = false);

    /// Whether one more rejection line may be logged for `source` now; when a new minute starts after
    /// suppressed lines, `suppressed` is set to how many were held back.
    bool admitLogLine(const std::string& source, std::int64_t nowMs, std::int64_t& suppressed);

private:
    struct LogWindow {
        std::int64_t startMs = 0;
        int lines = 0;
        std::int64_t suppressed = 0;
    };

    Options m_options;
    std::mutex m_mutex;
    std::map<std::string, SourceDelta> m_pending;
    std::int64_t m_lastFlushMs = 0;
    bool m_flushing = false;  ///< one writer at a time; others return and leave it for the next request
    std::map<std::string, LogWindow> m_log;
};

}  // namespace touchpoint::hub
