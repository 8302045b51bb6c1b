#pragma once
// What speech and keypad mode knows about each shopper screen: its spoken title and text, and its controls in
// focus order, each with the widget id the focus ring outlines, a spoken label, a role, a state, the group
// its position is counted in ("7, button, 8 of 11" among the NPS scores) and the intent Select fires. Built
// from the controller's view models, the same ones the screens draw, so what is heard matches what is shown.

#include <optional>
#include <string>
#include <vector>

#include "i18n.hpp"
#include "intent.hpp"
#include "kiosk_controller.hpp"

namespace touchpoint::kiosk {

enum class ControlRole { Button, Tab, Checkbox, Key, TextField };
std::string_view toString(ControlRole role);

struct FocusControl {
    std::string id;        ///< widget id in the registry (the focus ring finds its rectangle by it)
    std::string label;     ///< spoken label, already in the shopper's language
    ControlRole role = ControlRole::Button;
    std::string group;     ///< positions count within a group: "keypad", "nps", "actions", ...
    bool selected = false; ///< chosen tab, picked answer, ticked box, current language
    bool enabled = true;
    Intent intent;         ///< what Select does (None for a text field: Select reads it out)
    std::string value;     ///< a text field's content, spoken on Select and Repeat
};

struct ScreenSpeech {
    std::string key;       ///< changes whenever focus should start over (screen, sign-in tab, survey step)
    std::string language;
    std::string title;
    std::string body;      ///< read after the title when the screen appears
    std::string status;    ///< an error or notice: spoken whenever it changes
    std::vector<FocusControl> controls;
    std::size_t initialFocus = 0;
    Intent back;           ///< what the Back key does here (None: nothing to go back to)
};

/// Adds a sentence to spoken text (". " between sentences, no doubled full stop).
void appendSentence(std::string& out, const std::string& sentence);

/// The spoken description of what the controller shows now, the "still there?" warning included.
ScreenSpeech describeScreen(const KioskController& controller, const Translations& texts);

}  // namespace touchpoint::kiosk
