#pragma once
// Kiosks draining into hubs, for the multi-process and failover tests and `touchpoint-bench ha-drain`: each
// kiosk has its own outbox file (the real sync/outbox) filled with kiosk-shaped traffic (sign-ins that earn
// points, consents, feedback with sealed comments, abandoned surveys, heartbeats; UUIDv7 message ids), and
// its own real uploader (sync/uploader: its own HTTPS keep-alive connection, backoff, Retry-After). Then
// what the database holds is read back: every message id, and the state the rules derived from them.
//
// Each kiosk has its own shoppers: the rules are order-sensitive across kiosks (a cooldown counts from the
// check-in stored first), and each uploader sends its own kiosk's events in order, so with disjoint
// shoppers the derived state does not depend on how the kiosks' requests interleave, and a fault-free
// control run of the same events must derive exactly the same state.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "event/message.hpp"

namespace touchpoint::hub {

struct KioskTraffic {
    std::vector<std::string> storeIds, kioskIds;
    std::vector<std::vector<event::Message>> messages;  ///< per kiosk, in capture order
    std::int64_t total() const;
};

/// `kiosks` x `eventsPerKiosk` messages sealed to `sealingPublicKeyB64`, captured over the last four weeks
/// (inside the hub's earn window), deterministic for a seed except for ids and sealing nonces.
KioskTraffic makeKioskTraffic(int kiosks, int eventsPerKiosk, const std::string& sealingPublicKeyB64,
                              std::uint64_t seed = 1);

struct DrainTarget {
    std::string url;                  ///< https://127.0.0.1:PORT (the balancer or one hub)
    std::filesystem::path caFile;     ///< what its certificate is verified with
    std::vector<std::string> tokens;  ///< one kiosk token per kiosk, bound to its store and kiosk
};

struct DrainOptions {
    std::filesystem::path folder;  ///< where the outbox files go (created; left for the caller to remove)
    int batchEvents = 100;         ///< events per request (a kiosk's normal traffic sends small batches)
    std::chrono::seconds deadline{120};
    /// Called about every 20 ms on the waiting thread while the drain runs (fault injection), with the
    /// seconds since the start and the events acknowledged so far.
    std::function<void(double seconds, std::int64_t acknowledged)> tick;
};

struct DrainResult {
    bool emptied = false;  ///< every outbox empty before the deadline
    double seconds = 0;    ///< first start to the last outbox empty
    std::int64_t pending = 0, deadLetters = 0;
    std::int64_t requests = 0, acknowledged = 0, duplicates = 0;
    /// The longest stretch with no receipt at any kiosk, and when it began (seconds after the start).
    double longestGapSeconds = 0, longestGapStartSeconds = 0;
    std::string lastCause;  ///< the last failure an uploader reported, if any
};

/// Enqueues the traffic into new outbox files and drains them with one uploader per kiosk.
Result<DrainResult, std::string> drainKiosks(const KioskTraffic& traffic, const DrainTarget& target,
                                             const DrainOptions& options);

/// What the database holds after a drain: counts for exactly-once, and the derived state in a form that does
/// not depend on generated ids or on the hub's data key (profiles are named by the smallest message id among
/// their events: identifiers are stored as keyed tags, which differ between hubs with different keys).
struct StoredState {
    std::int64_t eventRows = 0, distinctEvents = 0;
    std::int64_t feedbackRows = 0, distinctFeedback = 0;
    std::int64_t signinRows = 0, distinctSignins = 0;
    std::int64_t checkinRows = 0, distinctCheckins = 0;
    std::int64_t transitionRows = 0;
    std::vector<std::string> messageIds;  ///< sorted
    std::vector<std::string>
        profiles;  ///< "first message points stage member checkins awarded visit_days", sorted
    std::vector<std::string> kiosks;  ///< "store/kiosk events", sorted
    std::vector<std::string>
        feedback;  ///< "message_id store kiosk nps csat ces abandoned has_profile", sorted
};

/// Reads it with libpq from a postgresql:// URL.
Result<StoredState, std::string> readStoredState(const std::string& url);

/// Message ids of `traffic` missing from `state`, and rows beyond one per message id (events, feedback,
/// sign-ins, check-ins).
struct ExactlyOnce {
    std::int64_t expected = 0, lost = 0, doubled = 0, unexpected = 0;
    bool ok() const { return lost == 0 && doubled == 0 && unexpected == 0; }
};
ExactlyOnce checkExactlyOnce(const KioskTraffic& traffic, const StoredState& state);

}  // namespace touchpoint::hub
