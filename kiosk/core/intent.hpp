#pragma once
// What a shopper asked for on a screen. Screens return intents; KioskController applies them. One plain
// struct (not a variant) so the script driver, the frame tests and logs can name and compare them easily.

#include <string>
#include <string_view>

namespace touchpoint::kiosk {

enum class IntentKind {
    None,
    // attract
    Start, ChooseLanguage, ToggleHighContrast, ToggleLargeText, StartSpeech,
    // sign-in (KeyChar/KeyBackspace also type the survey comment)
    ShowPhone, ShowEmail, KeyChar, KeyBackspace, KeyClear, SubmitSignIn, SkipSignIn, Cancel,
    CodeScanned,
    // consent
    ToggleTerms, ToggleMarketing, AcceptConsent, DeclineConsent,
    // welcome
    StartFeedback, FinishWelcome,
    // feedback
    Score, ToggleOption, NextStep, PrevStep, ExitSurvey,
    // anywhere
    StillHere, Done, OpenStaff, StopSpeech,
    // sleep screen (outside opening hours): a touch shows the opening times
    Wake,
    // contact question after a low score (typing reuses ShowPhone/ShowEmail/KeyChar/KeyBackspace/KeyClear)
    ToggleContactConsent, AgreeContact, UseMemberContact, TypeOtherContact, SubmitContact, SkipContact,
};
std::string_view toString(IntentKind kind);

struct Intent {
    IntentKind kind = IntentKind::None;
    int value = 0;       ///< Score
    std::string text;    ///< ChooseLanguage, KeyChar (UTF-8), CodeScanned, ToggleOption

    explicit operator bool() const { return kind != IntentKind::None; }
    static Intent of(IntentKind k) { return Intent{k, 0, {}}; }
    static Intent withValue(IntentKind k, int v) { return Intent{k, v, {}}; }
    static Intent withText(IntentKind k, std::string t) { return Intent{k, 0, std::move(t)}; }
};

}  // namespace touchpoint::kiosk
