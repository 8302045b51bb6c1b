#include "uploader/health.hpp"

#include "common/clock.hpp"

namespace touchpoint::uploader {

std::string_view toString(UploaderState state) {
    switch (state) {
    case UploaderState::Online: return "online";
    case UploaderState::Offline: return "offline";
    case UploaderState::TlsError: return "tls-error";
    case UploaderState::AuthError: return "auth-error";
    case UploaderState::ClockWrong: return "clock-wrong";
    }
    return "offline";
}

nlohmann::json HealthSnapshot::toJson() const {
    auto time = [](const std::optional<std::int64_t>& ms) -> nlohmann::json {
        return ms ? nlohmann::json(formatIsoUtcMs(*ms)) : nlohmann::json(nullptr);
    };
    nlohmann::json j{
        {"state", toString(state)},
        {"causeCode", causeCode},
        {"cause", cause},
        {"lastSuccess", time(lastSuccessMs)},
        {"lastAttempt", time(lastAttemptMs)},
        {"nextRetry", time(nextRetryMs)},
        {"consecutiveFailures", consecutiveFailures},
        {"lastHttpStatus", lastHttpStatus},
        {"queueDepth", queueDepth},
        {"queueBytes", queueBytes},
        {"oldestPendingAgeS", oldestPendingAgeMs ? nlohmann::json(*oldestPendingAgeMs / 1000) : nlohmann::json(nullptr)},
        {"deadLetters", deadLetters},
        {"deadLettersByReason", deadLettersByReason},
        {"drops", drops},
        {"bytesSent", bytesSent},
        {"eventsSent", eventsSent},
        {"eventsDuplicate", eventsDuplicate},
        {"eventsRejected", eventsRejected},
        {"requests", requests},
        {"clockOffsetMs", clockOffsetMs ? nlohmann::json(*clockOffsetMs) : nlohmann::json(nullptr)},
        {"draining", draining},
    };
    return j;
}

}  // namespace touchpoint::uploader
