#pragma once
// Staff mode's state machine: PIN entry with a persistent lockout, the staff pages, idle exit with a wipe,
// and the glue to the lookup worker, the outbox (audit, dead letters) and the uploader.
//
// Threading: every method runs on the UI thread. PIN verification and hub lookups run on the staff worker and
// come back through the controller's RunQueue, drained in update(). A result that arrives after staff mode was
// left (or after a newer request) is dropped, except that a PIN verdict always counts towards the lockout, so
// leaving mid-check cannot buy extra attempts.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "event/kiosk_events.hpp"
#include "staff/lockout.hpp"
#include "staff/lookup_service.hpp"
#include "staff/staff_ports.hpp"
#include "staff/staff_vm.hpp"
#include "run_queue.hpp"
#include "staff/staff_worker.hpp"

namespace touchpoint::kiosk::staff {

struct StaffSettings {
    std::vector<std::string> pinHashes;      ///< crypto_pwhash strings; index = PIN slot
    LockoutPolicy lockout;
    std::filesystem::path lockoutFile;
    std::int64_t idleMs = 60'000;
    std::string phoneRegion = "US";
    std::size_t deadLetterPageSize = 50;
};

struct StaffDeps {
    const Clock* clock = nullptr;                       ///< required
    const event::KioskEventFactory* events = nullptr;   ///< required: builds the audit event
    AuditSink* audit = nullptr;                         ///< required: lookups are refused without it
    DeadLetterStore* deadLetters = nullptr;             ///< optional
    SyncControl* sync = nullptr;                        ///< optional (no uploader: health shows "stopped")
    OutboxRecovery* recovery = nullptr;                 ///< optional (used on the worker; pendingFiles on the UI thread)
    std::shared_ptr<LookupService> lookups;             ///< optional (used only on the worker thread)
    KioskIdentityInfo identity;
};

class StaffController {
public:
    /// Throws std::invalid_argument when a required dependency is missing (a wiring error).
    StaffController(StaffSettings settings, StaffDeps deps);
    ~StaffController();
    StaffController(const StaffController&) = delete;
    StaffController& operator=(const StaffController&) = delete;

    /// The kiosk's hidden gesture (long press in the top-left corner): show the PIN pad.
    void open();
    /// Leaves staff mode and wipes everything it showed.
    void close();
    bool isOpen() const { return m_vm.page != StaffPage::Closed; }

    /// Applies what a screen returned; any intent counts as a touch.
    void apply(const StaffIntent& intent);
    /// A touch that produced no intent (it still keeps staff mode awake).
    void touch();
    /// Once per frame: runs worker results, checks the idle timeout, refreshes the live figures.
    void update();

    const StaffVm& vm() const { return m_vm; }
    /// The app leaves its loop when this becomes true (after the exit confirmation).
    bool exitRequested() const { return m_exitRequested; }
    /// Milliseconds until staff mode times out, for the frame loop's wait (nothing when closed).
    std::optional<std::int64_t> msUntilIdleExit() const;

    /// Called after each worker result is posted (the app passes glfwPostEmptyEvent).
    void setWake(std::function<void()> wake) { m_queue.setWake(std::move(wake)); }
    /// Blocks until the worker is idle, then runs its results (tests).
    void waitForWorker();

private:
    void applyPin(const StaffIntent& intent);
    void applyLookup(const StaffIntent& intent);
    void submitPin();
    void submitLookup();
    void onPinVerdict(std::uint64_t generation, std::optional<int> slot);
    void onLookupResult(std::uint64_t generation, const LookupResult& result, const std::string& identityType);
    void goTo(StaffPage page);
    void confirm();
    void refreshDeadLetters();
    void startRecovery();
    void onRecoveryResult(std::uint64_t generation, const Result<RecoveryOutcome, std::string>& result);
    void refreshLive();
    void wipe();

    StaffSettings m_settings;
    StaffDeps m_deps;
    const Clock& m_clock;
    PinLockout m_lockout;
    StaffVm m_vm;
    std::string m_pin;                    ///< digits typed; zeroed on every clear
    std::optional<int> m_pinSlot;         ///< who is signed in to staff mode
    std::string m_staffSessionId;         ///< groups one staff session's audit events
    std::uint64_t m_generation = 1;       ///< bumped on every wipe: late results are dropped
    std::uint64_t m_nextRequestId = 1;
    std::uint64_t m_pendingRequestId = 0;
    std::int64_t m_lastTouchMono = 0;
    bool m_exitRequested = false;
    bool m_recoveryRunning = false;       ///< a recovery is on the worker (it outlives a wipe)
    RunQueue m_queue;
    std::unique_ptr<StaffWorker> m_worker;  // last: joined first, while the queue and settings still exist
};

}  // namespace touchpoint::kiosk::staff
