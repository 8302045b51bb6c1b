#pragma once
// The shopper's flow as a state machine, with no ImGui in sight: attract -> sign-in -> (consent) -> welcome
// -> feedback -> thank you -> attract, plus the inactivity warning and the full reset. Screens hand it intents;
// it records events through the EventStore (durable before any "thank you"), asks the hub through a
// ProfileClient on another thread and takes the answer back through the RunQueue. All timers run on the
// injected Clock, so tests drive minutes of inactivity in microseconds.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "event/kiosk_events.hpp"
#include "event_store.hpp"
#include "fleet_content.hpp"
#include "i18n.hpp"
#include "intent.hpp"
#include "profile.hpp"
#include "run_queue.hpp"
#include "survey.hpp"
#include "validation.hpp"
#include "view_models.hpp"

namespace touchpoint::kiosk {

struct FlowOptions {
    std::string phoneRegion = "US";
    std::string defaultLanguage = "en";
    std::vector<std::string> languages{"en"};
    std::int64_t inactivityMs = 45'000;
    std::int64_t stillThereMs = 20'000;
    double accessibilityTimeoutFactor = 2.0;  ///< larger-text and speech mode also lengthen every timeout
    std::int64_t cooldownMs = 3LL * 3600 * 1000;
    std::int64_t welcomeTimeoutMs = 1'500;
    /// After a sign-up the welcome screen asks the hub again for the new member's balance. The sign-up
    /// reaches the hub through the outbox, so the first ask may come before it: up to this many asks,
    /// this far apart, while the welcome screen is shown.
    std::int64_t balanceRefreshMs = 1'500;
    int balanceRefreshAttempts = 3;
    NewMemberStart newMemberStart;  ///< what a new member's welcome shows until the hub's figures arrive
    std::int64_t thankYouMs = 6'000;
    std::int64_t apologyMs = 20'000;
    std::int64_t misuseWindowMs = 5'000;
    std::string consentNoticeId = "loyalty-terms";
    std::string consentNoticeVersion = "2026-01";
    /// After a feedback whose NPS is at most feedback.contactNpsMax or CSAT at most feedback.contactCsatMax,
    /// ask "May we contact you about this?" (its own consent, notice contactNoticeId/contactNoticeVersion).
    /// -1 / 0: never by that score. The hub's [cases] unhappy_nps_max/unhappy_csat_max decide which answers
    /// open a case. Head office's document sets these when it has a feedback part; `configFeedback`
    /// (kiosk.toml [feedback]) is what a document without one returns them to.
    content::FeedbackSettings feedback;
    content::FeedbackSettings configFeedback;
    std::string contactNoticeId = "feedback-contact";
    std::string contactNoticeVersion = "2026-01";
    /// The attract screen pulses for pulseMs every pulsePeriodMs and is still in between (idle CPU).
    std::int64_t pulsePeriodMs = 30'000;
    std::int64_t pulseMs = 1'200;
    bool highContrastDefault = false;  ///< how each session starts (head office's accessibility defaults)
    bool largeTextDefault = false;
    /// Outside these the kiosk shows the sleep screen between sessions; nothing: always open.
    std::optional<content::OpeningHours> openingHours;
    std::int64_t sleepHoursShownMs = 15'000;  ///< a touch on the sleep screen shows the opening times this long
    std::int64_t openingCheckMs = 60'000;     ///< how often the opening hours are looked at (they are in minutes)
};

/// Head office's settings over the config's: languages, timeouts, accessibility defaults, opening hours, and
/// the contact question's thresholds (options.configFeedback when the document has none).
void applyFleetSettings(FlowOptions& options, const content::KioskSettings& settings);

/// Where head office's documents go once applied (KioskController::takeContentFrom).
struct ContentTarget {
    FleetContentSlot* slot = nullptr;
    Translations* texts = nullptr;  ///< the tables the controller was built with
    Survey* survey = nullptr;       ///< the survey the controller was built with
    /// Runs on the UI thread after a document was applied (the app rebuilds its font atlas).
    std::function<void(const FleetContent&)> applied;
};

enum class AppMode { Shopper, Staff };

class KioskController {
public:
    /// Everything is borrowed and must outlive the controller. `profiles` may be null (offline-only kiosk).
    /// The app must destroy the ProfileClient (joining its thread) before the controller. `welcomeStore`
    /// (may be null) keeps the welcome cache across restarts.
    KioskController(FlowOptions options, const Clock& clock, const Translations& texts, const Survey& survey,
                    const event::KioskEventFactory& events, EventStore& store, ProfileClient* profiles,
                    RunQueue& queue, WelcomeStore* welcomeStore = nullptr);
    ~KioskController();
    KioskController(const KioskController&) = delete;
    KioskController& operator=(const KioskController&) = delete;

