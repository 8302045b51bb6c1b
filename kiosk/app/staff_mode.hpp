#pragma once
// Staff mode wired like the shopper side: the app reads the config and builds the adapters behind staff
// core's ports (the outbox as audit sink and dead-letter store, the uploader as SyncControl, the HTTPS lookup,
// the SQLite status cache beside the outbox), then the StaffController over them. The staff UI library only
// draws the controller's view-models and hands back intents (kiosk/ui/staff).

#include <memory>

#include "common/clock.hpp"
#include "config/kiosk_config.hpp"
#include "core/fleet_content.hpp"
#include "core/run_queue.hpp"
#include "event/kiosk_events.hpp"
#include "outbox/outbox.hpp"
#include "staff/staff_controller.hpp"
#include "uploader/uploader.hpp"

namespace touchpoint::kiosk::app {

class UploaderSyncControl;

/// What the app lends staff mode. Everything outlives the StaffMode.
struct StaffModeDeps {
    const config::KioskConfig& config;
    const Clock& clock;
    const event::KioskEventFactory& events;
    RunQueue& queue;                         ///< worker results back to the UI thread (posting wakes the loop)
    outbox::Outbox* outbox = nullptr;        ///< the UI thread's connection; null: staff mode opens its own
    uploader::Uploader* uploader = nullptr;  ///< health, flush, restart; null on an offline-only kiosk
    const FleetContentSlot* fleet = nullptr; ///< head office's document: applied version and refusal
};

class StaffMode {
public:
    explicit StaffMode(const StaffModeDeps& deps);
    ~StaffMode();
    StaffMode(const StaffMode&) = delete;
    StaffMode& operator=(const StaffMode&) = delete;

    staff::StaffController& controller() { return *m_controller; }

private:
    std::unique_ptr<outbox::Outbox> m_ownOutbox;
    std::unique_ptr<staff::AuditSink> m_audit;
    std::unique_ptr<staff::DeadLetterStore> m_deadLetters;
    std::unique_ptr<staff::OutboxRecovery> m_recovery;
    std::unique_ptr<UploaderSyncControl> m_sync;
    std::unique_ptr<staff::StaffController> m_controller;  // last: its worker stops before the ports go
};

}  // namespace touchpoint::kiosk::app
