#pragma once
// Staff PINs are stored only as libsodium crypto_pwhash strings (Argon2id, salt and cost inside the string) in
// the kiosk config, one per slot; the slot index is what the audit trail records instead of a name.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace touchpoint::kiosk::staff {

inline constexpr std::size_t kMinPinDigits = 4;
inline constexpr std::size_t kMaxPinDigits = 12;

/// True for 4..12 ASCII digits.
bool isWellFormedPin(std::string_view pin);

/// Hashes a PIN for the config's `staff.pin_hashes` (crypto_pwhash_str, interactive cost). This is what a
/// `hash-pin` command line calls; an error names what is wrong with the PIN.
Result<std::string, std::string> hashPin(std::string_view pin);

/// The slot whose hash matches `pin`, or nothing. Every slot is checked even after a match so the time taken
/// does not tell which slot a PIN belongs to. A malformed hash never matches (the config validator reports it).
std::optional<int> verifyPin(const std::vector<std::string>& pinHashes, std::string_view pin);

/// True when `hash` looks like a crypto_pwhash string this build can verify (for config validation).
bool isPinHash(std::string_view hash);

}  // namespace touchpoint::kiosk::staff
