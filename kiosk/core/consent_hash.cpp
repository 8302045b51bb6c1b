#include "consent_hash.hpp"

#include <sodium.h>

#include <array>

#include "event/sealing.hpp"

namespace touchpoint::kiosk {

std::string sha256Hex(std::string_view text) {
    event::ensureSodium();
    std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
    crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(text.data()), text.size());
    std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
    return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

}  // namespace touchpoint::kiosk
