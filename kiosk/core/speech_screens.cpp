#include "speech_screens.hpp"

#include <algorithm>
#include <map>

#include "keyboard_layout.hpp"

namespace touchpoint::kiosk {

namespace {

/// Builds one screen's description in the shopper's language.
class Builder {
public:
    Builder(const Translations& texts, std::string language, std::string key)
        : m_texts(texts) {
        m_out.language = std::move(language);
        m_out.key = std::move(key);
    }
    const std::string& tr(const std::string& key) const { return m_texts.text(m_out.language, key); }
    std::string fmt(const std::string& key, const std::map<std::string, std::string>& values) const {
        return formatText(tr(key), values);
    }
    void title(std::string t) { m_out.title = std::move(t); }
    void line(const std::string& text) { appendSentence(m_out.body, text); }
    void status(std::string s) { m_out.status = std::move(s); }
    void back(Intent i) { m_out.back = std::move(i); }
    FocusControl& add(std::string id, std::string label, ControlRole role, std::string group, Intent intent,
                      bool selected = false, bool enabled = true) {
        m_out.controls.push_back(FocusControl{std::move(id), std::move(label), role, std::move(group), selected,
                                              enabled, std::move(intent), {}});
        return m_out.controls.back();
    }
    void focusHere() { m_out.initialFocus = m_out.controls.size(); }
    void focusOnSelected() {
        for (std::size_t i = 0; i < m_out.controls.size(); ++i) {
            if (m_out.controls[i].selected) {
                m_out.initialFocus = i;
                return;
            }
        }
    }
    ScreenSpeech take() { return std::move(m_out); }

    /// How a key is said: punctuation by name (espeak-ng says nothing for a lone "."), letters as themselves.
    std::string keyLabel(const std::string& key) const {
        static const std::map<std::string, std::string> kNamed{
            {"+", "speech.key.plus"},  {"@", "speech.key.at"},         {".", "speech.key.dot"},
            {"_", "speech.key.underscore"}, {"-", "speech.key.dash"},  {",", "speech.key.comma"},
            {"'", "speech.key.apostrophe"}, {"?", "speech.key.question"}, {"!", "speech.key.exclamation"},
            {"space", "keys.space"},   {"backspace", "keys.backspace"}};
        const auto it = kNamed.find(key);
        return it == kNamed.end() ? key : tr(it->second);
    }

