#include "keyboard_layout.hpp"

namespace touchpoint::kiosk {

const std::vector<std::string>& phoneKeypadKeys() {
    static const std::vector<std::string> keys{"1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "0", "backspace"};
    return keys;
}

const std::vector<std::vector<std::string>>& keyboardRows(KeyboardLayout layout) {
    static const std::vector<std::vector<std::string>> email{
        {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0"},
        {"q", "w", "e", "r", "t", "y", "u", "i", "o", "p"},
        {"a", "s", "d", "f", "g", "h", "j", "k", "l"},
        {"z", "x", "c", "v", "b", "n", "m", "@", ".", "_", "-"},
        {"+", "backspace"},
    };
    static const std::vector<std::vector<std::string>> text{
        {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0"},
        {"q", "w", "e", "r", "t", "y", "u", "i", "o", "p"},
        {"a", "s", "d", "f", "g", "h", "j", "k", "l"},
        {"z", "x", "c", "v", "b", "n", "m", ",", ".", "'", "?", "!"},
        {"á", "à", "â", "ã", "ä", "ç", "é", "è", "ê", "í", "ñ", "ó", "ô", "õ", "ö", "ú", "ü", "ß"},
        {"-", "space", "backspace"},
    };
    return layout == KeyboardLayout::Email ? email : text;
}

std::string keyWidgetId(const std::string& key, bool keypad) {
    if (keypad && key == "+") return "key.plus";
    return "key." + key;
}

}  // namespace touchpoint::kiosk
