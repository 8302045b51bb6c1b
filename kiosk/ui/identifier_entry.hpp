#pragma once
// The phone-or-e-mail entry that sign-in and the contact question share: the two tabs, the field the app's
// keypad types into, the error under it and the keys themselves, at the same place on both screens. Widget names are
// "<prefix>.tab.phone", "<prefix>.tab.email" and "<prefix>.field" (docs/KIOSK_SCRIPT.md).

#include <string>

#include "core/intent.hpp"
#include "core/view_models.hpp"
#include "ui_context.hpp"

namespace touchpoint::kiosk::ui {

struct IdentifierEntry {
    const char* prefix;  ///< "signin" or "contact"
    SignInTab tab;
    const std::string& phoneText;
    const std::string& emailText;
    const std::string& errorKey;  ///< "" for none
};

/// Draws the entry in the 740-unit column at x 80 (rows 370 to ~700); ShowPhone or ShowEmail when a tab was
/// tapped, else nothing.
Intent drawIdentifierEntry(const IdentifierEntry& entry, UiContext& ctx);

/// The app's own keys for the entry, on the right: the phone keypad or the e-mail keyboard; what was typed.
Intent drawIdentifierKeys(SignInTab tab, UiContext& ctx);

}  // namespace touchpoint::kiosk::ui
