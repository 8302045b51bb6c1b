#pragma once
// Validation and normalisation of identifiers typed at the command line: phones to E.164 with
// libphonenumber, emails checked and lower-cased, member ids checked. The same identifier always becomes
// the same string, so its keyed hash finds its events.

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "event/kiosk_events.hpp"

namespace touchpoint::ctl {

/// "+1 (555) 555-0123" or "5555550123" (with region "US") -> "+15555550123".
Result<std::string, std::string> normalizePhone(std::string_view text, const std::string& region);
/// Checks the shape (local@domain.tld, RFC 5321 lengths) and lower-cases it.
Result<std::string, std::string> normalizeEmail(std::string_view text);
/// Letters, digits, '-' and '_', 1..64 characters.
Result<std::string, std::string> normalizeMember(std::string_view text);
/// "phone:...", "email:...", "member:..." -> a validated Identity.
Result<event::Identity, std::string> parseIdentityArg(std::string_view text, const std::string& region);

}  // namespace touchpoint::ctl
