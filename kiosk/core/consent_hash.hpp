#pragma once

#include <string>
#include <string_view>

namespace touchpoint::kiosk {

/// Lower-case hex SHA-256 (libsodium crypto_hash_sha256) of the exact UTF-8 bytes shown to the shopper: the
/// proof of which notice text they agreed to.
std::string sha256Hex(std::string_view text);

}  // namespace touchpoint::kiosk
