#pragma once
// The shopper's session, shared by the controller's source files (kiosk_controller.cpp: the flow, timers
// and view models; kiosk_controller_signin.cpp: sign-in, the hub's welcome answer and consent;
// kiosk_controller_contact.cpp: the contact question after a low score). Internal to
// the core library: nothing outside kiosk/core includes it.

#include <optional>
#include <string>

#include "kiosk_controller.hpp"
#include "wipe.hpp"

namespace touchpoint::kiosk {

/// One shopper's visit. Everything here is wiped (strings overwritten) at reset.
struct KioskController::Session {
    std::string id;
    std::string language;
    bool highContrast = false;
    bool largeText = false;
    bool speech = false;  ///< speech and keypad mode (ends with the session)
    SignInTab tab = SignInTab::Phone;
    std::string phoneText;
    std::string emailText;
    std::string errorKey;
    std::optional<event::Identity> identity;
    std::string identityHash;
    event::SigninMethod method = event::SigninMethod::Phone;
    bool localCooldown = false;
    bool hubSaidNew = false;
    bool signinRecorded = false;
    bool termsTicked = false;
    bool marketingTicked = false;
    WelcomeState welcomeState = WelcomeState::Loading;
    std::optional<WelcomeInfo> welcome;
    bool welcomeFromCache = false;
    std::optional<SurveyRun> survey;
    std::string apologyKey;
    // The contact question (kiosk_controller_contact.cpp): what was typed there is kept apart from sign-in's.
    ContactStage contactStage = ContactStage::Ask;
    bool contactTicked = false;
    SignInTab contactTab = SignInTab::Phone;
    std::string contactPhoneText;
    std::string contactEmailText;
    std::string contactErrorKey;
    std::string contactFeedbackId;  ///< messageId of the feedback the question is about

    void wipe() {
        wipeString(id);
        wipeString(phoneText);
        wipeString(emailText);
        wipeString(errorKey);
        wipeString(identityHash);
        wipeString(apologyKey);
        wipeString(contactPhoneText);
        wipeString(contactEmailText);
        wipeString(contactErrorKey);
        wipeString(contactFeedbackId);
        contactStage = ContactStage::Ask;
        contactTicked = false;
        contactTab = SignInTab::Phone;
        if (identity) wipeString(identity->value);
        identity.reset();
        if (welcome) {
            wipeString(welcome->firstInitial);
            wipeString(welcome->nextStepText);
        }
        welcome.reset();
        if (survey) survey->wipe();
        survey.reset();
        language.clear();
        highContrast = largeText = speech = false;
        tab = SignInTab::Phone;
        localCooldown = hubSaidNew = signinRecorded = termsTicked = marketingTicked = welcomeFromCache = false;
        welcomeState = WelcomeState::Loading;
    }
};

}  // namespace touchpoint::kiosk
