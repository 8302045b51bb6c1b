#include "staff/staff_controller.hpp"

#include <sodium.h>

#include <stdexcept>

#include "common/log.hpp"
#include "common/uuid.hpp"
#include "staff/pin.hpp"

namespace touchpoint::kiosk::staff {

namespace {

void secureClear(std::string& text) {
    if (!text.empty()) sodium_memzero(text.data(), text.size());
    text.clear();
}

const Clock& requireClock(const StaffDeps& deps) {
    if (deps.clock == nullptr) throw std::invalid_argument("StaffController needs a clock");
    return *deps.clock;
}

}  // namespace

std::string_view toString(StaffPage page) {
    switch (page) {
        case StaffPage::Closed: return "closed";
        case StaffPage::Pin: return "pin";
        case StaffPage::Home: return "home";
        case StaffPage::Lookup: return "lookup";
        case StaffPage::SyncHealth: return "sync";
        case StaffPage::DeadLetters: return "dead_letters";
        case StaffPage::KioskInfo: return "info";
    }
    return "closed";
}

std::string_view toString(ConfirmAction action) {
    switch (action) {
        case ConfirmAction::None: return "none";
        case ConfirmAction::ReplayOne: return "replay_one";
        case ConfirmAction::DropOne: return "drop_one";
        case ConfirmAction::ReplayAll: return "replay_all";
        case ConfirmAction::DropAll: return "drop_all";
        case ConfirmAction::ExitApp: return "exit_app";
        case ConfirmAction::RestartUploader: return "restart_uploader";
        case ConfirmAction::RecoverSetAside: return "recover_set_aside";
    }
    return "none";
}

StaffController::StaffController(StaffSettings settings, StaffDeps deps)
    : m_settings(std::move(settings)),
      m_deps(std::move(deps)),
      m_clock(requireClock(m_deps)),
      m_lockout(m_settings.lockoutFile, m_settings.lockout, m_clock),
      m_worker(std::make_unique<StaffWorker>()) {
    if (m_deps.events == nullptr || m_deps.audit == nullptr) {
        throw std::invalid_argument("StaffController needs an event factory and an audit sink");
    }
    m_vm.info.identity = m_deps.identity;
}

StaffController::~StaffController() {
    m_worker.reset();
    secureClear(m_pin);
}

void StaffController::open() {
    if (isOpen()) return;
    wipe();
    m_lastTouchMono = m_clock.monotonicMs();
    goTo(StaffPage::Pin);
    log::info("staff", "staff mode PIN pad shown");
}

void StaffController::close() {
    if (!isOpen()) return;
    log::info("staff", "staff mode left");
    wipe();
}

void StaffController::wipe() {
    ++m_generation;  // results still in flight belong to what is being wiped
    secureClear(m_pin);
    secureClear(m_vm.lookup.input);
    m_pinSlot.reset();
    m_staffSessionId.clear();
    m_pendingRequestId = 0;
    const KioskIdentityInfo identity = m_deps.identity;
    m_vm = StaffVm{};
    m_vm.info.identity = identity;
}

void StaffController::touch() { m_lastTouchMono = m_clock.monotonicMs(); }

std::optional<std::int64_t> StaffController::msUntilIdleExit() const {
    if (!isOpen()) return std::nullopt;
    return std::max<std::int64_t>(0, m_lastTouchMono + m_settings.idleMs - m_clock.monotonicMs());
}

void StaffController::waitForWorker() {
    m_worker->waitIdle();
    update();
}

void StaffController::update() {
    m_queue.drain();
    if (!isOpen()) return;
    if (m_clock.monotonicMs() - m_lastTouchMono >= m_settings.idleMs) {
        log::info("staff", "staff mode timed out", {{"idle_ms", std::to_string(m_settings.idleMs)}});
        wipe();
        return;
    }
    refreshLive();
}

void StaffController::refreshLive() {
    m_vm.idleRemainingMs = msUntilIdleExit().value_or(0);
    PinVm& pin = m_vm.pin;
    pin.digitsEntered = m_pin.size();
    pin.locked = m_lockout.isLocked();
    pin.lockRemainingMs = m_lockout.remainingMs();
    pin.attemptsLeft = m_lockout.attemptsLeft();
    pin.noPinsConfigured = m_settings.pinHashes.empty();
    pin.storageProblem = m_lockout.storageProblem();

    const std::int64_t now = m_clock.utcMs();
    m_vm.syncAvailable = m_deps.sync != nullptr;
    m_vm.recovery.available = m_deps.recovery != nullptr;
    m_vm.recovery.running = m_recoveryRunning;
    SyncSnapshot snapshot;
    if (m_deps.sync) {
        snapshot = m_deps.sync->snapshot();
    } else {
        snapshot.state = SyncState::Stopped;
    }
    m_vm.sync = describeSyncHealth(snapshot, now);
    m_vm.info.clockOffsetMs = snapshot.clockOffsetMs;
    m_vm.info.clockWrong = m_vm.sync.state == SyncState::ClockWrong;
    m_vm.deadLetters.nowUtcMs = now;
    if (m_vm.lookup.result) m_vm.lookup.result->nowUtcMs = now;
}

void StaffController::goTo(StaffPage page) {
    // Only the PIN pad is reachable without a verified PIN.
    if (page != StaffPage::Pin && page != StaffPage::Closed && !m_pinSlot) page = StaffPage::Pin;
    m_vm.page = page;
    m_vm.confirm = ConfirmVm{};
    if (page == StaffPage::DeadLetters) refreshDeadLetters();
    if (page == StaffPage::KioskInfo) m_vm.info.freeDiskBytes = freeDiskBytes(m_deps.identity.outboxPath);
    if (page == StaffPage::SyncHealth && m_deps.recovery && !m_recoveryRunning) {
        m_vm.recovery.pendingFiles = m_deps.recovery->pendingFiles();
    }
    if (page == StaffPage::Home) {
        m_vm.syncNowRequested = false;
        m_vm.uploaderRestarted = false;
    }
    refreshLive();
}

void StaffController::apply(const StaffIntent& intent) {
    if (!isOpen() || intent.kind == StaffIntent::Kind::None) return;
    touch();
    using Kind = StaffIntent::Kind;
    if (m_vm.page == StaffPage::Pin) {
        applyPin(intent);
        return;
    }
    if (m_vm.confirm.action != ConfirmAction::None) {
        // While a confirmation is up, only its two buttons (and leaving) do anything.
        if (intent.kind == Kind::Confirm) {
            confirm();
        } else if (intent.kind == Kind::CancelConfirm) {
            m_vm.confirm = ConfirmVm{};
        } else if (intent.kind == Kind::Leave) {
            close();
        }
        return;
    }
    switch (intent.kind) {
        case Kind::Leave: close(); return;
        case Kind::Open: goTo(intent.page); return;
        case Kind::Back: goTo(StaffPage::Home); return;
        case Kind::SyncNow:
            if (m_deps.sync) {
                m_deps.sync->syncNow();
                m_vm.syncNowRequested = true;
                log::info("staff", "sync now requested");
            }
            return;
        case Kind::RefreshDeadLetters: refreshDeadLetters(); return;
        case Kind::AskReplay: m_vm.confirm = {ConfirmAction::ReplayOne, intent.id}; return;
        case Kind::AskDrop: m_vm.confirm = {ConfirmAction::DropOne, intent.id}; return;
        case Kind::AskReplayAll: m_vm.confirm = {ConfirmAction::ReplayAll, 0}; return;
        case Kind::AskDropAll: m_vm.confirm = {ConfirmAction::DropAll, 0}; return;
        case Kind::AskExit: m_vm.confirm = {ConfirmAction::ExitApp, 0}; return;
        case Kind::AskRestartUploader:
            if (m_deps.sync) m_vm.confirm = {ConfirmAction::RestartUploader, 0};
            return;
        case Kind::AskRecover:
            if (m_deps.recovery && !m_recoveryRunning && m_vm.recovery.pendingFiles > 0) {
                m_vm.confirm = {ConfirmAction::RecoverSetAside, 0};
            }
            return;
        default: break;
    }
    if (m_vm.page == StaffPage::Lookup) applyLookup(intent);
}

void StaffController::applyPin(const StaffIntent& intent) {
    using Kind = StaffIntent::Kind;
    switch (intent.kind) {
        case Kind::Leave: close(); return;
        case Kind::PinDigit:
            if (m_vm.pin.checking || m_lockout.isLocked()) return;
            if (intent.key >= '0' && intent.key <= '9' && m_pin.size() < kMaxPinDigits) m_pin.push_back(intent.key);
            m_vm.pin.lastWrong = false;
            break;
        case Kind::PinBackspace:
            if (!m_vm.pin.checking && !m_pin.empty()) {
                m_pin.back() = '\0';
                m_pin.pop_back();
            }
            break;
        case Kind::PinSubmit: submitPin(); break;
        default: break;
    }
    refreshLive();
}

void StaffController::submitPin() {
    if (m_vm.pin.checking || m_lockout.isLocked() || m_pin.empty()) return;
    if (!isWellFormedPin(m_pin)) {
        // Too short or too long is still a wrong PIN: otherwise short guesses would be free.
        secureClear(m_pin);
        onPinVerdict(m_generation, std::nullopt);
        return;
    }
    m_vm.pin.checking = true;
    const std::uint64_t generation = m_generation;
    auto hashes = m_settings.pinHashes;
    m_worker->post([this, generation, hashes = std::move(hashes), pin = m_pin]() mutable {
        const auto slot = verifyPin(hashes, pin);
        sodium_memzero(pin.data(), pin.size());
        m_queue.post([this, generation, slot] { onPinVerdict(generation, slot); });
    });
    secureClear(m_pin);
}

void StaffController::onPinVerdict(std::uint64_t generation, std::optional<int> slot) {
    if (slot) {
        m_lockout.recordSuccess();
    } else {
        m_lockout.recordFailure();
    }
    if (generation != m_generation) return;  // staff mode was left while the PIN was checked
    m_vm.pin.checking = false;
    if (!slot) {
        log::info("staff", "wrong staff PIN", {{"attempts_left", std::to_string(m_lockout.attemptsLeft())}});
        m_vm.pin.lastWrong = true;
        refreshLive();
        return;
    }
    m_pinSlot = slot;
    m_staffSessionId = newUuidV4();
    log::info("staff", "staff mode entered", {{"pin_slot", std::to_string(*slot)}});
    goTo(StaffPage::Home);
}

void StaffController::applyLookup(const StaffIntent& intent) {
    using Kind = StaffIntent::Kind;
    LookupVm& lookup = m_vm.lookup;
    constexpr std::size_t kMaxInput = 254;
    switch (intent.kind) {
        case Kind::LookupSetMode:
            if (lookup.mode != intent.mode) secureClear(lookup.input);
            lookup.mode = intent.mode;
            lookup.inputError.reset();
            return;
        case Kind::LookupKey:
            if (lookup.input.size() < kMaxInput && intent.key >= 0x20 && intent.key < 0x7f) {
                lookup.input.push_back(intent.key);
            }
            lookup.inputError.reset();
            return;
        case Kind::LookupBackspace:
            if (!lookup.input.empty()) lookup.input.pop_back();
            lookup.inputError.reset();
            return;
        case Kind::LookupClear:
            secureClear(lookup.input);
            lookup.inputError.reset();
            lookup.result.reset();
            return;
        case Kind::LookupScan:
            secureClear(lookup.input);
            lookup.mode = LookupMode::Card;
            lookup.input = intent.text.substr(0, kMaxInput);
            submitLookup();
            return;
        case Kind::LookupSubmit: submitLookup(); return;
        default: return;
    }
}

void StaffController::submitLookup() {
    LookupVm& lookup = m_vm.lookup;
    if (lookup.pending || !m_pinSlot) return;
    auto identity = normalizeIdentifier(lookup.mode, lookup.input, m_settings.phoneRegion);
    if (!identity) {
        lookup.inputError = identity.error();
        return;
    }
    lookup.inputError.reset();
    lookup.auditProblem.clear();

    // The audit record is durable before the question leaves the kiosk: a lookup that cannot be audited is
    // not made.
    event::Message audit = m_deps.events->staffLookup(m_staffSessionId, *m_pinSlot, *identity);
    if (auto recorded = m_deps.audit->record(audit); !recorded) {
        lookup.auditProblem = recorded.error();
        log::error("staff", "staff lookup refused: audit event not stored", {{"error", recorded.error()}});
        return;
    }

    const std::string identityType(event::toString(identity->type));
    const std::string identityHash = m_deps.events->identityHash(*identity);
    const std::uint64_t requestId = m_nextRequestId++;
    const std::uint64_t generation = m_generation;
    m_pendingRequestId = requestId;
    lookup.pending = true;
    lookup.result.reset();
    auto service = m_deps.lookups;
    m_worker->post([this, service, generation, requestId, identity = std::move(*identity), identityHash,
                    identityType]() mutable {
        LookupResult result;
        result.requestId = requestId;
        if (service) {
            result = service->lookup(requestId, identity, identityHash);
        } else {
            result.problem = LookupProblem::NotConfigured;
        }
        sodium_memzero(identity.value.data(), identity.value.size());
        m_queue.post([this, generation, result = std::move(result), identityType] {
            onLookupResult(generation, result, identityType);
        });
    });
}

void StaffController::onLookupResult(std::uint64_t generation, const LookupResult& result,
                                     const std::string& identityType) {
    if (generation != m_generation || result.requestId != m_pendingRequestId) return;
    m_pendingRequestId = 0;
    LookupVm& lookup = m_vm.lookup;
    lookup.pending = false;
    LookupResultVm vm;
    vm.outcome = result.outcome;
    vm.problem = result.problem;
    vm.status = result.status;
    vm.identityType = identityType;
    vm.nowUtcMs = m_clock.utcMs();
    if (result.outcome == LookupOutcome::Cached) {
        vm.ageMs = std::max<std::int64_t>(0, vm.nowUtcMs - result.fetchedUtcMs);
    }
    lookup.result = std::move(vm);
    log::info("staff", "staff lookup done", {{"outcome", std::string(toString(result.outcome))},
                                             {"problem", std::string(toString(result.problem))}});
}

void StaffController::refreshDeadLetters() {
    DeadLettersVm& dl = m_vm.deadLetters;
    dl.problem.clear();
    dl.rows.clear();
    if (!m_deps.deadLetters) {
        dl.problem = "no outbox";
        return;
    }
    auto rows = m_deps.deadLetters->list(m_settings.deadLetterPageSize);
    if (!rows) {
        dl.problem = rows.error();
        return;
    }
    dl.rows = std::move(*rows);
    dl.total = static_cast<std::int64_t>(dl.rows.size());
    if (m_deps.sync) dl.total = std::max(dl.total, m_deps.sync->snapshot().deadLetters);
}

void StaffController::confirm() {
    const ConfirmVm what = m_vm.confirm;
    m_vm.confirm = ConfirmVm{};
    DeadLettersVm& dl = m_vm.deadLetters;
    const auto deadLetterAction = [&](bool replay, std::optional<std::int64_t> id) {
        if (!m_deps.deadLetters) return;
        auto n = replay ? m_deps.deadLetters->replay(id) : m_deps.deadLetters->drop(id);
        if (!n) {
            dl.problem = n.error();
            return;
        }
        dl.lastActionKey = replay ? "staff.dead.replayed" : "staff.dead.dropped";
        dl.lastActionCount = *n;
        log::info("staff", replay ? "dead letters replayed" : "dead letters dropped", {{"count", std::to_string(*n)}});
        refreshDeadLetters();
        if (replay && m_deps.sync && *n > 0) m_deps.sync->syncNow();
    };
    switch (what.action) {
        case ConfirmAction::None: return;
        case ConfirmAction::ReplayOne: deadLetterAction(true, what.deadLetterId); return;
        case ConfirmAction::DropOne: deadLetterAction(false, what.deadLetterId); return;
        case ConfirmAction::ReplayAll: deadLetterAction(true, std::nullopt); return;
        case ConfirmAction::DropAll: deadLetterAction(false, std::nullopt); return;
        case ConfirmAction::ExitApp:
            log::warn("staff", "app exit requested from staff mode",
                      {{"pin_slot", std::to_string(m_pinSlot.value_or(-1))}});
            m_exitRequested = true;
            wipe();
            return;
        case ConfirmAction::RecoverSetAside: startRecovery(); return;
        case ConfirmAction::RestartUploader:
            if (m_deps.sync) {
                log::info("staff", "uploader restart requested from staff mode");
                m_deps.sync->restart();
                m_vm.uploaderRestarted = true;
            }
            return;
    }
}

void StaffController::startRecovery() {
    if (!m_deps.recovery || m_recoveryRunning) return;
    m_recoveryRunning = true;
    m_vm.recovery.running = true;
    m_vm.recovery.problem.clear();
    m_vm.recovery.last.reset();
    log::info("staff", "recovery of set-aside outbox files requested from staff mode");
    OutboxRecovery* recovery = m_deps.recovery;
    const std::uint64_t generation = m_generation;
    m_worker->post([this, recovery, generation] {
        auto result = recovery->recoverAll();
        m_queue.post([this, generation, result = std::move(result)] { onRecoveryResult(generation, result); });
    });
}

void StaffController::onRecoveryResult(std::uint64_t generation, const Result<RecoveryOutcome, std::string>& result) {
    // The events are back in the queue whether or not staff mode is still open: send them, and log the outcome.
    m_recoveryRunning = false;
    m_vm.recovery.running = false;
    if (result) {
        log::info("staff", "set-aside outbox files recovered",
                  {{"files", std::to_string(result->files)}, {"reenqueued", std::to_string(result->reenqueued)},
                   {"already_present", std::to_string(result->alreadyPresent)},
                   {"unreadable", std::to_string(result->unreadable)}, {"refused", std::to_string(result->refused)}});
        if (m_deps.sync && result->reenqueued > 0) m_deps.sync->syncNow();
    } else {
        log::error("staff", "recovery of set-aside outbox files failed", {{"error", result.error()}});
    }
    if (m_deps.recovery) m_vm.recovery.pendingFiles = m_deps.recovery->pendingFiles();
    if (generation != m_generation) return;  // staff mode was left meanwhile: show nothing of it
    if (result) {
        m_vm.recovery.last = *result;
    } else {
        m_vm.recovery.problem = result.error();
    }
}

}  // namespace touchpoint::kiosk::staff
