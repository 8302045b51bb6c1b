#include "hub/ingest/identity.hpp"

#include <phonenumbers/phonenumberutil.h>
#include <sodium.h>

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "event/sealing.hpp"

namespace touchpoint::hub {

namespace {
std::string hex(const unsigned char* data, std::size_t n) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out += digits[data[i] >> 4];
        out += digits[data[i] & 0xf];
    }
    return out;
}

std::string blake2b(std::string_view text) {
    event::ensureSodium();
    unsigned char out[crypto_generichash_BYTES];
    crypto_generichash(out, sizeof out, reinterpret_cast<const unsigned char*>(text.data()), text.size(), nullptr, 0);
    return hex(out, sizeof out);
}
}  // namespace

std::optional<std::string> normalizeEmail(std::string_view email) {
    while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front()))) email.remove_prefix(1);
    while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) email.remove_suffix(1);
    const auto at = email.find('@');
    if (at == 0 || at == std::string_view::npos || at + 1 >= email.size() || email.size() > 254) return std::nullopt;
    std::string out(email);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

namespace {

std::optional<std::string> parsePhone(const std::string& phone, const std::string& region) {
    using i18n::phonenumbers::PhoneNumber;
    using i18n::phonenumbers::PhoneNumberUtil;
    const auto* util = PhoneNumberUtil::GetInstance();
    PhoneNumber number;
    if (util->Parse(phone, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR) return std::nullopt;
    // Possible rather than valid: test and fictional ranges (555-01xx) must still join one profile.
    if (!util->IsPossibleNumber(number)) return std::nullopt;
    std::string out;
    util->Format(number, PhoneNumberUtil::E164, &out);
    return out;
}

/// libphonenumber's parse (a pipeline of ICU regular expressions, about 10 us) is the dearest step of ingest
/// after opening sealed fields, and loyalty shoppers come back: answers are remembered, up to a bound, then
/// forgotten all at once. The answer depends only on the text and the region, so remembering changes nothing.
class PhoneMemo {
public:
    std::optional<std::string> normalize(std::string_view phone, const std::string& region) {
        std::string key;
        key.reserve(region.size() + 1 + phone.size());
        key.append(region).append(1, '\n').append(phone);
        {
            std::lock_guard lock(m_mutex);
            if (auto it = m_answers.find(key); it != m_answers.end()) return it->second;
        }
        auto answer = parsePhone(std::string(phone), region);
        std::lock_guard lock(m_mutex);
        if (m_answers.size() >= kCapacity) m_answers.clear();
        m_answers.emplace(std::move(key), answer);
        return answer;
    }

private:
    static constexpr std::size_t kCapacity = 65'536;  // ~8 MB at most
    std::mutex m_mutex;
    std::unordered_map<std::string, std::optional<std::string>> m_answers;
};

}  // namespace

std::optional<std::string> normalizePhone(std::string_view phone, const std::string& region) {
    if (phone.empty() || phone.size() > 40) return std::nullopt;
    static PhoneMemo memo;
    return memo.normalize(phone, region);
}

std::string identifierHash(std::string_view kind, std::string_view value) {
    std::string text(kind);
    text += ':';
    text += value;
    return blake2b(text);
}

std::string tokenHash(std::string_view token) { return blake2b(token); }

std::string newToken() {
    event::ensureSodium();
    unsigned char bytes[32];
    randombytes_buf(bytes, sizeof bytes);
    return "tpk_" + hex(bytes, sizeof bytes);
}

}  // namespace touchpoint::hub
