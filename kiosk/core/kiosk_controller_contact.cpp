// "May we contact you about this?" after a low score: a separate consent (its own notice, never ticked before
// the shopper taps it) recorded as its own event about the feedback just saved, with the contact sealed by the
// event factory. The signed-in shopper may choose their own phone or e-mail; anyone may type one on the app's
// keypad, checked by the same rules as sign-in. Skipping is possible at every step, and the inactivity reset
// leaves the question without recording anything. The rest of the flow is in kiosk_controller.cpp.
#include "common/log.hpp"
#include "consent_hash.hpp"
#include "controller_session.hpp"
#include "kiosk_controller.hpp"

namespace touchpoint::kiosk {

namespace {

constexpr const char* kContactNoticeKey = "contact.notice_text";

/// What the screen shows of the shopper's own contact: the last four digits of a phone, or an e-mail with
/// everything but the first letter of its local part starred.
std::string maskedContact(const event::Identity& contact) {
    if (contact.type == event::Identity::Type::Phone) {
        const auto& v = contact.value;
        return v.size() > 4 ? v.substr(v.size() - 4) : v;
    }
    const auto at = contact.value.find('@');
    if (at == std::string::npos || at == 0) return "***";
    return contact.value.substr(0, 1) + "***" + contact.value.substr(at);
}

}  // namespace

const std::string& KioskController::contactNoticeText() const {
    return m_texts.text(m_session.language, kContactNoticeKey);
}

void KioskController::showThankYou() {
    m_screen = ScreenId::ThankYou;
    m_screenDeadlineMs = m_clock.monotonicMs() + m_options.thankYouMs;
}

void KioskController::afterFeedback(const event::FeedbackAnswers& answers, const std::string& feedbackMessageId) {
    const auto& feedback = m_options.feedback;
    const bool lowNps = answers.nps && *answers.nps <= feedback.contactNpsMax;
    const bool lowCsat = answers.csat && *answers.csat <= feedback.contactCsatMax;
    // A repeat within the misuse window opens no case at the hub, so the question would be a false promise.
    if (!feedback.contactQuestion || answers.misuse || !(lowNps || lowCsat)) {
        showThankYou();
        return;
    }
    m_session.contactFeedbackId = feedbackMessageId;
    m_session.contactStage = ContactStage::Ask;
    m_session.contactTicked = false;
    m_screen = ScreenId::Contact;
}

std::optional<event::Identity> KioskController::memberContact() const {
    // Only a phone or e-mail the shopper signed in with (a member card carries neither).
    auto member = memberForFeedback();
    if (!member || member->type == event::Identity::Type::Member) return std::nullopt;
    return member;
}

void KioskController::applyContactIntent(const Intent& intent) {
    auto& s = m_session;
    if (intent.kind == IntentKind::SkipContact) {
        // The feedback is saved already: a "no" records nothing more and forgets what was typed.
        wipeString(s.contactPhoneText);
        wipeString(s.contactEmailText);
        wipeString(s.contactErrorKey);
        showThankYou();
        return;
    }
    switch (s.contactStage) {
        case ContactStage::Ask:
            if (intent.kind == IntentKind::ToggleContactConsent) {
                s.contactTicked = !s.contactTicked;
            } else if (intent.kind == IntentKind::AgreeContact && s.contactTicked) {
                s.contactStage = memberContact() ? ContactStage::Choose : ContactStage::Type;
            }
            break;
        case ContactStage::Choose:
            if (intent.kind == IntentKind::UseMemberContact) {
                if (const auto contact = memberContact()) recordContact(*contact);
            } else if (intent.kind == IntentKind::TypeOtherContact) {
                s.contactStage = ContactStage::Type;
            }
            break;
        case ContactStage::Type:
            switch (intent.kind) {
                case IntentKind::ShowPhone: s.contactTab = SignInTab::Phone; wipeString(s.contactErrorKey); break;
                case IntentKind::ShowEmail: s.contactTab = SignInTab::Email; wipeString(s.contactErrorKey); break;
                case IntentKind::KeyChar: typeChar(intent.text); break;
                case IntentKind::KeyBackspace: backspace(); break;
                case IntentKind::KeyClear:
                    wipeString(s.contactTab == SignInTab::Phone ? s.contactPhoneText : s.contactEmailText);
                    break;
                case IntentKind::SubmitContact: submitTypedContact(); break;
                default: break;
            }
            break;
    }
}

void KioskController::submitTypedContact() {
    auto& s = m_session;
    if (s.contactTab == SignInTab::Phone) {
        auto phone = m_phone.normalize(s.contactPhoneText);
        if (!phone) {
            s.contactErrorKey = "signin.error." + std::string(toString(phone.error()));
            return;
        }
        event::Identity contact{event::Identity::Type::Phone, std::move(*phone)};
        recordContact(contact);
        wipeString(contact.value);
    } else {
        auto email = normalizeEmail(s.contactEmailText);
        if (!email) {
            s.contactErrorKey = "signin.error." + std::string(toString(email.error()));
            return;
        }
        event::Identity contact{event::Identity::Type::Email, std::move(*email)};
        recordContact(contact);
        wipeString(contact.value);
    }
}

void KioskController::recordContact(const event::Identity& contact) {
    auto& s = m_session;
    if (!s.contactTicked || s.contactFeedbackId.empty()) return;
    event::ConsentRecord notice;
    notice.noticeId = m_options.contactNoticeId;
    notice.noticeVersion = m_options.contactNoticeVersion;
    notice.textSha256 = sha256Hex(contactNoticeText());
    auto message = m_events.feedbackContactConsent(s.id, locale(), contact, notice, s.contactFeedbackId);
    if (const auto r = m_store.record(message); !r) {
        log::error("kiosk", "contact consent not recorded", {{"error", r.error()}});
        showApology("apology.not_saved");
        return;
    }
    wipeString(s.contactPhoneText);
    wipeString(s.contactEmailText);
    wipeString(s.contactErrorKey);
    showThankYou();
}

ContactVm KioskController::contactVm() const {
    const auto& s = m_session;
    ContactVm vm;
    vm.stage = s.contactStage;
    vm.noticeKey = kContactNoticeKey;
    vm.consentTicked = s.contactTicked;
    if (const auto contact = memberContact()) {
        vm.memberContact = maskedContact(*contact);
        vm.memberContactIsPhone = contact->type == event::Identity::Type::Phone;
    }
    vm.tab = s.contactTab;
    vm.phoneText = s.contactPhoneText;
    vm.emailText = s.contactEmailText;
    vm.errorKey = s.contactErrorKey;
    return vm;
}

}  // namespace touchpoint::kiosk
