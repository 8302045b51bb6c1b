#pragma once
// The durable touchpoint outbox: one SQLite file (WAL, synchronous=FULL) that holds every event a kiosk has
// captured until the hub acknowledges it. enqueue() returns only after COMMIT, so a tap is on disk before
// the shopper sees "thank you". The kiosk UI and a separate sync service may open the same file at once.
//
// Thread-safety: one Outbox object may be used from several threads (calls are serialised on an internal
// mutex), but the UI thread and the uploader thread should each open their own Outbox on the same file so
// that a slow batch read never holds the UI's enqueue.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "event/message.hpp"

namespace touchpoint::outbox {

enum class OutboxErrc {
    Full,         ///< over the byte budget and nothing lower-priority left to evict (sign-in/consent refused)
    DiskFull,     ///< SQLITE_FULL from the filesystem
    ReadOnly,     ///< read-only file or filesystem, or no permission
    Busy,         ///< another process held the write lock longer than busy_timeout
    TooLarge,     ///< a message above event::kMaxMessageBytes
    Corrupt,      ///< the file became corrupt while open (recovery happens at the next open)
    NotFound,     ///< no such dead letter / row
    Invalid,      ///< bad argument (empty messageId, ...)
    Io,           ///< any other SQLite or filesystem error
};
std::string_view toString(OutboxErrc code);

struct OutboxError {
    OutboxErrc code = OutboxErrc::Io;
    std::string message;  ///< one line a person can read; the UI shows it, the CLI prints it
    int sqliteCode = 0;
};

template <class T>
using OutboxResult = Result<T, OutboxError>;

struct OutboxOptions {
    std::filesystem::path path;
    std::int64_t byteBudget = 512LL * 1024 * 1024;  ///< payload bytes of pending rows
    int busyTimeoutMs = 5000;
    const Clock* clock = nullptr;                    ///< nullptr: SystemClock
    /// Fault injection for tests: caps the file at this many pages (PRAGMA max_page_count) so a "disk full"
    /// can be produced without filling a real disk. 0: no cap.
    std::int64_t maxPageCount = 0;
};

/// What open() found and did, for logs and the recovery counter.
struct OpenReport {
    bool recovered = false;                 ///< the file was corrupt and was moved aside
    std::filesystem::path movedAsideTo;     ///< where the evidence went ("outbox.db.corrupt-20261123T034045Z")
    std::string recoveryReason;
    int migratedFromVersion = 0;            ///< 0 for a fresh file
};

struct EnqueueReceipt {
    std::int64_t rowId = 0;
    std::int64_t sequence = 0;              ///< the per-device sequence written into context.sequence
    std::size_t bytes = 0;
    std::vector<std::string> evictedReasons; ///< one entry per row evicted to make room ("evicted_heartbeat")
};

/// A pending row as the uploader reads it. `payload` is the message JSON as captured (sealed fields sealed);
/// the uploader adds sentAt at send time.
struct PendingEvent {
    std::int64_t rowId = 0;
    std::string messageId;
    event::EventKind kind = event::EventKind::Other;
    std::string payload;
    std::int64_t createdMs = 0;
    int attempts = 0;
};

/// The hub's answer for one message.
struct Receipt {
    enum class Status { Accepted, Duplicate, Rejected };
    std::string messageId;
    Status status = Status::Accepted;
    std::string reason;  ///< for Rejected
};

struct DeadLetter {
    std::int64_t id = 0;
    std::string messageId;
    event::EventKind kind = event::EventKind::Other;
    std::string payload;
    std::string reason;
    int lastStatus = 0;       ///< HTTP status of the last attempt (0: none)
    int attempts = 0;
    std::int64_t firstAttemptMs = 0;
    std::int64_t lastAttemptMs = 0;
};

struct OutboxStats {
    std::int64_t pendingCount = 0;
    std::int64_t pendingBytes = 0;
    std::optional<std::int64_t> oldestPendingMs;  ///< capture time of the oldest pending row
    std::int64_t deadLetterCount = 0;
    std::map<std::string, std::int64_t> deadLettersByReason;
    std::map<std::string, std::int64_t> counters;  ///< drops by reason, evictions, recoveries, purges
    std::int64_t byteBudget = 0;
};

/// One pending row read back from a damaged, moved-aside outbox file (`salvage.hpp`): the payload exactly as it
/// was captured (same messageId, so the hub's dedupe keeps it once) and the row's local columns.
struct SalvagedRow {
    std::string messageId;
    std::string kind;
    int priority = 0;
    std::string payload;
    std::vector<std::string> identityHashes;  ///< so a later erasure request still finds the row
    std::int64_t createdMs = 0;
};

struct ImportCounts {
    std::int64_t reenqueued = 0;
    std::int64_t alreadyPresent = 0;  ///< the live outbox already holds (or dead-lettered) that messageId
    std::int64_t refused = 0;         ///< the byte budget or the size limit turned it away (counted as usual)
    std::vector<std::string> refusals;
};

class Outbox {
public:
    /// Opens or creates the file, applies PRAGMAs and migrations. A file that is not a database or fails
    /// quick_check is renamed aside (with its -wal/-shm) and a fresh one started; never deleted.
    static OutboxResult<std::unique_ptr<Outbox>> open(const OutboxOptions& options, OpenReport* report = nullptr);
    ~Outbox();
    Outbox(const Outbox&) = delete;
    Outbox& operator=(const Outbox&) = delete;

