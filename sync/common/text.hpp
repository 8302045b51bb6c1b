#pragma once
// Small text helpers every library needs the same way (one copy, so "whitespace" means one thing).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace touchpoint {

/// ASCII whitespace (space, \t, \n, \v, \f, \r) removed from both ends. Locale-free on purpose: input from
/// outside is bytes, and a UTF-8 no-break space is part of the text, not padding.
std::string_view trim(std::string_view text);

/// A-Z mapped to a-z; every other byte (UTF-8 included) kept as is.
std::string asciiLower(std::string_view text);

/// The length of the well-formed UTF-8 sequence that starts at text[at] (1-4), or 0 when none does: a
/// continuation byte, a sequence cut short, an overlong form, a UTF-16 surrogate or a code point past
/// U+10FFFF (RFC 3629). Inline: the ingest's body scan asks it for every byte past ASCII.
inline std::size_t utf8SequenceLength(std::string_view text, std::size_t at) {
    const auto b0 = static_cast<unsigned char>(text[at]);
    if (b0 < 0x80) return 1;
    const auto cont = [&](std::size_t k) {
        return at + k < text.size() && (static_cast<unsigned char>(text[at + k]) & 0xC0) == 0x80;
    };
    if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        const auto b1 = static_cast<unsigned char>(text[at + 1]);
        if (b0 == 0xE0 && b1 < 0xA0) return 0;   // overlong
        if (b0 == 0xED && b1 >= 0xA0) return 0;  // surrogate
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        const auto b1 = static_cast<unsigned char>(text[at + 1]);
        if (b0 == 0xF0 && b1 < 0x90) return 0;   // overlong
        if (b0 == 0xF4 && b1 >= 0x90) return 0;  // past U+10FFFF
        return 4;
    }
    return 0;
}

/// The first character of a name, for a greeting ("Hi, É."): its whole UTF-8 sequence, in capitals when it is
/// a Latin letter (a-z, and à-þ but ÷); "" when `name` is empty or does not start with a well-formed
/// character. Never a part of a character, which no JSON encoder accepts.
std::string firstInitial(std::string_view name);

/// The candidate nearest to `word` by edit distance, or "" when none is close enough to suggest (for "did you
/// mean" in configuration errors).
std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace touchpoint
