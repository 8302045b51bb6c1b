#pragma once
// Small text helpers every library needs the same way (one copy, so "whitespace" means one thing).

#include <string>
#include <string_view>
#include <vector>

namespace touchpoint {

/// ASCII whitespace (space, \t, \n, \v, \f, \r) removed from both ends. Locale-free on purpose: input from
/// outside is bytes, and a UTF-8 no-break space is part of the text, not padding.
std::string_view trim(std::string_view text);

/// A-Z mapped to a-z; every other byte (UTF-8 included) kept as is.
std::string asciiLower(std::string_view text);

/// The first character of a name, for a greeting ("Hi, É."): its whole UTF-8 sequence, in capitals when it is
/// a Latin letter (a-z, and à-þ but ÷); "" when `name` is empty or does not start with a well-formed
/// character. Never a part of a character, which no JSON encoder accepts.
std::string firstInitial(std::string_view name);

/// The candidate nearest to `word` by edit distance, or "" when none is close enough to suggest (for "did you
/// mean" in configuration errors).
std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace touchpoint