    /// Assigns the next per-device sequence into message.context.sequence, evicts lower-priority rows if the
    /// budget requires it, inserts and COMMITs (synchronous=FULL) before returning.
    OutboxResult<EnqueueReceipt> enqueue(event::Message& message);
    /// enqueue() for many messages in one transaction (bulk import, benchmark back-fill): all or nothing; the
    /// first refused message fails the whole call and nothing is stored.
    OutboxResult<std::vector<EnqueueReceipt>> enqueueBatch(std::vector<event::Message>& messages);

    /// Oldest-first pending rows whose payloads add up to at most maxBytes (at least one row if any is
    /// pending and fits kMaxMessageBytes), at most maxEvents rows. A read transaction only: never blocks
    /// enqueue in another connection (WAL).
    OutboxResult<std::vector<PendingEvent>> readBatch(std::size_t maxBytes, std::size_t maxEvents);

    /// In one transaction: deletes accepted and duplicate rows, moves rejected ones to the dead-letter table
    /// (reason from the receipt, lastStatus = httpStatus), counts rejections by reason.
    OutboxResult<void> applyReceipts(const std::vector<Receipt>& receipts, int httpStatus);
    /// Moves the given pending rows to the dead-letter table with a reason (poison messages isolated by
    /// batch splitting: a 4xx for a batch of one).
    OutboxResult<void> deadLetter(const std::vector<std::string>& messageIds, const std::string& reason,
                                  int httpStatus);
    /// Records a failed attempt for these rows (attempts += 1, last attempt time) without removing them.
    OutboxResult<void> noteAttempt(const std::vector<std::int64_t>& rowIds);

    /// Re-enqueues salvaged rows with their payloads unchanged (new local sequence numbers, the old
    /// messageIds); a row whose messageId is already here is skipped. Durable commits of a few hundred rows.
    OutboxResult<ImportCounts> importSalvaged(const std::vector<SalvagedRow>& rows);
    OutboxResult<OutboxStats> stats();
    OutboxResult<std::vector<PendingEvent>> listPending(std::size_t limit);
    OutboxResult<std::vector<DeadLetter>> listDeadLetters(std::size_t limit);
    /// Moves a dead letter (or all, when id is empty) back to pending, keeping its original order key.
    OutboxResult<std::int64_t> replayDeadLetters(std::optional<std::int64_t> id);
    /// Deletes a dead letter (or all); counted as a drop with reason "dead_letter_dropped".
    OutboxResult<std::int64_t> dropDeadLetters(std::optional<std::int64_t> id);

    /// Erasure: deletes every pending and dead-letter row carrying this keyed identity hash. Returns the count.
    OutboxResult<std::int64_t> purgeIdentity(const std::string& identityHash);
    /// True if a sign-in by this identity hash was captured at or after sinceMs (local cooldown check; looks
    /// at pending rows and at the recent sign-in log the outbox keeps after upload).
    OutboxResult<bool> signedInSince(const std::string& identityHash, std::int64_t sinceMs);

    const std::filesystem::path& path() const;

private:
    struct Impl;
    explicit Outbox(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace touchpoint::outbox