    void keys(const std::vector<std::string>& keys, bool keypad, const std::string& group) {
        for (const auto& k : keys) {
            const Intent intent = k == "backspace" ? Intent::of(IntentKind::KeyBackspace)
                                                   : Intent::withText(IntentKind::KeyChar, k == "space" ? " " : k);
            add(keyWidgetId(k, keypad), keyLabel(k), ControlRole::Key, group, intent);
        }
    }

private:
    const Translations& m_texts;
    ScreenSpeech m_out;
};

/// Digits are said one by one ("2 0 2", not "two hundred and two").
std::string spelled(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (!out.empty()) out += ' ';
        out += c;
    }
    return out;
}

ScreenSpeech attract(const KioskController& c, const Translations& texts, const std::string& lang) {
    Builder b(texts, lang, "attract");
    const auto display = c.displayVm();
    b.title(b.tr("attract.brand"));
    b.line(b.tr("attract.subtitle"));
    b.add("attract.start", b.tr("attract.tap_to_start"), ControlRole::Button, "start", Intent::of(IntentKind::Start));
    b.add("attract.speech", b.tr("attract.speech"), ControlRole::Button, "start",
          Intent::of(display.speech ? IntentKind::StopSpeech : IntentKind::StartSpeech), display.speech);
    for (const auto& l : c.attractVm().languages) {
        // Each language is said in its own language, as it is labelled on screen.
        b.add("lang." + l, texts.text(l, "language.name"), ControlRole::Button, "languages",
              Intent::withText(IntentKind::ChooseLanguage, l), l == lang);
    }
    b.add("a11y.contrast", b.tr("a11y.high_contrast"), ControlRole::Checkbox, "display",
          Intent::of(IntentKind::ToggleHighContrast), display.highContrast);
    b.add("a11y.large", b.tr("a11y.large_text"), ControlRole::Checkbox, "display",
          Intent::of(IntentKind::ToggleLargeText), display.largeText);
    return b.take();
}

ScreenSpeech signIn(const KioskController& c, const Translations& texts, const std::string& lang) {
    const auto vm = c.signInVm();
    const bool phone = vm.tab == SignInTab::Phone;
    Builder b(texts, lang, phone ? "signin.phone" : "signin.email");
    b.title(b.tr("signin.title"));
    b.line(b.tr("signin.scan_hint"));
    if (!vm.errorKey.empty()) b.status(b.tr(vm.errorKey));
    b.add("signin.tab.phone", b.tr("signin.tab_phone"), ControlRole::Tab, "tabs", Intent::of(IntentKind::ShowPhone),
          phone);
    b.add("signin.tab.email", b.tr("signin.tab_email"), ControlRole::Tab, "tabs", Intent::of(IntentKind::ShowEmail),
          !phone);
    const auto& typed = phone ? vm.phoneText : vm.emailText;
    b.add("signin.field", b.tr(phone ? "signin.phone_prompt" : "signin.email_prompt"), ControlRole::TextField, "field",
          Intent{}).value = phone ? spelled(typed) : typed;
    b.focusHere();  // straight onto the keys: typing is what this screen is for
    if (phone) {
        b.keys(phoneKeypadKeys(), true, "keypad");
    } else {
        for (const auto& row : keyboardRows(KeyboardLayout::Email)) b.keys(row, false, "keyboard");
    }
    b.add("signin.submit", b.tr("signin.submit"), ControlRole::Button, "actions", Intent::of(IntentKind::SubmitSignIn));
    b.add("signin.skip", b.tr("signin.skip"), ControlRole::Button, "actions", Intent::of(IntentKind::SkipSignIn));
    b.add("signin.cancel", b.tr("common.cancel"), ControlRole::Button, "actions", Intent::of(IntentKind::Cancel));
    // Back deletes what was typed; leaving the screen (and speech mode with the session) takes Cancel.
    if (!typed.empty()) b.back(Intent::of(IntentKind::KeyBackspace));
    return b.take();
}

ScreenSpeech consent(const KioskController& c, const Translations& texts, const std::string& lang) {
    const auto vm = c.consentVm();
    Builder b(texts, lang, "consent");
    b.title(b.tr("consent.title"));
    b.line(b.tr(vm.termsKey));
    b.add("consent.terms", b.tr("consent.terms_label"), ControlRole::Checkbox, "choices",
          Intent::of(IntentKind::ToggleTerms), vm.termsTicked);
    b.add("consent.marketing", b.tr(vm.marketingKey), ControlRole::Checkbox, "choices",
          Intent::of(IntentKind::ToggleMarketing), vm.marketingTicked);
    b.add("consent.accept", b.tr("consent.accept"), ControlRole::Button, "actions",
          Intent::of(IntentKind::AcceptConsent), false, vm.termsTicked);
    b.add("consent.decline", b.tr("consent.decline"), ControlRole::Button, "actions",
          Intent::of(IntentKind::DeclineConsent));
    b.add("consent.cancel", b.tr("common.cancel"), ControlRole::Button, "actions", Intent::of(IntentKind::Cancel));
    return b.take();
}

ScreenSpeech welcome(const KioskController& c, const Translations& texts, const std::string& lang) {
    const auto vm = c.welcomeVm();
    Builder b(texts, lang, vm.state == WelcomeState::Loading ? "welcome.loading" : "welcome");
    if (vm.state == WelcomeState::Loading) {
        b.title(b.tr("welcome.loading"));
        b.add("welcome.cancel", b.tr("common.cancel"), ControlRole::Button, "actions", Intent::of(IntentKind::Cancel));
        return b.take();
    }
    const auto initial = vm.info ? vm.info->firstInitial : std::string();
    if (vm.state == WelcomeState::NewMember) {
        b.title(b.tr("welcome.new_member"));
    } else {
        b.title(initial.empty() ? b.tr("welcome.hello_anonymous") : b.fmt("welcome.hello", {{"initial", initial}}));
    }
    if (vm.state == WelcomeState::Cooldown) b.line(b.tr("welcome.cooldown"));
    if (vm.state == WelcomeState::Offline) b.line(b.tr("welcome.offline"));
    if (vm.state == WelcomeState::Member && vm.info && vm.info->pointsPerCheckin > 0) {
        b.line(b.fmt("welcome.earned", {{"points", std::to_string(vm.info->pointsPerCheckin)}}));
    } else if (vm.state != WelcomeState::Cooldown && vm.state != WelcomeState::Offline && vm.preview) {
        // What the screen shows a new member before the hub's figures (welcome_screen.cpp), in the same order.
        b.line(b.fmt("welcome.pending", {{"points", std::to_string(vm.preview->pointsPerCheckin)}}));
    }
    const bool fromHub = vm.info && vm.info->found;
    if (fromHub || vm.preview) {
        const auto& info = fromHub ? *vm.info : *vm.preview;
        const bool cached = fromHub && vm.infoFromCache;
        if (!info.tier.empty()) b.line(b.fmt("welcome.tier", {{"tier", info.tier}}));
        b.line(b.fmt("welcome.points", {{"points", std::to_string(info.points)}}));
        if (cached) b.line(b.tr("welcome.cached_note"));
        if (!info.nextTier.empty()) {
            b.line(b.fmt("welcome.progress", {{"points", std::to_string(info.pointsToNextTier)}, {"tier", info.nextTier}}));
        }
        if (!info.nextStepText.empty() && !cached) b.line(b.tr("welcome.next_step") + ": " + info.nextStepText);
        if (!fromHub && !info.rewards.empty()) {
            b.line(b.fmt("welcome.next_reward",
                         {{"reward", info.rewards.front().name}, {"points", std::to_string(info.rewards.front().points)}}));
        }
    }
    b.add("welcome.feedback", b.tr("welcome.feedback"), ControlRole::Button, "actions",
          Intent::of(IntentKind::StartFeedback));
    b.add("welcome.done", b.tr("common.done"), ControlRole::Button, "actions", Intent::of(IntentKind::FinishWelcome));
    return b.take();
}

ScreenSpeech feedback(const KioskController& c, const Translations& texts, const std::string& lang) {
    const auto vm = c.feedbackVm();
    Builder b(texts, lang, "feedback." + vm.step.id);
    b.title(b.fmt("feedback.step", {{"n", std::to_string(vm.position)}, {"count", std::to_string(vm.count)}}) + ". " +
            b.tr(vm.step.questionKey));
    const auto scores = [&](const std::string& prefix, int from, int to) {
        for (int v = from; v <= to; ++v) {
            b.add(prefix + "." + std::to_string(v), std::to_string(v), ControlRole::Button, prefix,
                  Intent::withValue(IntentKind::Score, v), vm.score == v);
        }
    };
    switch (vm.step.type) {
        case StepType::Nps:
            b.line(b.tr("feedback.nps_low") + ": 0. " + b.tr("feedback.nps_high") + ": 10");
            scores("nps", 0, 10);
            break;
        case StepType::Ces:
            b.line(b.tr("feedback.ces_low") + ": 1. " + b.tr("feedback.ces_high") + ": 7");
            scores("ces", 1, 7);
            break;
        case StepType::Csat:
            for (int v = 1; v <= 5; ++v) {
                b.add("csat." + std::to_string(v), b.tr("feedback.csat." + std::to_string(v)), ControlRole::Button,
                      "csat", Intent::withValue(IntentKind::Score, v), vm.score == v);
            }
            break;
        case StepType::Choice:
            for (const auto& o : vm.step.options) {
                const bool on = std::find(vm.picked.begin(), vm.picked.end(), o.id) != vm.picked.end();
                b.add("choice." + o.id, b.tr(o.labelKey), ControlRole::Checkbox, "choices",
                      Intent::withText(IntentKind::ToggleOption, o.id), on);
            }
            break;
        case StepType::Comment:
            b.add("feedback.comment", b.tr("feedback.comment_hint"), ControlRole::TextField, "field", Intent{}).value =
                vm.comment;
            b.focusHere();
            for (const auto& row : keyboardRows(KeyboardLayout::Text)) b.keys(row, false, "keyboard");
            break;
    }
    // The first answer, or the one already chosen when the shopper comes back to this step.
    b.focusOnSelected();
    b.add("feedback.exit", b.tr("feedback.exit"), ControlRole::Button, "actions", Intent::of(IntentKind::ExitSurvey));
    if (vm.canGoBack) {
        b.add("feedback.back", b.tr("feedback.back"), ControlRole::Button, "actions", Intent::of(IntentKind::PrevStep));
        b.back(Intent::of(IntentKind::PrevStep));
    }
    const bool answered = vm.canAdvance && (vm.score || !vm.picked.empty() || !vm.comment.empty());
    const auto& next = vm.isLast ? b.tr("feedback.submit")
                                 : b.tr(answered || !vm.step.optional ? "feedback.next" : "feedback.skip");
    b.add("feedback.next", next, ControlRole::Button, "actions", Intent::of(IntentKind::NextStep), false,
          vm.canAdvance);
    return b.take();
}

ScreenSpeech contact(const KioskController& c, const Translations& texts, const std::string& lang) {
    const auto vm = c.contactVm();
    const bool phone = vm.tab == SignInTab::Phone;
    switch (vm.stage) {
        case ContactStage::Ask: {
            Builder b(texts, lang, "contact.ask");
            b.title(b.tr("contact.title"));
            b.line(b.tr("contact.body"));
            b.line(b.tr(vm.noticeKey));
            b.add("contact.consent", b.tr("contact.consent_label"), ControlRole::Checkbox, "choices",
                  Intent::of(IntentKind::ToggleContactConsent), vm.consentTicked);
            b.add("contact.agree", b.tr("contact.agree"), ControlRole::Button, "actions",
                  Intent::of(IntentKind::AgreeContact), false, vm.consentTicked);
            b.add("contact.skip", b.tr("contact.skip"), ControlRole::Button, "actions",
                  Intent::of(IntentKind::SkipContact));
            return b.take();
        }
        case ContactStage::Choose: {
            Builder b(texts, lang, "contact.choose");
            b.title(b.tr("contact.choose_title"));
            const auto own = vm.memberContactIsPhone ? b.fmt("contact.use_phone", {{"last", spelled(vm.memberContact)}})
                                                     : b.fmt("contact.use_email", {{"email", vm.memberContact}});
            b.add("contact.use_member", own, ControlRole::Button, "actions", Intent::of(IntentKind::UseMemberContact));
            b.add("contact.use_other", b.tr("contact.use_other"), ControlRole::Button, "actions",
                  Intent::of(IntentKind::TypeOtherContact));
            b.add("contact.skip", b.tr("contact.skip"), ControlRole::Button, "actions",
                  Intent::of(IntentKind::SkipContact));
            return b.take();
        }
        case ContactStage::Type: break;
    }
    Builder b(texts, lang, phone ? "contact.type.phone" : "contact.type.email");
    b.title(b.tr("contact.type_title"));
    if (!vm.errorKey.empty()) b.status(b.tr(vm.errorKey));
    b.add("contact.tab.phone", b.tr("signin.tab_phone"), ControlRole::Tab, "tabs", Intent::of(IntentKind::ShowPhone),
          phone);
    b.add("contact.tab.email", b.tr("signin.tab_email"), ControlRole::Tab, "tabs", Intent::of(IntentKind::ShowEmail),
          !phone);
    const auto& typed = phone ? vm.phoneText : vm.emailText;
    b.add("contact.field", b.tr(phone ? "signin.phone_prompt" : "signin.email_prompt"), ControlRole::TextField,
          "field", Intent{})
        .value = phone ? spelled(typed) : typed;
    b.focusHere();
    if (phone) {
        b.keys(phoneKeypadKeys(), true, "keypad");
    } else {
        for (const auto& row : keyboardRows(KeyboardLayout::Email)) b.keys(row, false, "keyboard");
    }
    b.add("contact.submit", b.tr("contact.submit"), ControlRole::Button, "actions",
          Intent::of(IntentKind::SubmitContact));
    b.add("contact.skip", b.tr("contact.skip"), ControlRole::Button, "actions", Intent::of(IntentKind::SkipContact));
    if (!typed.empty()) b.back(Intent::of(IntentKind::KeyBackspace));
    return b.take();
}

ScreenSpeech thankYou(const KioskController& c, const Translations& texts, const std::string& lang) {
    Builder b(texts, lang, "thankyou");
    b.title(b.tr("thanks.title"));
    if (c.thankYouVm().member) b.line(b.tr("thanks.member"));
    b.line(b.tr("thanks.body"));
    b.add("thanks.done", b.tr("common.done"), ControlRole::Button, "actions", Intent::of(IntentKind::Done));
    return b.take();
}

ScreenSpeech apology(const KioskController& c, const Translations& texts, const std::string& lang) {
    const auto vm = c.apologyVm();
    Builder b(texts, lang, "apology");
    b.title(b.tr("apology.title"));
    b.line(b.tr(vm.messageKey.empty() ? "apology.not_saved" : vm.messageKey));
    b.add("apology.done", b.tr("common.done"), ControlRole::Button, "actions", Intent::of(IntentKind::Done));
    return b.take();
}

ScreenSpeech sleep(const KioskController& c, const Translations& texts, const std::string& lang) {
    const auto vm = c.sleepVm();
    Builder b(texts, lang, "sleep");
    b.title(b.tr("sleep.closed"));
    if (!vm.showHours) b.line(b.tr("sleep.touch_hint"));
    for (const auto& day : vm.days) {
        if (!vm.showHours) break;
        std::string hours;
        for (const auto& [open, close] : day.periods) {
            if (!hours.empty()) hours += ", ";
            hours += b.fmt("sleep.period", {{"open", open}, {"close", close}});
        }
        b.line(b.tr(day.dayKey) + ": " + (hours.empty() ? b.tr("sleep.day_closed") : hours));
    }
    b.add("sleep.wake", b.tr("sleep.hours_title"), ControlRole::Button, "actions", Intent::of(IntentKind::Wake));
    for (const auto& l : vm.languages) {
        b.add("sleep.lang." + l, texts.text(l, "language.name"), ControlRole::Button, "languages",
              Intent::withText(IntentKind::ChooseLanguage, l));
    }
    return b.take();
}

ScreenSpeech stillThere(const KioskController& c, const Translations& texts, const std::string& lang) {
    Builder b(texts, lang, "stillthere");
    b.title(b.tr("stillthere.title"));
    b.line(b.fmt("stillthere.body", {{"seconds", std::to_string(c.stillThereVm().secondsLeft)}}));
    b.add("stillthere.continue", b.tr("stillthere.continue"), ControlRole::Button, "actions",
          Intent::of(IntentKind::StillHere));
    b.back(Intent::of(IntentKind::StillHere));
    return b.take();
}

}  // namespace

