#include "staff/identifier.hpp"

#include "event/identifier.hpp"

namespace touchpoint::kiosk::staff {

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
    // The rules every program shares (event/identifier.hpp), so staff find what the kiosk recorded.
    event::Identity identity;
    IdentifierError invalid = IdentifierError::InvalidCard;
    switch (mode) {
        case LookupMode::Phone:
            identity.type = event::Identity::Type::Phone;
            invalid = IdentifierError::InvalidPhone;
            break;
        case LookupMode::Email:
            identity.type = event::Identity::Type::Email;
            invalid = IdentifierError::InvalidEmail;
            break;
        case LookupMode::Card: identity.type = event::Identity::Type::Member; break;
    }
    auto value = event::normalizeIdentifier(identity.type, input, phoneRegion);
    if (!value) return Fail(value.error() == event::IdentifierError::Empty ? IdentifierError::Empty : invalid);
    identity.value = std::move(value).value();
    return identity;
}

}  // namespace touchpoint::kiosk::staff
