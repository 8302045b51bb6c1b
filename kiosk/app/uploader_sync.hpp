#pragma once
// The real uploader behind staff mode's SyncControl (kiosk/core/staff/sync_health.hpp): its health snapshot
// in staff terms, "sync now" as a non-blocking flush request, and a restart that runs off the UI thread
// (stop() may wait about a second for a transfer in flight to abort).

#include <mutex>
#include <thread>

#include "common/clock.hpp"
#include "core/fleet_content.hpp"
#include "staff/sync_health.hpp"
#include "uploader/uploader.hpp"

namespace touchpoint::kiosk::app {

/// Maps the uploader's snapshot to staff terms. `hubConfigured` false: the kiosk has no hub URL.
inline staff::SyncSnapshot toSyncSnapshot(const uploader::HealthSnapshot& h, std::int64_t nowUtcMs,
                                          bool hubConfigured) {
    staff::SyncSnapshot s;
    using uploader::UploaderState;
    switch (h.state) {
        case UploaderState::Online: s.state = staff::SyncState::Online; break;
        case UploaderState::Offline: s.state = staff::SyncState::Offline; break;
        case UploaderState::TlsError: s.state = staff::SyncState::Certificate; break;
        case UploaderState::AuthError: s.state = staff::SyncState::TokenRejected; break;
        case UploaderState::ClockWrong: s.state = staff::SyncState::ClockWrong; break;
    }
    if (h.state == UploaderState::Offline) {
        if (h.causeCode == "not_started") s.state = staff::SyncState::Starting;
        // The hub answered, just not well: that is the hub's problem, not the store's network.
        if (h.causeCode.rfind("http_5", 0) == 0) s.state = staff::SyncState::HubError;
    }
    if (!hubConfigured) s.state = staff::SyncState::NotConfigured;
    s.lastError = h.state == UploaderState::Online ? std::string() : h.cause;
    s.queueDepth = h.queueDepth;
    if (h.oldestPendingAgeMs) s.oldestPendingUtcMs = nowUtcMs - *h.oldestPendingAgeMs;
    s.lastSuccessUtcMs = h.lastSuccessMs;
    s.nextRetryUtcMs = h.nextRetryMs;
    s.drops = h.drops;
    s.deadLetters = h.deadLetters;
    s.clockOffsetMs = h.clockOffsetMs;
    return s;
}

class UploaderSyncControl final : public staff::SyncControl {
public:
    /// `uploader` may be null (no hub configured): health then says so and the actions do nothing. `fleet`
    /// (may be null) adds head office's applied document and any refusal to the snapshot.
    UploaderSyncControl(uploader::Uploader* uploader, const Clock& clock,
                        const FleetContentSlot* fleet = nullptr)
        : m_uploader(uploader), m_clock(clock), m_fleet(fleet) {}
    ~UploaderSyncControl() override {
        std::lock_guard lock(m_mutex);
        if (m_restart.joinable()) m_restart.join();
    }
    UploaderSyncControl(const UploaderSyncControl&) = delete;
    UploaderSyncControl& operator=(const UploaderSyncControl&) = delete;

    staff::SyncSnapshot snapshot() const override {
        staff::SyncSnapshot s;
        if (m_uploader) {
            s = toSyncSnapshot(m_uploader->health(), m_clock.utcMs(), true);
        } else {
            s.state = staff::SyncState::NotConfigured;
        }
        if (m_fleet) {
            s.configVersion = m_fleet->appliedVersion();
            s.configRefusal = m_fleet->refusal();
        }
        return s;
    }
    void syncNow() override {
        // A zero timeout only asks: the worker serves the flush, skipping its backoff, while the UI goes on.
        // Head office's document is asked for at the same turn.
        if (!m_uploader) return;
        m_uploader->requestPeriodicGet();
        (void)m_uploader->flush(uploader::Millis{0});
    }
    void restart() override {
        if (!m_uploader) return;
        std::lock_guard lock(m_mutex);
        if (m_restart.joinable()) m_restart.join();  // a previous restart finished long ago in practice
        m_restart = std::thread([u = m_uploader] {
            u->stop();
            u->start();
        });
    }

private:
    uploader::Uploader* m_uploader;
    const Clock& m_clock;
    const FleetContentSlot* m_fleet;
    std::mutex m_mutex;
    std::thread m_restart;
};

}  // namespace touchpoint::kiosk::app
