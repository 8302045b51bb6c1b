#include "event/identifier.hpp"

#include <phonenumbers/phonenumberutil.h>

#include <algorithm>

namespace touchpoint::event {

namespace {

bool isAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isAsciiAlnum(char c) { return isAsciiAlpha(c) || (c >= '0' && c <= '9'); }

/// The phone rule after trimming and the length check (see the header for why "possible").
Result<std::string, IdentifierError> parsePhone(std::string_view text, const std::string& region) {
    using i18n::phonenumbers::PhoneNumber;
    using i18n::phonenumbers::PhoneNumberUtil;
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util.Parse(std::string(text), region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
        return Fail(IdentifierError::Invalid);
    }
    if (util.IsPossibleNumberWithReason(number) != PhoneNumberUtil::IS_POSSIBLE) return Fail(IdentifierError::Invalid);
    std::string e164;
    util.Format(number, PhoneNumberUtil::E164, &e164);
    return e164;
}

/// Trimmed text, or why there is none to parse.
Result<std::string_view, IdentifierError> trimmedPhone(std::string_view text) {
    text = trim(text);
    if (text.empty()) return Fail(IdentifierError::Empty);
    if (text.size() > kMaxPhoneText) return Fail(IdentifierError::Length);
    return text;
}

bool isDomain(std::string_view domain) {
    std::size_t labels = 0;
    std::string_view last;
    while (true) {
        const auto dot = domain.find('.');
        const std::string_view label = domain.substr(0, dot);
        if (label.empty() || label.size() > kMaxDomainLabel || label.front() == '-' || label.back() == '-') return false;
        if (!std::all_of(label.begin(), label.end(), [](char c) { return isAsciiAlnum(c) || c == '-'; })) return false;
        ++labels;
        last = label;
        if (dot == std::string_view::npos) break;
        domain.remove_prefix(dot + 1);
    }
    return labels >= 2 && last.size() >= 2 && std::all_of(last.begin(), last.end(), isAsciiAlpha);
}

}  // namespace

std::string_view toString(IdentifierError error) {
    switch (error) {
        case IdentifierError::Empty: return "empty";
        case IdentifierError::Length: return "length";
        case IdentifierError::Invalid: return "invalid";
    }
    return "invalid";
}

Result<std::string, IdentifierError> normalizePhone(std::string_view text, const std::string& region) {
    auto trimmed = trimmedPhone(text);
    if (!trimmed) return Fail(trimmed.error());
    return parsePhone(*trimmed, region);
}

Result<std::string, IdentifierError> normalizeEmail(std::string_view text) {
    text = trim(text);
    if (text.empty()) return Fail(IdentifierError::Empty);
    if (text.size() > kMaxEmail) return Fail(IdentifierError::Length);
    const auto at = text.find('@');
    if (at == std::string_view::npos || text.find('@', at + 1) != std::string_view::npos) {
        return Fail(IdentifierError::Invalid);
    }
    const std::string_view local = text.substr(0, at);
    if (local.size() > kMaxEmailLocal) return Fail(IdentifierError::Length);
    static constexpr std::string_view kLocalSpecials = "!#$%&'*+/=?^_`{|}~-.";
    if (local.empty() || local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos ||
        !std::all_of(local.begin(), local.end(),
                     [](char c) { return isAsciiAlnum(c) || kLocalSpecials.find(c) != std::string_view::npos; })) {
        return Fail(IdentifierError::Invalid);
    }
    if (!isDomain(text.substr(at + 1))) return Fail(IdentifierError::Invalid);
    return asciiLower(text);
}

Result<std::string, IdentifierError> normalizeMemberCode(std::string_view text) {
    text = trim(text);
    if (text.empty()) return Fail(IdentifierError::Empty);
    if (text.size() < kMinMemberCode || text.size() > kMaxMemberCode) return Fail(IdentifierError::Length);
    static constexpr std::string_view kRefused = "\"'<>`\\";
    const bool ok = std::all_of(text.begin(), text.end(), [](char c) {
        return c > ' ' && c < 0x7f && kRefused.find(c) == std::string_view::npos;
    });
    if (!ok) return Fail(IdentifierError::Invalid);
    return std::string(text);
}

Result<std::string, IdentifierError> normalizeIdentifier(Identity::Type type, std::string_view text,
                                                         const std::string& region) {
    switch (type) {
        case Identity::Type::Phone: return normalizePhone(text, region);
        case Identity::Type::Email: return normalizeEmail(text);
        case Identity::Type::Member: return normalizeMemberCode(text);
    }
    return Fail(IdentifierError::Invalid);
}

Result<std::string, IdentifierError> PhoneMemo::normalize(std::string_view text, const std::string& region) {
    auto trimmed = trimmedPhone(text);
    if (!trimmed) return Fail(trimmed.error());
    std::string key;
    key.reserve(region.size() + 1 + trimmed->size());
    key.append(region).append(1, '\n').append(*trimmed);
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_answers.find(key); it != m_answers.end()) return it->second;
    }
    auto answer = parsePhone(*trimmed, region);
    std::lock_guard lock(m_mutex);
    if (m_answers.size() >= m_capacity) m_answers.clear();
    m_answers.emplace(std::move(key), answer);
    return answer;
}

}  // namespace touchpoint::event
