#include "ctl/identity_input.hpp"

#include "event/identifier.hpp"

namespace touchpoint::ctl {

namespace {

/// The shared rules (event/identifier.hpp) with a message that names the input and what was wrong with it.
struct Wording {
    std::string_view what;      ///< "phone number"
    std::string lengthRule;     ///< said when the length is wrong
    std::string invalidRule;    ///< said when the text is not that kind of identifier
};

Result<std::string, std::string> explained(Result<std::string, event::IdentifierError> r, const Wording& w,
                                           std::string_view text) {
    if (r) return std::move(r).value();
    switch (r.error()) {
        case event::IdentifierError::Empty: return Fail(std::string(w.what) + " is empty");
        case event::IdentifierError::Length: return Fail(w.lengthRule + ": '" + std::string(text) + "'");
        case event::IdentifierError::Invalid: break;
    }
    return Fail(w.invalidRule + ": '" + std::string(text) + "'");
}

std::string count(std::size_t n) { return std::to_string(n); }

}  // namespace

Result<std::string, std::string> normalizePhone(std::string_view text, const std::string& region) {
    return explained(event::normalizePhone(text, region),
                     {"phone number", "a phone number has at most " + count(event::kMaxPhoneText) + " characters",
                      "not a possible phone number for region " + region},
                     text);
}

Result<std::string, std::string> normalizeEmail(std::string_view text) {
    return explained(event::normalizeEmail(text),
                     {"email address",
                      "an email address has at most " + count(event::kMaxEmail) + " characters, " +
                          count(event::kMaxEmailLocal) + " before the @",
                      "not a valid email address"},
                     text);
}

Result<std::string, std::string> normalizeMember(std::string_view text) {
    return explained(event::normalizeMemberCode(text),
                     {"member id",
                      "member id must be " + count(event::kMinMemberCode) + " to " + count(event::kMaxMemberCode) +
                          " characters",
                      "member id may hold visible ASCII characters except \" ' < > ` \\"},
                     text);
}

Result<event::Identity, std::string> parseIdentityArg(std::string_view text, const std::string& region) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) {
        return Fail("identity must be phone:NUMBER, email:ADDRESS or member:ID (got '" + std::string(text) + "')");
    }
    const std::string_view type = text.substr(0, colon);
    const std::string_view value = text.substr(colon + 1);
    Result<std::string, std::string> normalized = Fail(std::string());
    event::Identity id;
    if (type == "phone") {
        id.type = event::Identity::Type::Phone;
        normalized = normalizePhone(value, region);
    } else if (type == "email") {
        id.type = event::Identity::Type::Email;
        normalized = normalizeEmail(value);
    } else if (type == "member") {
        id.type = event::Identity::Type::Member;
        normalized = normalizeMember(value);
    } else {
        return Fail("identity type must be phone, email or member (got '" + std::string(type) + "')");
    }
    if (!normalized) return Fail(normalized.error());
    id.value = normalized.value();
    return id;
}

}  // namespace touchpoint::ctl
