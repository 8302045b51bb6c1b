#pragma once
// Identifiers typed at the command line, by the rules every program shares (event/identifier.hpp), with
// errors worded for a terminal. The same identifier always becomes the same string, so its keyed hash finds
// its events.

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "event/kiosk_events.hpp"

namespace touchpoint::ctl {

/// "+1 (555) 555-0123" or "5555550123" (with region "US") -> "+15555550123".
Result<std::string, std::string> normalizePhone(std::string_view text, const std::string& region);
/// Checks the shape (local@domain.tld, RFC 5321 lengths), trims and lower-cases it.
Result<std::string, std::string> normalizeEmail(std::string_view text);
/// A member card or QR code: 4..64 visible ASCII characters except " ' < > ` \, trimmed.
Result<std::string, std::string> normalizeMember(std::string_view text);
/// "phone:...", "email:...", "member:..." -> a validated Identity.
Result<event::Identity, std::string> parseIdentityArg(std::string_view text, const std::string& region);

}  // namespace touchpoint::ctl
