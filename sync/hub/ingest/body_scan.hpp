#pragma once
// One linear pass over a raw request body before the JSON parser sees it. The parser would throw away the
// whole batch on invalid UTF-8 or on a number it cannot represent (a 5,000-digit integer, 1e999); this pass
// rewrites those few bytes into markers, so the parser succeeds and only the message holding a marker is
// rejected, with a reason that names its field.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace touchpoint::hub {

/// Invalid UTF-8 bytes become this noncharacter (U+10FFFE) inside the text.
inline constexpr std::string_view kBadUtf8Marker = "\xF4\x8F\xBF\xBE";
/// A number token that cannot be represented becomes a JSON string holding exactly this (U+10FFFF).
inline constexpr std::string_view kBadNumberMarker = "\xF4\x8F\xBF\xBF";
/// Longest number token accepted (an int64 has 20 characters, a double written in full about 25).
inline constexpr std::size_t kMaxNumberChars = 64;

struct BodyScan {
    /// The body with invalid UTF-8 and bad numbers replaced; nullopt when nothing needed replacing (the
    /// common case: no copy is made).
    std::optional<std::string> rewritten;
    bool badUtf8 = false;
    bool badNumber = false;
};

/// Never throws except std::bad_alloc; linear in the body's length.
BodyScan scanBody(std::string_view body);

/// True when `token` (a JSON number as written) is longer than kMaxNumberChars or beyond double's range.
bool numberTokenUnrepresentable(std::string_view token);

}  // namespace touchpoint::hub
