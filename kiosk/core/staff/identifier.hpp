#pragma once
// What staff type or scan to look a shopper up, turned into the normalised identity the hub indexes, by the
// rules the kiosk's sign-in and the hub use too (event/identifier.hpp): phone in E.164 (the store's region for
// numbers typed without a country code), email trimmed and lower-cased, member card or QR code trimmed.

#include <string>
#include <string_view>

#include "common/result.hpp"
#include "event/kiosk_events.hpp"

namespace touchpoint::kiosk::staff {

/// Which field the staff lookup screen is on.
enum class LookupMode { Phone, Email, Card };
std::string_view toString(LookupMode mode);

/// Why an input was refused; the screen shows a translated message for each.
enum class IdentifierError { Empty, InvalidPhone, InvalidEmail, InvalidCard };
std::string_view toString(IdentifierError error);

Result<event::Identity, IdentifierError> normalizeIdentifier(LookupMode mode, std::string_view input,
                                                             const std::string& phoneRegion);

}  // namespace touchpoint::kiosk::staff
