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

/// The candidate nearest to `word` by edit distance, or "" when none is close enough to suggest (for "did you
/// mean" in configuration errors).
std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace touchpoint
