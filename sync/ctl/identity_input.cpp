#include "ctl/identity_input.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <cctype>

namespace touchpoint::ctl {

Result<std::string, std::string> normalizePhone(std::string_view text, const std::string& region) {
    using i18n::phonenumbers::PhoneNumber;
    using i18n::phonenumbers::PhoneNumberUtil;
    const PhoneNumberUtil* util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (text.empty() || text.size() > 40 ||
        util->Parse(std::string(text), region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
        return Fail(std::string("not a phone number: '") + std::string(text) + "'");
    }
    // IsPossibleNumber checks the length for the country; IsValidNumber also checks the number ranges the
    // country has allocated. The fictional 555 numbers used in training and tests pass the first only, so
    // they are accepted when typed with an explicit +1 country code.
    if (!util->IsValidNumber(number) && !(util->IsPossibleNumber(number) && number.country_code() == 1 &&
                                          text.front() == '+')) {
        return Fail(std::string("not a valid phone number for region ") + region + ": '" + std::string(text) + "'");
    }
    std::string e164;
    util->Format(number, PhoneNumberUtil::E164, &e164);
    return e164;
}

Result<std::string, std::string> normalizeEmail(std::string_view text) {
    const std::string bad = "not a valid email address: '" + std::string(text) + "'";
    if (text.size() < 3 || text.size() > 254) return Fail(bad);
    const auto at = text.rfind('@');
    if (at == std::string_view::npos || at == 0 || at > 64 || text.find('@') != at) return Fail(bad);
    const std::string_view local = text.substr(0, at);
    const std::string_view domain = text.substr(at + 1);
    const std::string_view localSpecials = "!#$%&'*+/=?^_`{|}~-.";
    for (char c : local) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && localSpecials.find(c) == std::string_view::npos) {
            return Fail(bad);
        }
    }
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return Fail(bad);
    // Domain: dot-separated labels of letters, digits and inner hyphens; a top-level label of 2+ letters.
    std::size_t labels = 0;
    std::size_t start = 0;
    std::string_view lastLabel;
    while (start <= domain.size()) {
        const auto dot = domain.find('.', start);
        const std::string_view label = domain.substr(start, dot == std::string_view::npos ? domain.npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return Fail(bad);
        for (char c : label) {
            if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-') return Fail(bad);
        }
        ++labels;
        lastLabel = label;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    if (labels < 2 || lastLabel.size() < 2 ||
        !std::all_of(lastLabel.begin(), lastLabel.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; })) {
        return Fail(bad);
    }
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
    return out;
}

Result<std::string, std::string> normalizeMember(std::string_view text) {
    if (text.empty() || text.size() > 64) return Fail(std::string("member id must be 1 to 64 characters"));
    for (char c : text) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_') {
            return Fail("member id may hold only letters, digits, '-' and '_': '" + std::string(text) + "'");
        }
    }
    return std::string(text);
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
