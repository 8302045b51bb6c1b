#include "common/text.hpp"

#include <algorithm>

namespace touchpoint {

namespace {
constexpr bool isAsciiSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

std::size_t editDistance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}
}  // namespace

std::string_view trim(std::string_view text) {
    while (!text.empty() && isAsciiSpace(text.front())) text.remove_prefix(1);
    while (!text.empty() && isAsciiSpace(text.back())) text.remove_suffix(1);
    return text;
}

std::string asciiLower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string firstInitial(std::string_view name) {
    if (name.empty()) return "";
    const auto lead = static_cast<unsigned char>(name[0]);
    if (lead < 0x80) {
        return std::string(1, lead >= 'a' && lead <= 'z' ? static_cast<char>(lead - 'a' + 'A') : name[0]);
    }
    // The sequence's length from its first byte (RFC 3629); overlong two-byte forms (C0, C1) and leads past
    // U+10FFFF (F5-FF) start no character.
    const std::size_t length = lead >= 0xC2 && lead <= 0xDF   ? 2
                               : lead >= 0xE0 && lead <= 0xEF ? 3
                               : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                              : 0;
    if (length == 0 || name.size() < length) return "";
    for (std::size_t i = 1; i < length; ++i) {
        if ((static_cast<unsigned char>(name[i]) & 0xC0) != 0x80) return "";
    }
    const auto second = static_cast<unsigned char>(name[1]);
    // Overlong three- and four-byte forms, UTF-16 surrogates (ED A0-BF) and past U+10FFFF (F4 90-BF).
    if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F) ||
        (lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second > 0x8F)) {
        return "";
    }
    std::string out(name.substr(0, length));
    // à-þ (C3 A0-BE) but ÷ (C3 B7): their capitals are 0x20 below.
    if (lead == 0xC3 && second >= 0xA0 && second <= 0xBE && second != 0xB7) {
        out[1] = static_cast<char>(second - 0x20);
    }
    return out;
}

std::string closestMatch(const std::string& word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t bestDistance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const auto& c : candidates) {
        const std::size_t d = editDistance(word, c);
        if (d < bestDistance) {
            bestDistance = d;
            best = c;
        }
    }
    return best;
}

}  // namespace touchpoint
