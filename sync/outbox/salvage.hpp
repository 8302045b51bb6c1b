#pragma once
// Reading back what is still readable in a damaged outbox file that was moved aside at start
// ("outbox.db.corrupt-<UTC>"), so `touchpointctl recover` can put those events back in the live queue.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "outbox/outbox.hpp"

namespace touchpoint::outbox {

struct SalvageReport {
    std::vector<SalvagedRow> rows;      ///< every pending row that could be read, oldest first
    std::int64_t unreadable = 0;        ///< row ids that were expected but could not be read (or failed checks)
    std::vector<std::string> problems;  ///< what could not be read and why, one line each (bounded)
    std::int64_t deadLetters = 0;       ///< dead letters in the file (the hub refused them: not re-enqueued)
};

/// Reads every readable pending row of `path` (and its "-wal" beside it, if any). The file itself is never
/// opened for writing: a copy in a temporary directory is read, so the evidence stays as it was. Fails only
/// when not even the schema can be read. Rows that do not check out (payload not JSON, messageId differing
/// from its column) count as unreadable.
Result<SalvageReport, std::string> salvageOutbox(const std::filesystem::path& path);

struct RecoverReport {
    std::filesystem::path file;
    std::int64_t read = 0;            ///< readable pending rows in the file
    std::int64_t reenqueued = 0;
    std::int64_t alreadyPresent = 0;  ///< the live outbox holds it already (an earlier recover, or never lost)
    std::int64_t unreadable = 0;
    std::int64_t refused = 0;         ///< the live outbox's byte budget turned it away
    std::int64_t deadLetters = 0;     ///< in the file, not re-enqueued (the hub refused them once)
    std::vector<std::string> problems;
};

/// salvageOutbox + Outbox::importSalvaged: every readable event of `file` back in `live`, messageIds
/// unchanged, so however often it runs the hub keeps each event once. `file` is left as it was; when nothing
/// readable was refused, "<file>.recovered" records that it was (see pendingRecovery).
Result<RecoverReport, std::string> recoverInto(Outbox& live, const std::filesystem::path& file);

/// Moved-aside outbox files next to the live one ("<name>.corrupt-*", not their -wal/-shm or their
/// ".recovered" record), oldest first.
std::vector<std::filesystem::path> findMovedAside(const std::filesystem::path& liveOutbox);

/// The moved-aside files whose readable events have not all been put back yet (no ".recovered" record):
/// what staff mode offers to recover.
std::vector<std::filesystem::path> pendingRecovery(const std::filesystem::path& liveOutbox);

}  // namespace touchpoint::outbox
