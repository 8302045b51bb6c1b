#pragma once
// Checks what a shopper typed or scanned before it becomes an identity, by the rules every program shares
// (event/identifier.hpp: phone possible for the store's region -> E.164, email shape -> lower-cased, member
// code charset), with the errors the sign-in screen translates.

#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "event/kiosk_events.hpp"

namespace touchpoint::kiosk {

/// Why an input was refused; the UI shows the matching translation ("signin.error.<name>").
enum class InputError { Empty, PhoneInvalid, EmailInvalid, CodeInvalid };
std::string_view toString(InputError error);

class PhoneValidator {
public:
    /// `region`: ISO 3166-1 alpha-2 used for numbers typed without a country code ("US", "DE").
    explicit PhoneValidator(std::string region);
    /// "(202) 555-0143" in US -> "+12025550143"; a leading "+" or "00" selects another country.
    Result<std::string, InputError> normalize(std::string_view typed) const;
    const std::string& region() const { return m_region; }

private:
    std::string m_region;
};

/// Lower-cased, trimmed address if it has the shape local@domain.tld (event::normalizeEmail).
Result<std::string, InputError> normalizeEmail(std::string_view typed);

/// A keyboard-wedge scan, trimmed: 4..64 visible ASCII characters but " ' < > ` \ (event::normalizeMemberCode).
Result<std::string, InputError> normalizeMemberCode(std::string_view scanned);

/// Card numbers are digits only; anything else a scanner sends is taken as a QR code.
event::SigninMethod methodForCode(std::string_view code);

}  // namespace touchpoint::kiosk
