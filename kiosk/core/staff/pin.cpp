#include "staff/pin.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "event/sealing.hpp"

namespace touchpoint::kiosk::staff {

bool isWellFormedPin(std::string_view pin) {
    if (pin.size() < kMinPinDigits || pin.size() > kMaxPinDigits) return false;
    return std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::string, std::string> hashPin(std::string_view pin) {
    if (!isWellFormedPin(pin)) {
        return Fail(std::string("a PIN must be 4 to 12 digits"));
    }
    event::ensureSodium();
    std::array<char, crypto_pwhash_STRBYTES> out{};
    if (crypto_pwhash_str(out.data(), pin.data(), pin.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        return Fail(std::string("out of memory while hashing the PIN"));
    }
    return std::string(out.data());
}

bool isPinHash(std::string_view hash) {
    // crypto_pwhash_str_needs_rehash returns -1 for a string that is not a valid hash for this algorithm.
    if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
    event::ensureSodium();
    const std::string copy(hash);
    return crypto_pwhash_str_needs_rehash(copy.c_str(), crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN) != -1;
}

std::optional<int> verifyPin(const std::vector<std::string>& pinHashes, std::string_view pin) {
    if (!isWellFormedPin(pin)) return std::nullopt;
    event::ensureSodium();
    std::optional<int> match;
    for (std::size_t slot = 0; slot < pinHashes.size(); ++slot) {
        const std::string& hash = pinHashes[slot];
        if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) continue;
        if (crypto_pwhash_str_verify(hash.c_str(), pin.data(), pin.size()) == 0 && !match) {
            match = static_cast<int>(slot);
        }
    }
    return match;
}

}  // namespace touchpoint::kiosk::staff
