#include "wipe.hpp"

#include <sodium.h>

namespace touchpoint::kiosk {

void wipeString(std::string& s) {
    // Growing to capacity() makes every byte the buffer owns part of the string (no reallocation), so all
    // of it, including text from an earlier, longer value, is zeroed legally.
    s.resize(s.capacity());
    if (!s.empty()) sodium_memzero(s.data(), s.size());
    s.clear();
}

}  // namespace touchpoint::kiosk