void appendSentence(std::string& out, const std::string& sentence) {
    if (sentence.empty()) return;
    if (!out.empty()) out += (out.back() == '.' || out.back() == '!' || out.back() == '?') ? " " : ". ";
    out += sentence;
}

std::string_view toString(ControlRole role) {
    switch (role) {
        case ControlRole::Button: return "button";
        case ControlRole::Tab: return "tab";
        case ControlRole::Checkbox: return "checkbox";
        case ControlRole::Key: return "key";
        case ControlRole::TextField: return "text_field";
    }
    return "button";
}

ScreenSpeech describeScreen(const KioskController& controller, const Translations& texts) {
    const auto lang = controller.displayVm().language;
    if (controller.stillThereShown()) return stillThere(controller, texts, lang);
    switch (controller.screen()) {
        case ScreenId::Attract: return attract(controller, texts, lang);
        case ScreenId::SignIn: return signIn(controller, texts, lang);
        case ScreenId::Consent: return consent(controller, texts, lang);
        case ScreenId::Welcome: return welcome(controller, texts, lang);
        case ScreenId::Feedback: return feedback(controller, texts, lang);
        case ScreenId::ThankYou: return thankYou(controller, texts, lang);
        case ScreenId::Apology: return apology(controller, texts, lang);
        case ScreenId::Sleep: return sleep(controller, texts, lang);
        case ScreenId::Contact: return contact(controller, texts, lang);
    }
    return attract(controller, texts, lang);
}

}  // namespace touchpoint::kiosk
