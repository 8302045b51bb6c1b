#pragma once
// The uploader's health as the kiosk UI, the staff screen, the CLI and the heartbeat event see it. Copied
// under a small mutex (once per frame by the UI); never holds anything during I/O.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace touchpoint::uploader {

enum class UploaderState { Online, Offline, TlsError, AuthError, ClockWrong };
/// "online", "offline", "tls-error", "auth-error", "clock-wrong"
std::string_view toString(UploaderState state);

struct HealthSnapshot {
    UploaderState state = UploaderState::Offline;
    std::string causeCode = "not_started";  ///< stable code: "ok", "timeout", "http_503", "captive_portal", ...
    std::string cause = "the uploader has not contacted the hub yet";  ///< plain words for people
    std::optional<std::int64_t> lastSuccessMs;
    std::optional<std::int64_t> lastAttemptMs;
    std::optional<std::int64_t> nextRetryMs;      ///< when the next attempt is due while failing
    int consecutiveFailures = 0;
    int lastHttpStatus = 0;
    std::int64_t queueDepth = 0;
    std::int64_t queueBytes = 0;
    std::optional<std::int64_t> oldestPendingAgeMs;
    std::int64_t deadLetters = 0;
    std::map<std::string, std::int64_t> deadLettersByReason;
    std::map<std::string, std::int64_t> drops;    ///< outbox counters: drops and evictions by reason
    std::int64_t bytesSent = 0;                   ///< request bytes on the wire (compressed)
    std::int64_t eventsSent = 0;                  ///< events the hub acknowledged (accepted or duplicate)
    std::int64_t eventsDuplicate = 0;             ///< of those, answered "duplicate" (sent before, e.g. lost answer)
    std::int64_t eventsRejected = 0;              ///< dead-lettered from receipts or batch splitting
    std::int64_t requests = 0;                    ///< POST /v1/batch attempts
    std::optional<std::int64_t> clockOffsetMs;    ///< hub clock minus ours (serverTime / Date)
    bool draining = false;                        ///< pacing a post-outage drain

    nlohmann::json toJson() const;
};

}  // namespace touchpoint::uploader
