#pragma once
// Sync health in plain words for staff: the uploader's health snapshot reduced to one state a store manager
// can act on (online / offline / certificate problem / token rejected / clock wrong) plus the figures behind
// it. The uploader is reached through SyncControl so staff mode can be tested without one.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace touchpoint::kiosk::staff {

enum class SyncState {
    Online,          ///< the last attempt succeeded
    Offline,         ///< the hub or the network cannot be reached
    Certificate,     ///< the hub's certificate is not trusted (wrong CA file, wrong host)
    TokenRejected,   ///< the hub refused the kiosk token (401/403): IT must issue a new one
    ClockWrong,      ///< this kiosk's clock is far from the hub's, or TLS says a certificate is not yet valid
    HubError,        ///< the hub answered with errors (5xx, malformed receipts)
    NotConfigured,   ///< no hub URL: events wait in the outbox
    Stopped,         ///< the uploader is not running
    Starting,        ///< no attempt yet since start
};
std::string_view toString(SyncState state);

/// What staff mode needs from the uploader's health snapshot.
struct SyncSnapshot {
    SyncState state = SyncState::Starting;
    std::string lastError;                          ///< the uploader's own words for the last failure
    std::int64_t queueDepth = 0;
    std::optional<std::int64_t> oldestPendingUtcMs; ///< capture time of the oldest pending event
    std::optional<std::int64_t> lastSuccessUtcMs;
    std::optional<std::int64_t> nextRetryUtcMs;
    std::map<std::string, std::int64_t> drops;      ///< by reason
    std::int64_t deadLetters = 0;
    std::optional<std::int64_t> clockOffsetMs;      ///< hub time minus kiosk time, from the last receipt
    int configVersion = 0;                          ///< head office's applied document (0: built-in assets)
    std::string configRefusal;                      ///< why the last document was refused ("" when none)
};

/// The uploader as staff mode drives it. Calls come from the UI thread and must not block on the network.
class SyncControl {
public:
    virtual ~SyncControl() = default;
    virtual SyncSnapshot snapshot() const = 0;
    /// "Sync now": cut the current backoff short and send what is pending.
    virtual void syncNow() = 0;
    /// Stops and starts the uploader thread (after a config or certificate fix).
    virtual void restart() = 0;
};

/// A clock offset beyond this is reported as "clock wrong" even when uploads still succeed.
inline constexpr std::int64_t kClockWrongThresholdMs = 5 * 60 * 1000;

struct SyncHealthVm {
    SyncState state = SyncState::Starting;
    std::string stateKey;          ///< i18n key: "staff.sync.state.online", ...
    std::string adviceKey;         ///< i18n key: what staff should do about it
    std::string lastError;
    std::int64_t queueDepth = 0;
    std::optional<std::int64_t> oldestPendingAgeMs;
    std::optional<std::int64_t> lastSuccessAgoMs;
    std::optional<std::int64_t> nextRetryInMs;
    /// Events lost on this kiosk (evicted over budget, too large, dead letters dropped by staff), by reason,
    /// largest first. The outbox's other counters are not losses: hub rejections are listed apart, and
    /// replays, erasures and file recoveries are not shown here.
    std::vector<std::pair<std::string, std::int64_t>> drops;
    std::int64_t dropsTotal = 0;
    std::vector<std::pair<std::string, std::int64_t>> rejections;  ///< "rejected_<field>" counters, largest first
    std::int64_t rejectionsTotal = 0;
    std::int64_t deadLetters = 0;
    std::optional<std::int64_t> clockOffsetMs;
    int configVersion = 0;
    std::string configRefusal;  ///< shown while head office's newest document is refused
    bool syncNowPending = false;
};

/// Builds the view-model at wall time `nowUtcMs`. A large clock offset turns "online" into "clock wrong".
SyncHealthVm describeSyncHealth(const SyncSnapshot& snapshot, std::int64_t nowUtcMs);

/// "42 s", "5 min", "3 h 20 min", "2 d 4 h": compact, language-neutral units for ages on staff screens.
std::string formatDuration(std::int64_t ms);

}  // namespace touchpoint::kiosk::staff
