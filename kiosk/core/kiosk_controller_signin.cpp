// Sign-in, the hub's welcome answer, consent and the balance refresh after a sign-up: the part of the flow
// that talks to the hub (through the ProfileClient, answers back through the RunQueue) and decides between
// member, new member, offline and cooldown. The rest of the flow is in kiosk_controller.cpp.
#include "common/log.hpp"
#include "consent_hash.hpp"
#include "controller_session.hpp"
#include "kiosk_controller.hpp"

namespace touchpoint::kiosk {

void KioskController::submitSignIn() {
    if (m_session.tab == SignInTab::Phone) {
        auto phone = m_phone.normalize(m_session.phoneText);
        if (!phone) {
            m_session.errorKey = "signin.error." + std::string(toString(phone.error()));
            return;
        }
        signInWith(event::Identity{event::Identity::Type::Phone, std::move(*phone)}, event::SigninMethod::Phone);
    } else {
        auto email = normalizeEmail(m_session.emailText);
        if (!email) {
            m_session.errorKey = "signin.error." + std::string(toString(email.error()));
            return;
        }
        signInWith(event::Identity{event::Identity::Type::Email, std::move(*email)}, event::SigninMethod::Email);
    }
}

void KioskController::signInWith(event::Identity identity, event::SigninMethod method) {
    // What was typed is no longer needed once it became an identity.
    wipeString(m_session.phoneText);
    wipeString(m_session.emailText);
    wipeString(m_session.errorKey);
    m_session.identityHash = m_events.identityHash(identity);
    m_session.identity = std::move(identity);
    m_session.method = method;
    const auto since = m_clock.utcMs() - m_options.cooldownMs;
    const auto recent = m_store.signedInSince(m_session.identityHash, since);
    if (!recent) log::warn("kiosk", "local cooldown check failed", {{"error", recent.error()}});
    m_session.localCooldown = recent.ok() && *recent;
    m_screen = ScreenId::Welcome;
    m_session.welcomeState = WelcomeState::Loading;
    if (m_profiles == nullptr) {
        resolveWelcome(std::nullopt);
        return;
    }
    const auto request = ++m_welcomeRequest;
    // A little grace beyond the client's own timeout so its answer normally wins the race with ours.
    m_screenDeadlineMs = m_clock.monotonicMs() + m_options.welcomeTimeoutMs + 250;
    m_profiles->requestWelcome(*m_session.identity, [this, request](Result<WelcomeInfo, std::string> r) {
        // Runs on the client's thread: hand the answer to the UI thread, never touch state here.
        m_queue.post([this, request, r = std::move(r)]() mutable { onWelcome(request, std::move(r)); });
    });
}

void KioskController::onWelcome(std::uint64_t requestId, Result<WelcomeInfo, std::string> result) {
    if (requestId != m_welcomeRequest || m_screen != ScreenId::Welcome ||
        m_session.welcomeState != WelcomeState::Loading) {
        return;  // late, or for a shopper who has gone
    }
    changed();
    if (!result) {
        log::info("kiosk", "welcome offline", {{"reason", result.error()}});
        resolveWelcome(std::nullopt);
        return;
    }
    resolveWelcome(std::move(result).value());
}

void KioskController::resolveWelcome(const std::optional<WelcomeInfo>& online) {
    m_screenDeadlineMs = 0;
    auto& s = m_session;
    const auto now = m_clock.utcMs();
    if (online) {
        if (!online->found) {
            s.hubSaidNew = true;
            if (s.localCooldown) {
                // Signed up here moments ago and the hub has not heard yet: the same shopper again.
                s.welcomeState = WelcomeState::Cooldown;
                return;
            }
            m_screen = ScreenId::Consent;
            return;
        }
        m_cache.put(s.identityHash, *online);
        s.welcome = *online;
        s.welcomeFromCache = false;
        const auto cooldown = online->cooldownSeconds > 0 ? online->cooldownSeconds * 1000 : m_options.cooldownMs;
        const bool hubCooldown = online->lastCheckinMs && now - *online->lastCheckinMs < cooldown &&
                                 *online->lastCheckinMs <= now + 60'000;
        if (s.localCooldown || hubCooldown) {
            s.welcomeState = WelcomeState::Cooldown;
            return;
        }
        if (recordSignin(false)) s.welcomeState = WelcomeState::Member;
        return;
    }
    // Offline (or no hub configured): the cache may know this shopper.
    s.welcome = m_cache.get(s.identityHash);
    s.welcomeFromCache = s.welcome.has_value();
    if (s.localCooldown) {
        s.welcomeState = WelcomeState::Cooldown;
        return;
    }
    if (!s.welcome) {
        // Membership cannot be confirmed: ask for consent. For an existing member this only records
        // their agreement again, which is harmless; skipping it for a new member would not be.
        m_screen = ScreenId::Consent;
        return;
    }
    if (recordSignin(false)) s.welcomeState = WelcomeState::Offline;
}

bool KioskController::recordSignin(bool newMember) {
    auto message = m_events.signin(m_session.id, locale(), m_session.method, *m_session.identity, newMember);
    const auto r = m_store.record(message);
    if (!r) {
        log::error("kiosk", "sign-in not recorded", {{"error", r.error()}});
        showApology("apology.not_saved");
        return false;
    }
    m_session.signinRecorded = true;
    return true;
}

void KioskController::acceptConsent() {
    if (!m_session.termsTicked || !m_session.identity) return;
    event::ConsentRecord record;
    record.noticeId = m_options.consentNoticeId;
    record.noticeVersion = m_options.consentNoticeVersion;
    record.textSha256 = sha256Hex(termsText());
    record.purposes.push_back("loyalty_terms");
    if (m_session.marketingTicked) record.purposes.push_back("marketing_email");
    auto message = m_events.consent(m_session.id, locale(), *m_session.identity, record);
    if (const auto r = m_store.record(message); !r) {
        log::error("kiosk", "consent not recorded", {{"error", r.error()}});
        showApology("apology.not_saved");
        return;
    }
    m_screen = ScreenId::Welcome;
    if (!recordSignin(m_session.hubSaidNew)) return;
    m_session.welcomeState = m_session.hubSaidNew ? WelcomeState::NewMember : WelcomeState::Offline;
    if (m_session.hubSaidNew && m_profiles != nullptr && m_options.balanceRefreshAttempts > 0) {
        // The hub knows nothing of this member until the uploader delivers the sign-up: ask a little later.
        m_balanceRefreshesLeft = m_options.balanceRefreshAttempts;
        m_balanceRefreshAtMs = m_clock.monotonicMs() + m_options.balanceRefreshMs;
    }
}

void KioskController::requestBalance() {
    m_balanceRefreshAtMs = 0;
    if (m_screen != ScreenId::Welcome || m_session.welcomeState != WelcomeState::NewMember || !m_session.identity ||
        m_profiles == nullptr || m_balanceRefreshesLeft <= 0) {
        m_balanceRefreshesLeft = 0;
        return;
    }
    --m_balanceRefreshesLeft;
    const auto request = ++m_welcomeRequest;
    m_profiles->requestWelcome(*m_session.identity, [this, request](Result<WelcomeInfo, std::string> r) {
        // Runs on the client's thread: hand the answer to the UI thread, never touch state here.
        m_queue.post([this, request, r = std::move(r)]() mutable { onBalance(request, std::move(r)); });
    });
}

void KioskController::onBalance(std::uint64_t requestId, Result<WelcomeInfo, std::string> result) {
    if (requestId != m_welcomeRequest || m_screen != ScreenId::Welcome ||
        m_session.welcomeState != WelcomeState::NewMember) {
        return;  // late, or the shopper has moved on
    }
    if (result && result->found) {
        // Only what the screen shows changes: the sign-up was recorded already and stays the new-member welcome.
        m_cache.put(m_session.identityHash, *result);
        m_session.welcome = std::move(result).value();
        m_session.welcomeFromCache = false;
        m_balanceRefreshesLeft = 0;
        changed();
        return;
    }
    if (m_balanceRefreshesLeft > 0) {
        m_balanceRefreshAtMs = m_clock.monotonicMs() + m_options.balanceRefreshMs;
    } else {
        log::info("kiosk", "new member's balance not available yet",
                  {{"reason", result ? std::string("not found") : result.error()}});
    }
}

}  // namespace touchpoint::kiosk
