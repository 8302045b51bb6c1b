#pragma once
// The keys of the app's phone keypad and on-screen keyboards, as data: the screens draw them and speech mode
// lists them as focusable controls, so both always agree on which keys exist and in what order.

#include <string>
#include <vector>

namespace touchpoint::kiosk {

enum class KeyboardLayout { Email, Text };

/// Phone keypad in reading order: "1".."9", "+", "0", "backspace".
const std::vector<std::string>& phoneKeypadKeys();

/// Keyboard rows top to bottom; "space" and "backspace" name the wide keys.
const std::vector<std::vector<std::string>>& keyboardRows(KeyboardLayout layout);

/// The widget id of a key ("key.7", "key.plus" on the keypad, "key.space", "key.backspace").
std::string keyWidgetId(const std::string& key, bool keypad);

}  // namespace touchpoint::kiosk
