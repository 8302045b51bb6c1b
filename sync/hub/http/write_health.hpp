#pragma once
// Whether the store is taking writes, for /healthz: the ingest path records each write's outcome, and a
// failure (disk full, database gone) makes health "degraded" until the next write succeeds.

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace touchpoint::hub::http {

class WriteHealth {
public:
    struct Failure {
        std::string reason;
        std::int64_t atMs = 0;
    };

    void recordSuccess() {
        std::lock_guard lock(m_mutex);
        m_failure.reset();
    }
    void recordFailure(std::string reason, std::int64_t atMs) {
        std::lock_guard lock(m_mutex);
        m_failure = Failure{std::move(reason), atMs};
    }
    /// The last failure when the last write failed; nullopt when healthy.
    std::optional<Failure> lastFailure() const {
        std::lock_guard lock(m_mutex);
        return m_failure;
    }

private:
    mutable std::mutex m_mutex;
    std::optional<Failure> m_failure;
};

}  // namespace touchpoint::hub::http