    /// Applies one intent. Also counts as activity (restarts the inactivity timer).
    void apply(const Intent& intent);
    /// Any touch, even one that hit no widget.
    void noteActivity();
    /// Runs due timers: welcome timeout, balance refresh, "still there?", reset, thank-you return, attract
    /// pulse.
    void tick();
    /// Head office's documents: each one offered to `target.slot` is applied at the next attract (or sleep)
    /// screen with no shopper's session in progress, never in the middle of one: the texts and survey are
    /// replaced, then the settings, and a fresh session starts under them.
    void takeContentFrom(ContentTarget target);
    /// The applied document's version; 0: the built-in assets.
    int configVersion() const { return m_configVersion; }
    /// Monotonic time of the next timer the loop must wake for (nothing when only input can change things).
    std::optional<std::int64_t> nextWakeMs() const;

    ScreenId screen() const { return m_screen; }
    AppMode mode() const { return m_mode; }
    bool stillThereShown() const { return m_stillThere; }
    /// Staff mode: the app shows the staff UI until leaveStaffMode(); shopper timers are paused.
    void leaveStaffMode();

    DisplayVm displayVm() const;
    AttractVm attractVm() const;
    SignInVm signInVm() const;
    ConsentVm consentVm() const;
    WelcomeVm welcomeVm() const;
    FeedbackVm feedbackVm() const;
    ThankYouVm thankYouVm() const;
    ApologyVm apologyVm() const;
    ContactVm contactVm() const;
    StillThereVm stillThereVm() const;
    SleepVm sleepVm() const;

    const std::string& sessionId() const;
    std::string locale() const;
    /// The exact text shown for the loyalty terms in the current language (what consent hashes).
    const std::string& termsText() const;
    /// The exact contact notice text in the current language (what the contact consent hashes).
    const std::string& contactNoticeText() const;
    /// True when nothing of a shopper is left in memory: used by tests after a reset.
    bool sessionIsBlank() const;
    /// Bumped on every change the screen must show; the loop redraws when it moves.
    std::uint64_t revision() const { return m_revision; }

private:
    struct Session;

    void resetSession();
    /// No shopper is using the kiosk: the attract or sleep screen with nothing chosen, or left alone there.
    bool betweenSessions() const;
    /// Takes a waiting document when between sessions; switches between attract and sleep by the hours.
    void fleetTick();
    void applyContent(const FleetContent& content);
    void applySleepIntent(const Intent& intent);
    void submitSignIn();
    void signInWith(event::Identity identity, event::SigninMethod method);
    void onWelcome(std::uint64_t requestId, Result<WelcomeInfo, std::string> result);
    void resolveWelcome(const std::optional<WelcomeInfo>& online);
    bool recordSignin(bool newMember);
    void acceptConsent();
    void requestBalance();
    void onBalance(std::uint64_t requestId, Result<WelcomeInfo, std::string> result);
    void startFeedback();
    void submitFeedback();
    void abandonFeedback(const std::string& reason);
    void showApology(const std::string& messageKey);
    /// After a recorded feedback: the contact question if its scores ask for it, else thank-you
    /// (kiosk_controller_contact.cpp).
    void afterFeedback(const event::FeedbackAnswers& answers, const std::string& feedbackMessageId);
    void applyContactIntent(const Intent& intent);
    void submitTypedContact();
    void recordContact(const event::Identity& contact);
    /// The signed-in shopper's own phone or e-mail, if the session has one to offer.
    std::optional<event::Identity> memberContact() const;
    void showThankYou();
    void typeChar(const std::string& utf8);
    void backspace();
    std::int64_t scaled(std::int64_t ms) const;
    std::optional<event::Identity> memberForFeedback() const;
    void changed() { ++m_revision; }

    FlowOptions m_options;
    const Clock& m_clock;
    const Translations& m_texts;
    const Survey& m_survey;
    const event::KioskEventFactory& m_events;
    EventStore& m_store;
    ProfileClient* m_profiles;
    RunQueue& m_queue;
    PhoneValidator m_phone;
    WelcomeCache m_cache;

    std::unique_ptr<Session> m_sessionPtr;
    Session& m_session;
    ScreenId m_screen = ScreenId::Attract;
    AppMode m_mode = AppMode::Shopper;
    bool m_stillThere = false;
    std::int64_t m_lastActivityMs = 0;
    std::int64_t m_stillThereDeadlineMs = 0;
    std::int64_t m_screenDeadlineMs = 0;   // thank you / apology / welcome loading
    std::int64_t m_attractSinceMs = 0;
    std::optional<std::int64_t> m_lastFeedbackMs;  // kiosk-wide, survives resets: the misuse window
    std::uint64_t m_welcomeRequest = 0;
    std::int64_t m_balanceRefreshAtMs = 0;  // 0: no refresh due
    int m_balanceRefreshesLeft = 0;
    std::uint64_t m_revision = 1;
    ContentTarget m_content;
    int m_configVersion = 0;
    std::int64_t m_nextOpeningCheckMs = 0;
    std::int64_t m_sleepHoursUntilMs = 0;  // 0: the opening times are not shown
};

}  // namespace touchpoint::kiosk
