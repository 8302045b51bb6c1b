#pragma once
// Masking of contact details in free text that shoppers type (feedback comments). The text comes from anyone
// holding a public write key, so every pass over it is linear in its length: RE2 automata, compiled once, no
// backtracking and no recursion (std::regex overflowed the stack on a 30,000-digit comment).

#include <string>
#include <string_view>

namespace touchpoint::hub {

/// Replaces e-mail addresses with "[email]" and phone-number-like runs holding 7 or more digits with
/// "[phone]". Linear time and constant stack for any input; safe to call from any thread.
std::string maskPersonalText(std::string_view text);

}  // namespace touchpoint::hub
