#include "hub/ingest/personal_text.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <stdexcept>

namespace touchpoint::hub {

namespace {

constexpr std::size_t kMinPhoneDigits = 7;

bool isDigit(char c) { return c >= '0' && c <= '9'; }

/// Both patterns, compiled once. RE2 objects are immutable after construction and safe to share between
/// threads; a function-local static makes the one-time compilation thread-safe too.
struct Patterns {
    // local@domain.tld: the domain needs at least one dot followed by a label.
    re2::RE2 email{R"([A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)"};
    // A run of digits with the separators people type in phone numbers ("+1 (555) 010-0199", "07700 900123");
    // kept only when it holds kMinPhoneDigits digits, so "10/10" or "aisle 12" stay readable.
    re2::RE2 phone{R"(\+?\(?[0-9][0-9 ().\-]{5,}[0-9])"};

    Patterns() {
        if (!email.ok() || !phone.ok()) throw std::logic_error("personal text patterns do not compile");
    }
};

const Patterns& patterns() {
    static const Patterns p;
    return p;
}

/// Copies `text`, replacing each leftmost-first match of `re` that `keep` accepts with `replacement`. Each
/// search starts where the previous match ended, so the text is scanned once.
template <typename Keep>
std::string replaceMatches(std::string_view text, const re2::RE2& re, std::string_view replacement, Keep keep) {
    std::string out;
    out.reserve(text.size());
    const re2::StringPiece whole(text.data(), text.size());
    std::size_t pos = 0;
    std::size_t copied = 0;
    re2::StringPiece match;
    while (pos < text.size() && re.Match(whole, pos, text.size(), re2::RE2::UNANCHORED, &match, 1)) {
        const auto start = static_cast<std::size_t>(match.data() - text.data());
        const auto end = start + match.size();
        if (keep(std::string_view(match.data(), match.size()))) {
            out.append(text.substr(copied, start - copied));
            out.append(replacement);
            copied = end;
        }
        pos = end > start ? end : start + 1;  // neither pattern matches empty text; never loop in place anyway
    }
    out.append(text.substr(copied));
    return out;
}

}  // namespace

std::string maskPersonalText(std::string_view text) {
    const Patterns& p = patterns();
    // Cheap pre-checks skip a pass over text that cannot hold a match (most comments hold neither).
    std::string masked = text.find('@') == std::string_view::npos
                             ? std::string(text)
                             : replaceMatches(text, p.email, "[email]", [](std::string_view) { return true; });
    if (static_cast<std::size_t>(std::count_if(masked.begin(), masked.end(), isDigit)) < kMinPhoneDigits) {
        return masked;
    }
    return replaceMatches(masked, p.phone, "[phone]", [](std::string_view m) {
        return static_cast<std::size_t>(std::count_if(m.begin(), m.end(), isDigit)) >= kMinPhoneDigits;
    });
}

}  // namespace touchpoint::hub
