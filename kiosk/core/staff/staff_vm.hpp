#pragma once
// Staff mode's view-models and intents. Screens draw from a const StaffVm and return StaffIntents; the
// StaffController applies them. Nothing here knows about ImGui.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "staff/identifier.hpp"
#include "staff/kiosk_info.hpp"
#include "staff/lookup_service.hpp"
#include "staff/staff_ports.hpp"
#include "staff/sync_health.hpp"

namespace touchpoint::kiosk::staff {

enum class StaffPage { Closed, Pin, Home, Lookup, SyncHealth, DeadLetters, KioskInfo };
std::string_view toString(StaffPage page);

enum class ConfirmAction { None, ReplayOne, DropOne, ReplayAll, DropAll, ExitApp, RestartUploader, RecoverSetAside };
std::string_view toString(ConfirmAction action);

struct PinVm {
    std::size_t digitsEntered = 0;       ///< the pad shows dots, never digits
    bool checking = false;               ///< a PIN is being verified on the worker
    bool locked = false;
    std::int64_t lockRemainingMs = 0;
    int attemptsLeft = 0;
    bool lastWrong = false;
    bool noPinsConfigured = false;
    std::string storageProblem;          ///< the lockout file cannot be written
};

struct LookupResultVm {
    LookupOutcome outcome = LookupOutcome::Unavailable;
    LookupProblem problem = LookupProblem::None;
    std::optional<LoyaltyStatus> status;
    std::optional<std::int64_t> ageMs;   ///< for a cached status: how old it is
    std::int64_t nowUtcMs = 0;           ///< the time ages in `status` are shown against
    std::string identityType;            ///< "phone" / "email" / "member"; never the identifier itself
};

struct LookupVm {
    LookupMode mode = LookupMode::Phone;
    std::string input;                   ///< what staff typed (on screen only, wiped on leave)
    std::optional<IdentifierError> inputError;
    bool pending = false;
    std::optional<LookupResultVm> result;
    std::string auditProblem;            ///< the audit event could not be stored, so no lookup was made
};

struct DeadLettersVm {
    std::vector<DeadLetterRow> rows;
    std::int64_t total = 0;              ///< may exceed rows.size()
    std::string problem;                 ///< reading or changing the dead letters failed
    std::string lastActionKey;           ///< i18n key of the last action's outcome ("staff.dead.replayed")
    std::int64_t lastActionCount = 0;
    std::int64_t nowUtcMs = 0;
};

/// The sync screen's offer to recover a damaged outbox that was set aside (touchpointctl recover's work).
struct RecoveryVm {
    bool available = false;                 ///< the kiosk can recover (the port is wired)
    std::int64_t pendingFiles = 0;
    bool running = false;
    std::optional<RecoveryOutcome> last;    ///< the outcome of the last run in this staff session
    std::string problem;                    ///< the last run failed, and why
};

struct ConfirmVm {
    ConfirmAction action = ConfirmAction::None;
    std::int64_t deadLetterId = 0;       ///< for ReplayOne / DropOne
};

struct StaffVm {
    StaffPage page = StaffPage::Closed;
    PinVm pin;
    LookupVm lookup;
    SyncHealthVm sync;
    bool syncAvailable = false;
    bool syncNowRequested = false;
    bool uploaderRestarted = false;
    RecoveryVm recovery;
    DeadLettersVm deadLetters;
    KioskInfoVm info;
    ConfirmVm confirm;
    std::int64_t idleRemainingMs = 0;
};

/// What a person asked for on a staff screen.
struct StaffIntent {
    enum class Kind {
        None,
        PinDigit, PinBackspace, PinSubmit,
        Leave,                        ///< close staff mode (wipes)
        Open,                         ///< go to `page` (from home)
        Back,                         ///< to staff home
        LookupSetMode, LookupKey, LookupBackspace, LookupClear, LookupSubmit,
        LookupScan,                   ///< a scanned card/QR while on the lookup screen: `text`
        SyncNow, RefreshDeadLetters,
        AskReplay, AskDrop, AskReplayAll, AskDropAll, AskExit, AskRestartUploader, AskRecover,
        Confirm, CancelConfirm,
    };
    Kind kind = Kind::None;
    char key = 0;                     ///< PinDigit, LookupKey
    std::string text;                 ///< LookupScan
    StaffPage page = StaffPage::Home; ///< Open
    LookupMode mode = LookupMode::Phone;
    std::int64_t id = 0;              ///< AskReplay / AskDrop

    static StaffIntent of(Kind k) { StaffIntent i; i.kind = k; return i; }
    static StaffIntent digit(char c) { StaffIntent i; i.kind = Kind::PinDigit; i.key = c; return i; }
    static StaffIntent lookupKey(char c) { StaffIntent i; i.kind = Kind::LookupKey; i.key = c; return i; }
    static StaffIntent open(StaffPage p) { StaffIntent i; i.kind = Kind::Open; i.page = p; return i; }
    static StaffIntent setMode(LookupMode m) { StaffIntent i; i.kind = Kind::LookupSetMode; i.mode = m; return i; }
    static StaffIntent withId(Kind k, std::int64_t id) { StaffIntent i; i.kind = k; i.id = id; return i; }
    static StaffIntent scan(std::string text) { StaffIntent i; i.kind = Kind::LookupScan; i.text = std::move(text); return i; }
};

}  // namespace touchpoint::kiosk::staff
