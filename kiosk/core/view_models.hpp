#pragma once
// Everything a screen needs to draw, copied out of the controller once per frame. Screens read these and
// return intents; they never reach into the controller. Text the shopper typed is here only while its
// screen is up.

#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "profile.hpp"
#include "survey.hpp"

namespace touchpoint::kiosk {

enum class ScreenId { Attract, SignIn, Consent, Welcome, Feedback, ThankYou, Apology, Sleep, Contact };
std::string_view toString(ScreenId id);

enum class SignInTab { Phone, Email };

/// Presentation choices that apply to every screen.
struct DisplayVm {
    std::string language;
    bool highContrast = false;
    bool largeText = false;
    bool speech = false;  ///< speech and keypad mode: screens are spoken, a focus ring is drawn
};

struct AttractVm {
    std::vector<std::string> languages;
    /// 0..1 position in the current pulse, or nothing between pulses (then nothing moves and nothing redraws).
    std::optional<double> pulse;
};

struct SignInVm {
    SignInTab tab = SignInTab::Phone;
    std::string phoneText;
    std::string emailText;
    std::string errorKey;  ///< translation key, empty when there is nothing to say
};

struct ConsentVm {
    std::string termsKey;      ///< translation key of the notice text shown (and hashed)
    std::string marketingKey;
    bool termsTicked = false;
    bool marketingTicked = false;
};

enum class WelcomeState { Loading, Member, NewMember, Offline, Cooldown };

struct WelcomeVm {
    WelcomeState state = WelcomeState::Loading;
    std::optional<WelcomeInfo> info;  ///< from the hub, or the cache when offline
    bool infoFromCache = false;
    bool signedIn = false;
    /// A new member's welcome before the hub's figures: the kiosk's own (points pending sync). Nothing once
    /// `info` holds the hub's answer.
    std::optional<WelcomeInfo> preview;
};

struct FeedbackVm {
    std::string titleKey;
    SurveyStep step;
    std::optional<int> score;
    std::vector<std::string> picked;
    std::string comment;
    int position = 1;
    int count = 1;
    bool canAdvance = false;
    bool isLast = false;
    bool canGoBack = false;
};

/// "May we contact you about this?" after a low score: the question with its notice and an unticked box, then
/// (a signed-in shopper) their own phone or e-mail offered masked, or a phone or e-mail typed on the keypad.
enum class ContactStage { Ask, Choose, Type };

struct ContactVm {
    ContactStage stage = ContactStage::Ask;
    std::string noticeKey;        ///< translation key of the notice text shown (and hashed)
    bool consentTicked = false;   ///< never ticked before the shopper taps it
    /// The signed-in shopper's own contact, masked for the screen ("ending in 0143", "a***@example.com");
    /// empty when there is none to offer (not signed in, or signed in with a member card).
    std::string memberContact;
    bool memberContactIsPhone = true;
    SignInTab tab = SignInTab::Phone;
    std::string phoneText;
    std::string emailText;
    std::string errorKey;  ///< translation key, empty when there is nothing to say
};

struct ThankYouVm {
    bool member = false;
};

struct ApologyVm {
    std::string messageKey;
};

/// Outside the store's opening hours: the closed message, and after a touch the opening times.
struct SleepVm {
    struct Day {
        std::string dayKey;              ///< "sleep.day.mon" ... "sleep.day.sun"
        std::vector<std::pair<std::string, std::string>> periods;  ///< ("08:00", "20:00"); empty: closed all day
    };
    bool showHours = false;
    std::vector<Day> days;  ///< Monday first
    /// The languages a shopper may read the sleep screen in (empty when the kiosk offers only one).
    std::vector<std::string> languages;
};

struct StillThereVm {
    int secondsLeft = 0;
};

}  // namespace touchpoint::kiosk
