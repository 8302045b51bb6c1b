#include "validation.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cctype>

namespace touchpoint::kiosk {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
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
    const auto text = trim(typed);
    if (text.empty()) return Fail(InputError::Empty);
    if (text.size() > 32) return Fail(InputError::PhoneInvalid);
    using i18n::phonenumbers::PhoneNumber;
    using i18n::phonenumbers::PhoneNumberUtil;
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util.Parse(std::string(text), m_region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
        return Fail(InputError::PhoneInvalid);
    }
    if (!util.IsValidNumber(number)) return Fail(InputError::PhoneInvalid);
    std::string e164;
    util.Format(number, PhoneNumberUtil::E164, &e164);
    return e164;
}

Result<std::string, InputError> normalizeEmail(std::string_view typed) {
    const auto text = trim(typed);
    if (text.empty()) return Fail(InputError::Empty);
    if (text.size() > 254) return Fail(InputError::EmailInvalid);
    const auto at = text.find('@');
    if (at == std::string_view::npos || at == 0 || text.find('@', at + 1) != std::string_view::npos) {
        return Fail(InputError::EmailInvalid);
    }
    const auto local = text.substr(0, at);
    const auto domain = text.substr(at + 1);
    if (local.size() > 64 || local.front() == '.' || local.back() == '.' ||
        local.find("..") != std::string_view::npos) {
        return Fail(InputError::EmailInvalid);
    }
    const auto localOk = std::all_of(local.begin(), local.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::string_view(".!#$%&'*+/=?^_`{|}~-").find(c) !=
                                                                  std::string_view::npos;
    });
    if (!localOk) return Fail(InputError::EmailInvalid);
    // The domain needs a dot, labels of letters/digits/hyphens, no empty label, a TLD of 2+ letters.
    const auto lastDot = domain.rfind('.');
    if (lastDot == std::string_view::npos || lastDot + 3 > domain.size()) return Fail(InputError::EmailInvalid);
    std::size_t labelLen = 0;
    for (char c : domain) {
        if (c == '.') {
            if (labelLen == 0) return Fail(InputError::EmailInvalid);
            labelLen = 0;
        } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') {
            ++labelLen;
        } else {
            return Fail(InputError::EmailInvalid);
        }
    }
    const auto tld = domain.substr(lastDot + 1);
    if (!std::all_of(tld.begin(), tld.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); })) {
        return Fail(InputError::EmailInvalid);
    }
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    return out;
}

Result<std::string, InputError> normalizeMemberCode(std::string_view scanned) {
    const auto text = trim(scanned);
    if (text.empty()) return Fail(InputError::Empty);
    if (text.size() < 4 || text.size() > 64) return Fail(InputError::CodeInvalid);
    const auto printable = std::all_of(text.begin(), text.end(), [](char c) {
        return c > ' ' && c < 0x7f;
    });
    if (!printable) return Fail(InputError::CodeInvalid);
    return std::string(text);
}

event::SigninMethod methodForCode(std::string_view code) {
    const auto digits = std::all_of(code.begin(), code.end(),
                                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    return digits ? event::SigninMethod::Card : event::SigninMethod::Qr;
}

}  // namespace touchpoint::kiosk
