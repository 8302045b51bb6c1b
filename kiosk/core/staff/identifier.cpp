#include "staff/identifier.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cctype>

namespace touchpoint::kiosk::staff {

namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    return text;
}

bool isEmail(std::string_view email) {
    if (email.size() > 254) return false;
    const auto at = email.find('@');
    if (at == 0 || at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) return false;
    const auto domain = email.substr(at + 1);
    const auto dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 2 > domain.size()) return false;
    return std::none_of(email.begin(), email.end(), [](char c) {
        return std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c));
    });
}

bool isMemberId(std::string_view id) {
    if (id.size() < 4 || id.size() > 64) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
}

}  // namespace

std::string_view toString(LookupMode mode) {
    switch (mode) {
        case LookupMode::Phone: return "phone";
        case LookupMode::Email: return "email";
        case LookupMode::Card: return "card";
    }
    return "card";
}

std::string_view toString(IdentifierError error) {
    switch (error) {
        case IdentifierError::Empty: return "empty";
        case IdentifierError::InvalidPhone: return "invalid_phone";
        case IdentifierError::InvalidEmail: return "invalid_email";
        case IdentifierError::InvalidCard: return "invalid_card";
    }
    return "empty";
}

Result<event::Identity, IdentifierError> normalizeIdentifier(LookupMode mode, std::string_view input,
                                                             const std::string& phoneRegion) {
    const std::string_view text = trim(input);
    if (text.empty()) return Fail(IdentifierError::Empty);
    event::Identity identity;
    switch (mode) {
        case LookupMode::Phone: {
            using i18n::phonenumbers::PhoneNumber;
            using i18n::phonenumbers::PhoneNumberUtil;
            const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
            PhoneNumber number;
            if (util.Parse(std::string(text), phoneRegion, &number) != PhoneNumberUtil::NO_PARSING_ERROR ||
                !util.IsValidNumber(number)) {
                return Fail(IdentifierError::InvalidPhone);
            }
            identity.type = event::Identity::Type::Phone;
            util.Format(number, PhoneNumberUtil::E164, &identity.value);
            return identity;
        }
        case LookupMode::Email: {
            if (!isEmail(text)) return Fail(IdentifierError::InvalidEmail);
            identity.type = event::Identity::Type::Email;
            identity.value.assign(text);
            for (auto& c : identity.value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            return identity;
        }
        case LookupMode::Card: {
            if (!isMemberId(text)) return Fail(IdentifierError::InvalidCard);
            identity.type = event::Identity::Type::Member;
            identity.value.assign(text);
            return identity;
        }
    }
    return Fail(IdentifierError::Empty);
}

}  // namespace touchpoint::kiosk::staff
