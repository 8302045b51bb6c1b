#pragma once
// Identifier normalisation, so the same person reached by kiosk, web and app lands on one profile.

#include <optional>
#include <string>
#include <string_view>

namespace touchpoint::hub {

/// Trimmed and lower-cased; nullopt when it does not look like an address.
std::optional<std::string> normalizeEmail(std::string_view email);
/// E.164 through libphonenumber; `region` (ISO 3166, "US") reads national numbers. Nullopt when impossible.
std::optional<std::string> normalizePhone(std::string_view phone, const std::string& region);
/// Trimmed, case kept; nullopt when it is not a member code the kiosk would accept (4..64 visible ASCII
/// characters, none of " ' < > ` \).
std::optional<std::string> normalizeMemberCode(std::string_view code);
/// Unkeyed BLAKE2b-256 hex of "kind:value": what tombstones kept before schema step kKeyedTombstonesVersion (legacy_tombstones).
/// Anyone can compute it, so it is only ever looked up, never written; new tombstones are keyed
/// (privacy::DataKeys::identifierTag).
std::string legacyIdentifierHash(std::string_view kind, std::string_view value);
/// BLAKE2b-256 hex of an API token: tokens are 32 random bytes, so a fast hash is enough (no brute force).
std::string tokenHash(std::string_view token);
/// A fresh random token, URL- and Basic-auth-safe ("tpk_" + 64 hex digits).
std::string newToken();

}  // namespace touchpoint::hub
