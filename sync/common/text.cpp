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
    const std::size_t length = utf8SequenceLength(name, 0);
    if (length == 0) return "";
    std::string out(name.substr(0, length));
    const auto lead = static_cast<unsigned char>(out[0]);
    if (lead >= 'a' && lead <= 'z') {
        out[0] = static_cast<char>(lead - 'a' + 'A');
    } else if (length == 2 && lead == 0xC3) {
        // à-þ (C3 A0-BE) but ÷ (C3 B7): their capitals are 0x20 below.
        const auto second = static_cast<unsigned char>(out[1]);
        if (second >= 0xA0 && second <= 0xBE && second != 0xB7) out[1] = static_cast<char>(second - 0x20);
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
