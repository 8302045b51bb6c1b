#pragma once
// Whether the store is taking writes, for /healthz: the ingest path records each write's outcome, and a
// failure (disk full, database gone) makes health "degraded" until the next write succeeds. While degraded,
// /healthz itself tries a write now and then (claimProbe): a load balancer that health-checks /healthz stops
// sending writes to a degraded hub, so without the probe every hub of a shared database would stay degraded
// after the database came back (or failed over), and the balancer would never send them traffic again.

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
        m_probing = false;
    }
    void recordFailure(std::string reason, std::int64_t atMs) {
        std::lock_guard lock(m_mutex);
        m_failure = Failure{std::move(reason), atMs};
    }
    /// True when the caller should probe the store now: degraded, no probe running and none in the last
    /// `everyMs`. The caller then reports its outcome with recordSuccess() or endProbe().
    bool claimProbe(std::int64_t nowMs, std::int64_t everyMs) {
        std::lock_guard lock(m_mutex);
        if (!m_failure || m_probing || (m_lastProbeMs != 0 && nowMs - m_lastProbeMs < everyMs)) return false;
        m_probing = true;
        m_lastProbeMs = nowMs;
        return true;
    }
    void endProbe() {
        std::lock_guard lock(m_mutex);
        m_probing = false;
    }
    /// The last failure when the last write failed; nullopt when healthy.
    std::optional<Failure> lastFailure() const {
        std::lock_guard lock(m_mutex);
        return m_failure;
    }

private:
    mutable std::mutex m_mutex;
    std::optional<Failure> m_failure;
    bool m_probing = false;
    std::int64_t m_lastProbeMs = 0;
};

}  // namespace touchpoint::hub::http
