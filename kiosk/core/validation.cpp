#include "validation.hpp"

#include <algorithm>

#include "event/identifier.hpp"

namespace touchpoint::kiosk {

namespace {

/// The shared rules (event/identifier.hpp) with their error named the way the sign-in screen shows it.
Result<std::string, InputError> mapped(Result<std::string, event::IdentifierError> r, InputError invalid) {
    if (r) return std::move(r).value();
    return Fail(r.error() == event::IdentifierError::Empty ? InputError::Empty : invalid);
}

}  // namespace

std::string_view toString(InputError error) {
    switch (error) {
        case InputError::Empty: return "empty";
        case InputError::PhoneInvalid: return "phone_invalid";
        case InputError::EmailInvalid: return "email_invalid";
        case InputError::CodeInvalid: return "code_invalid";
    }
    return "empty";
}

PhoneValidator::PhoneValidator(std::string region) : m_region(std::move(region)) {}

Result<std::string, InputError> PhoneValidator::normalize(std::string_view typed) const {
    return mapped(event::normalizePhone(typed, m_region), InputError::PhoneInvalid);
}

Result<std::string, InputError> normalizeEmail(std::string_view typed) {
    return mapped(event::normalizeEmail(typed), InputError::EmailInvalid);
}

Result<std::string, InputError> normalizeMemberCode(std::string_view scanned) {
    return mapped(event::normalizeMemberCode(scanned), InputError::CodeInvalid);
}

event::SigninMethod methodForCode(std::string_view code) {
    const auto digits = std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
    return digits ? event::SigninMethod::Card : event::SigninMethod::Qr;
}

}  // namespace touchpoint::kiosk
