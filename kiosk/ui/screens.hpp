#pragma once
// One function per shopper screen, each in its own file (attract_screen.cpp, ...). Each draws from its
// view-model and returns what the shopper asked for; none of them changes state.

#include "core/intent.hpp"
#include "core/view_models.hpp"
#include "ui_context.hpp"

namespace touchpoint::kiosk::ui {

Intent drawAttract(const AttractVm& vm, UiContext& ctx);
Intent drawSignIn(const SignInVm& vm, UiContext& ctx);
Intent drawConsent(const ConsentVm& vm, UiContext& ctx);
Intent drawWelcome(const WelcomeVm& vm, UiContext& ctx);
Intent drawFeedback(const FeedbackVm& vm, UiContext& ctx);
Intent drawThankYou(const ThankYouVm& vm, UiContext& ctx);
Intent drawApology(const ApologyVm& vm, UiContext& ctx);
Intent drawSleep(const SleepVm& vm, UiContext& ctx);
Intent drawContact(const ContactVm& vm, UiContext& ctx);
/// Drawn over any screen after inactivity; modal.
Intent drawStillThere(const StillThereVm& vm, UiContext& ctx);

}  // namespace touchpoint::kiosk::ui
