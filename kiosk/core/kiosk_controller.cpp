#include "kiosk_controller.hpp"

#include <algorithm>

#include "common/log.hpp"
#include "common/uuid.hpp"
#include "controller_session.hpp"
#include "wipe.hpp"

namespace touchpoint::kiosk {

namespace {

constexpr std::size_t kMaxPhoneChars = 20;
constexpr std::size_t kMaxEmailChars = 120;
constexpr std::size_t kMaxCommentChars = 500;
constexpr const char* kTermsKey = "consent.terms_text";
constexpr const char* kMarketingKey = "consent.marketing_text";

/// Removes the last UTF-8 character (the keyboard types accented letters as two bytes).
void popUtf8(std::string& s) {
    while (!s.empty()) {
        const auto c = static_cast<unsigned char>(s.back());
        s.pop_back();
        if ((c & 0xC0) != 0x80) break;
    }
}

std::size_t utf8Length(const std::string& s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

/// One key of the keypad or keyboard into a phone or e-mail being typed (sign-in and the contact question).
void typeIdentifierChar(SignInTab tab, std::string& phone, std::string& email, const std::string& utf8) {
    if (tab == SignInTab::Phone) {
        // The keypad sends digits and '+'; nothing else belongs in a phone number.
        const bool ok = utf8.size() == 1 &&
                        (std::isdigit(static_cast<unsigned char>(utf8[0])) || (utf8[0] == '+' && phone.empty()));
        if (ok && phone.size() < kMaxPhoneChars) phone += utf8;
    } else if (utf8Length(email) < kMaxEmailChars) {
        email += utf8;
    }
}

}  // namespace

std::string_view toString(IntentKind kind) {
    switch (kind) {
        case IntentKind::None: return "none";
        case IntentKind::Start: return "start";
        case IntentKind::ChooseLanguage: return "choose_language";
        case IntentKind::ToggleHighContrast: return "toggle_high_contrast";
        case IntentKind::ToggleLargeText: return "toggle_large_text";
        case IntentKind::StartSpeech: return "start_speech";
        case IntentKind::ShowPhone: return "show_phone";
        case IntentKind::ShowEmail: return "show_email";
        case IntentKind::KeyChar: return "key_char";
        case IntentKind::KeyBackspace: return "key_backspace";
        case IntentKind::KeyClear: return "key_clear";
        case IntentKind::SubmitSignIn: return "submit_signin";
        case IntentKind::SkipSignIn: return "skip_signin";
        case IntentKind::Cancel: return "cancel";
        case IntentKind::CodeScanned: return "code_scanned";
        case IntentKind::ToggleTerms: return "toggle_terms";
        case IntentKind::ToggleMarketing: return "toggle_marketing";
        case IntentKind::AcceptConsent: return "accept_consent";
        case IntentKind::DeclineConsent: return "decline_consent";
        case IntentKind::StartFeedback: return "start_feedback";
        case IntentKind::FinishWelcome: return "finish_welcome";
        case IntentKind::Score: return "score";
        case IntentKind::ToggleOption: return "toggle_option";
        case IntentKind::NextStep: return "next_step";
        case IntentKind::PrevStep: return "prev_step";
        case IntentKind::ExitSurvey: return "exit_survey";
        case IntentKind::StillHere: return "still_here";
        case IntentKind::Done: return "done";
        case IntentKind::OpenStaff: return "open_staff";
        case IntentKind::StopSpeech: return "stop_speech";
        case IntentKind::Wake: return "wake";
        case IntentKind::ToggleContactConsent: return "toggle_contact_consent";
        case IntentKind::AgreeContact: return "agree_contact";
        case IntentKind::UseMemberContact: return "use_member_contact";
        case IntentKind::TypeOtherContact: return "type_other_contact";
        case IntentKind::SubmitContact: return "submit_contact";
        case IntentKind::SkipContact: return "skip_contact";
    }
    return "none";
}

std::string_view toString(ScreenId id) {
    switch (id) {
        case ScreenId::Attract: return "attract";
        case ScreenId::SignIn: return "signin";
        case ScreenId::Consent: return "consent";
        case ScreenId::Welcome: return "welcome";
        case ScreenId::Feedback: return "feedback";
        case ScreenId::ThankYou: return "thankyou";
        case ScreenId::Apology: return "apology";
        case ScreenId::Sleep: return "sleep";
        case ScreenId::Contact: return "contact";
    }
    return "attract";
}

KioskController::KioskController(FlowOptions options, const Clock& clock, const Translations& texts,
                                 const Survey& survey, const event::KioskEventFactory& events, EventStore& store,
                                 ProfileClient* profiles, RunQueue& queue, WelcomeStore* welcomeStore)
    : m_options(std::move(options)),
      m_clock(clock),
      m_texts(texts),
      m_survey(survey),
      m_events(events),
      m_store(store),
      m_profiles(profiles),
      m_queue(queue),
      m_phone(m_options.phoneRegion),
      m_sessionPtr(std::make_unique<Session>()),
      m_session(*m_sessionPtr) {
    m_cache.persistTo(welcomeStore);
    resetSession();
}

KioskController::~KioskController() { m_session.wipe(); }

std::int64_t KioskController::scaled(std::int64_t ms) const {
    // Larger text and speech mode both mean a shopper who needs more time (WCAG 2.2.1).
    if (!m_session.largeText && !m_session.speech) return ms;
    return static_cast<std::int64_t>(static_cast<double>(ms) * std::max(1.0, m_options.accessibilityTimeoutFactor));
}

const std::string& KioskController::sessionId() const { return m_session.id; }

std::string KioskController::locale() const { return localeFor(m_session.language, m_options.phoneRegion); }

const std::string& KioskController::termsText() const { return m_texts.text(m_session.language, kTermsKey); }

void KioskController::resetSession() {
    m_session.wipe();
    m_session.id = newUuidV4();
    m_session.language = m_options.defaultLanguage;
    m_session.highContrast = m_options.highContrastDefault;
    m_session.largeText = m_options.largeTextDefault;
    m_screen = ScreenId::Attract;
    m_nextOpeningCheckMs = 0;  // closed now? the next tick looks
    m_stillThere = false;
    m_screenDeadlineMs = 0;
    ++m_welcomeRequest;  // a late hub answer for the previous shopper is ignored
    m_balanceRefreshAtMs = 0;
    m_balanceRefreshesLeft = 0;
    m_lastActivityMs = m_clock.monotonicMs();
    m_attractSinceMs = m_lastActivityMs;
    changed();
}

bool KioskController::sessionIsBlank() const {
    const auto& s = m_session;
    return (m_screen == ScreenId::Attract || m_screen == ScreenId::Sleep) && s.phoneText.empty() &&
           s.emailText.empty() && !s.identity && s.identityHash.empty() && !s.welcome && !s.survey &&
           !s.signinRecorded && !s.termsTicked && !s.marketingTicked && s.errorKey.empty() &&
           s.highContrast == m_options.highContrastDefault && s.largeText == m_options.largeTextDefault &&
           !s.speech && s.language == m_options.defaultLanguage && s.contactPhoneText.empty() &&
           s.contactEmailText.empty() && s.contactFeedbackId.empty() && !s.contactTicked &&
           s.contactErrorKey.empty();
}

void KioskController::noteActivity() {
    m_lastActivityMs = m_clock.monotonicMs();
}

void KioskController::apply(const Intent& intent) {
    noteActivity();
    if (intent.kind == IntentKind::None) return;
    changed();
    if (m_mode == AppMode::Staff) return;  // the staff UI has its own controller
    if (intent.kind == IntentKind::OpenStaff) {
        // Nothing of the shopper stays on screen behind staff mode.
        if (m_screen == ScreenId::Feedback && m_session.survey) abandonFeedback("exit");
        resetSession();
        m_mode = AppMode::Staff;
        return;
    }
    if (intent.kind == IntentKind::StartSpeech) {
        // Speech starts from the attract screen (its button, a keypad key); it ends with the session.
        if (m_screen == ScreenId::Attract) m_session.speech = true;
        return;
    }
    if (intent.kind == IntentKind::StopSpeech) {
        m_session.speech = false;
        return;
    }
    if (m_stillThere) {
        if (intent.kind == IntentKind::StillHere) m_stillThere = false;
        return;  // the warning is modal: nothing behind it reacts
    }
    if (m_screen == ScreenId::Sleep) {
        applySleepIntent(intent);  // closed: a touch shows the opening times, nothing else happens
        return;
    }
    if (intent.kind == IntentKind::CodeScanned) {
        // A member card or QR is accepted on any shopper screen before the shopper is signed in.
        // On the contact question the answer is recorded already: a scan would start a sign-in in its middle.
        if (m_session.identity || m_screen == ScreenId::ThankYou || m_screen == ScreenId::Apology ||
            m_screen == ScreenId::Contact) {
            return;
        }
        auto code = normalizeMemberCode(intent.text);
        if (!code) {
            m_screen = ScreenId::SignIn;
            m_session.errorKey = "signin.error.code_invalid";
            return;
        }
        const auto method = methodForCode(*code);
        signInWith(event::Identity{event::Identity::Type::Member, std::move(*code)}, method);
        return;
    }
    switch (m_screen) {
        case ScreenId::Attract:
            switch (intent.kind) {
                case IntentKind::Start: m_screen = ScreenId::SignIn; break;
                case IntentKind::ChooseLanguage:
                    if (std::find(m_options.languages.begin(), m_options.languages.end(), intent.text) !=
                        m_options.languages.end()) {
                        m_session.language = intent.text;
                    }
                    break;
                case IntentKind::ToggleHighContrast: m_session.highContrast = !m_session.highContrast; break;
                case IntentKind::ToggleLargeText: m_session.largeText = !m_session.largeText; break;
                default: break;
            }
            break;
        case ScreenId::SignIn:
            switch (intent.kind) {
                case IntentKind::ShowPhone: m_session.tab = SignInTab::Phone; wipeString(m_session.errorKey); break;
                case IntentKind::ShowEmail: m_session.tab = SignInTab::Email; wipeString(m_session.errorKey); break;
                case IntentKind::KeyChar: typeChar(intent.text); break;
                case IntentKind::KeyBackspace: backspace(); break;
                case IntentKind::KeyClear:
                    wipeString(m_session.tab == SignInTab::Phone ? m_session.phoneText : m_session.emailText);
                    break;
                case IntentKind::SubmitSignIn: submitSignIn(); break;
                case IntentKind::SkipSignIn: startFeedback(); break;
                case IntentKind::Cancel: resetSession(); break;
                default: break;
            }
            break;
        case ScreenId::Consent:
            switch (intent.kind) {
                case IntentKind::ToggleTerms: m_session.termsTicked = !m_session.termsTicked; break;
                case IntentKind::ToggleMarketing: m_session.marketingTicked = !m_session.marketingTicked; break;
                case IntentKind::AcceptConsent: acceptConsent(); break;
                case IntentKind::DeclineConsent:
                    // No consent, no membership: forget the identifier and carry on anonymously.
                    if (m_session.identity) wipeString(m_session.identity->value);
                    m_session.identity.reset();
                    wipeString(m_session.identityHash);
                    startFeedback();
                    break;
                case IntentKind::Cancel: resetSession(); break;
                default: break;
            }
            break;
        case ScreenId::Welcome:
            if (m_session.welcomeState == WelcomeState::Loading && intent.kind != IntentKind::Cancel) break;
            switch (intent.kind) {
                case IntentKind::StartFeedback: startFeedback(); break;
                case IntentKind::FinishWelcome:
                    // "Thank you" only if something was recorded; inside the cooldown nothing was.
                    if (m_session.signinRecorded) {
                        m_screen = ScreenId::ThankYou;
                        m_screenDeadlineMs = m_clock.monotonicMs() + m_options.thankYouMs;
                    } else {
                        resetSession();
                    }
                    break;
                case IntentKind::Cancel: resetSession(); break;
                default: break;
            }
            break;
        case ScreenId::Feedback: {
            auto& run = *m_session.survey;
            switch (intent.kind) {
                case IntentKind::Score: run.setScore(intent.value); break;
                case IntentKind::ToggleOption: run.toggleOption(intent.text); break;
                case IntentKind::KeyChar: typeChar(intent.text); break;
                case IntentKind::KeyBackspace: backspace(); break;
                case IntentKind::NextStep:
                    if (!run.canAdvance()) break;
                    if (run.isLast()) {
                        submitFeedback();
                    } else {
                        run.advance();
                    }
                    break;
                case IntentKind::PrevStep: run.back(); break;
                case IntentKind::ExitSurvey:
                    abandonFeedback(run.hasAnyAnswer() ? "exit" : "skip");
                    resetSession();
                    break;
                default: break;
            }
            break;
        }
        case ScreenId::ThankYou:
        case ScreenId::Apology:
            if (intent.kind == IntentKind::Done) resetSession();
            break;
        case ScreenId::Sleep: break;  // handled above
        case ScreenId::Contact: applyContactIntent(intent); break;
    }
}

void KioskController::typeChar(const std::string& utf8) {
    if (utf8.empty()) return;
    if (m_screen == ScreenId::Feedback) {
        auto& run = *m_session.survey;
        if (run.current().type != StepType::Comment || utf8Length(run.comment()) >= kMaxCommentChars) return;
        run.commentBuffer() += utf8;
        return;
    }
    if (m_screen == ScreenId::Contact) {
        wipeString(m_session.contactErrorKey);
        typeIdentifierChar(m_session.contactTab, m_session.contactPhoneText, m_session.contactEmailText, utf8);
        return;
    }
    wipeString(m_session.errorKey);
    typeIdentifierChar(m_session.tab, m_session.phoneText, m_session.emailText, utf8);
}

void KioskController::backspace() {
    if (m_screen == ScreenId::Feedback) {
        popUtf8(m_session.survey->commentBuffer());
        return;
    }
    if (m_screen == ScreenId::Contact) {
        popUtf8(m_session.contactTab == SignInTab::Phone ? m_session.contactPhoneText : m_session.contactEmailText);
        return;
    }
    popUtf8(m_session.tab == SignInTab::Phone ? m_session.phoneText : m_session.emailText);
}

void KioskController::startFeedback() {
    m_session.survey.emplace(m_survey);
    m_screen = ScreenId::Feedback;
}

std::optional<event::Identity> KioskController::memberForFeedback() const {
    // Feedback is tied to the member when the shopper signed in (also inside the cooldown).
    if (!m_session.identity) return std::nullopt;
    if (m_session.signinRecorded || m_session.welcomeState == WelcomeState::Cooldown) return m_session.identity;
    return std::nullopt;
}

void KioskController::submitFeedback() {
    auto answers = m_session.survey->answers();
    const auto now = m_clock.monotonicMs();
    answers.misuse = m_lastFeedbackMs && now - *m_lastFeedbackMs < m_options.misuseWindowMs;
    m_lastFeedbackMs = now;
    auto message = m_events.feedback(m_session.id, locale(), answers, memberForFeedback());
    wipeString(answers.comment);
    if (const auto r = m_store.record(message); !r) {
        log::error("kiosk", "feedback not recorded", {{"error", r.error()}});
        showApology("apology.not_saved");
        return;
    }
    m_session.survey->wipe();
    afterFeedback(answers, message.messageId);
}

void KioskController::abandonFeedback(const std::string& reason) {
    auto answers = m_session.survey->answers();
    auto message = m_events.feedbackAbandoned(m_session.id, locale(), answers, reason, memberForFeedback());
    wipeString(answers.comment);
    // The shopper is leaving: there is nobody to apologise to, but the loss is logged.
    if (const auto r = m_store.record(message); !r) {
        log::error("kiosk", "abandoned feedback not recorded", {{"error", r.error()}, {"reason", reason}});
    }
}

void KioskController::showApology(const std::string& messageKey) {
    m_session.apologyKey = messageKey;
    m_screen = ScreenId::Apology;
    m_screenDeadlineMs = m_clock.monotonicMs() + m_options.apologyMs;
}

void KioskController::leaveStaffMode() {
    m_mode = AppMode::Shopper;
    resetSession();
}

void KioskController::tick() {
    if (m_mode == AppMode::Staff) return;
    fleetTick();
    const auto now = m_clock.monotonicMs();
    if (m_screenDeadlineMs != 0 && now >= m_screenDeadlineMs) {
        m_screenDeadlineMs = 0;
        changed();
        if (m_screen == ScreenId::Welcome && m_session.welcomeState == WelcomeState::Loading) {
            ++m_welcomeRequest;  // the hub took too long: go on without it
            log::info("kiosk", "welcome timed out");
            resolveWelcome(std::nullopt);
        } else if (m_screen == ScreenId::ThankYou || m_screen == ScreenId::Apology) {
            resetSession();
            return;
        }
    }
    if (m_balanceRefreshAtMs != 0 && now >= m_balanceRefreshAtMs) requestBalance();
    if (m_screen == ScreenId::Attract || m_screen == ScreenId::ThankYou || m_screen == ScreenId::Apology ||
        m_screen == ScreenId::Sleep) {
        return;
    }
    if (!m_stillThere && now - m_lastActivityMs >= scaled(m_options.inactivityMs)) {
        m_stillThere = true;
        m_stillThereDeadlineMs = now + scaled(m_options.stillThereMs);
        changed();
    } else if (m_stillThere && now >= m_stillThereDeadlineMs) {
        if (m_screen == ScreenId::Feedback && m_session.survey) abandonFeedback("timeout");
        log::info("kiosk", "session reset after inactivity");
        resetSession();
    } else if (m_stillThere) {
        changed();  // the countdown on screen moves each second
    }
}

std::optional<std::int64_t> KioskController::nextWakeMs() const {
    if (m_mode == AppMode::Staff) return std::nullopt;
    const auto now = m_clock.monotonicMs();
    std::optional<std::int64_t> next;
    auto consider = [&](std::int64_t t) { next = next ? std::min(*next, t) : t; };
    if (m_screenDeadlineMs != 0) consider(m_screenDeadlineMs);
    if (m_balanceRefreshAtMs != 0) consider(m_balanceRefreshAtMs);
    if (m_options.openingHours && m_nextOpeningCheckMs != 0) consider(m_nextOpeningCheckMs);
    if (m_sleepHoursUntilMs != 0) consider(m_sleepHoursUntilMs);
    // A document waits for the end of the session: look again each second.
    if (m_content.slot != nullptr && m_content.slot->hasPending()) consider(now + 1000);
    if (m_screen == ScreenId::Sleep) return next;
    if (m_screen == ScreenId::Attract) {
        const auto t = now - m_attractSinceMs;
        const auto inPeriod = t % m_options.pulsePeriodMs;
        if (inPeriod < m_options.pulseMs) {
            consider(now + 100);  // 10 frames a second while the pulse runs
        } else {
            consider(now + (m_options.pulsePeriodMs - inPeriod));
        }
    } else if (m_screen != ScreenId::ThankYou && m_screen != ScreenId::Apology) {
        if (m_stillThere) {
            consider(std::min(m_stillThereDeadlineMs, now + 1000));
        } else {
            consider(m_lastActivityMs + scaled(m_options.inactivityMs));
        }
    }
    return next;
}

DisplayVm KioskController::displayVm() const {
    return {m_session.language, m_session.highContrast, m_session.largeText, m_session.speech};
}

AttractVm KioskController::attractVm() const {
    AttractVm vm;
    vm.languages = m_options.languages;
    const auto t = (m_clock.monotonicMs() - m_attractSinceMs) % m_options.pulsePeriodMs;
    if (t < m_options.pulseMs) vm.pulse = static_cast<double>(t) / static_cast<double>(m_options.pulseMs);
    return vm;
}

SignInVm KioskController::signInVm() const {
    return {m_session.tab, m_session.phoneText, m_session.emailText, m_session.errorKey};
}

ConsentVm KioskController::consentVm() const {
    return {kTermsKey, kMarketingKey, m_session.termsTicked, m_session.marketingTicked};
}

WelcomeVm KioskController::welcomeVm() const {
    WelcomeVm vm{m_session.welcomeState, m_session.welcome, m_session.welcomeFromCache, m_session.signinRecorded, {}};
    if (vm.state == WelcomeState::NewMember && !(vm.info && vm.info->found)) {
        vm.preview = startingWelcome(m_options.newMemberStart);
    }
    return vm;
}

FeedbackVm KioskController::feedbackVm() const {
    FeedbackVm vm;
    if (!m_session.survey) return vm;
    const auto& run = *m_session.survey;
    vm.titleKey = m_survey.titleKey;
    vm.step = run.current();
    vm.score = run.score(vm.step.id);
    for (const auto& o : vm.step.options) {
        if (run.isPicked(o.id)) vm.picked.push_back(o.id);
    }
    vm.comment = run.comment();
    std::tie(vm.position, vm.count) = run.position();
    vm.canAdvance = run.canAdvance();
    vm.isLast = run.isLast();
    vm.canGoBack = vm.position > 1;
    return vm;
}

ThankYouVm KioskController::thankYouVm() const { return {m_session.signinRecorded}; }

ApologyVm KioskController::apologyVm() const { return {m_session.apologyKey}; }

StillThereVm KioskController::stillThereVm() const {
    const auto left = std::max<std::int64_t>(0, m_stillThereDeadlineMs - m_clock.monotonicMs());
    return {static_cast<int>((left + 999) / 1000)};
}

}  // namespace touchpoint::kiosk
