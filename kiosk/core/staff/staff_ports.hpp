#pragma once
// What staff mode needs from the rest of the kiosk, as small interfaces: the outbox's dead letters, the
// outbox as the audit trail's sink, the hub's lookup endpoint and the offline status cache (SyncControl, the
// uploader's, is in sync_health.hpp). The kiosk app adapts the real outbox, HTTPS client, SQLite cache and
// uploader to them (kiosk/app/staff_*.hpp, uploader_sync.hpp); unit tests use fakes. Nothing here names a
// library: staff core depends on these ports only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "event/message.hpp"
#include "staff/loyalty_status.hpp"

namespace touchpoint::kiosk::staff {

struct DeadLetterRow {
    std::int64_t id = 0;
    std::string kind;              ///< "signin", "feedback", ...
    std::string reason;            ///< the hub's rejection reason, as recorded
    int lastStatus = 0;
    int attempts = 0;
    std::int64_t lastAttemptUtcMs = 0;
};

class DeadLetterStore {
public:
    virtual ~DeadLetterStore() = default;
    virtual Result<std::vector<DeadLetterRow>, std::string> list(std::size_t limit) = 0;
    /// One dead letter back to pending (all when id is empty); returns how many moved.
    virtual Result<std::int64_t, std::string> replay(std::optional<std::int64_t> id) = 0;
    /// Deletes one (or all), counted as a drop; returns how many.
    virtual Result<std::int64_t, std::string> drop(std::optional<std::int64_t> id) = 0;
};

/// Where staff audit events go: durably, before the lookup is sent.
class AuditSink {
public:
    virtual ~AuditSink() = default;
    virtual Result<void, std::string> record(event::Message& message) = 0;
};

/// What putting the set-aside files' events back in the queue did, summed over the files.
struct RecoveryOutcome {
    std::int64_t files = 0;
    std::int64_t reenqueued = 0;
    std::int64_t alreadyPresent = 0;  ///< in the queue already (recovered before, or never lost)
    std::int64_t unreadable = 0;
    std::int64_t refused = 0;         ///< the queue's byte budget turned them away (the file stays on offer)
};

/// Damaged outbox files that were moved aside at start, and putting their readable events back in the live
/// queue with their message ids unchanged (the hub keeps each once, however often this runs).
class OutboxRecovery {
public:
    virtual ~OutboxRecovery() = default;
    /// How many set-aside files still hold events that are not back in the queue. Cheap: the UI thread calls it.
    virtual std::int64_t pendingFiles() = 0;
    /// Recovers every pending file. Called on the staff worker thread only.
    virtual Result<RecoveryOutcome, std::string> recoverAll() = 0;
};

/// Why the hub gave no fresh answer, in the terms the sync health screen uses.
enum class LookupProblem {
    None,
    Offline,
    Certificate,
    ClockWrong,
    TokenRejected,
    TooManyLookups,  ///< the hub's limit on one staff token's lookups (429): wait a little, then try again
    HubError,
    BadReply,
    NotConfigured
};
std::string_view toString(LookupProblem problem);

/// The hub's HTTP answer to a lookup (any status: the service reads 200, 404, 401/403 and the rest).
struct LookupReply {
    long status = 0;
    std::string body;
};
/// No HTTP answer at all, and why, already in staff terms (Offline, Certificate, ClockWrong, ...).
struct LookupFailure {
    LookupProblem problem = LookupProblem::Offline;
    std::string message;  ///< for logs and the "details" line; never holds the identifier
};

/// The HTTP GET a lookup needs. Called on the staff worker thread only.
class LookupTransport {
public:
    virtual ~LookupTransport() = default;
    virtual Result<LookupReply, LookupFailure> get(std::string_view pathAndQuery, std::string_view bearerToken) = 0;
    /// Percent-encodes a query value.
    virtual std::string escape(std::string_view value) const = 0;
};

struct CachedStatus {
    LoyaltyStatus status;
    std::int64_t fetchedUtcMs = 0;
};

/// The last known loyalty status per shopper, keyed by the keyed identity hash (never a phone, email or
/// member number). Called on the staff worker thread only.
class StatusStore {
public:
    virtual ~StatusStore() = default;
    virtual Result<void, std::string> put(const std::string& identityHash, const LoyaltyStatus& status) = 0;
    /// Nothing when absent or too old.
    virtual Result<std::optional<CachedStatus>, std::string> get(const std::string& identityHash) = 0;
    virtual Result<void, std::string> remove(const std::string& identityHash) = 0;
};

}  // namespace touchpoint::kiosk::staff
