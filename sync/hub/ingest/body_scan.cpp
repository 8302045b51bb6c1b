#include "hub/ingest/body_scan.hpp"

#include <cmath>
#include <cstdlib>

#include "common/text.hpp"

namespace touchpoint::hub {

namespace {

bool isNumberChar(char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/// Builds the rewritten copy only once a first replacement is needed.
class Rewriter {
public:
    explicit Rewriter(std::string_view body) : m_body(body) {}

    void replace(std::size_t start, std::size_t end, std::string_view replacement) {
        if (!m_out) {
            m_out.emplace();
            m_out->reserve(m_body.size() + 64);
        }
        m_out->append(m_body.substr(m_copied, start - m_copied));
        m_out->append(replacement);
        m_copied = end;
    }

    std::optional<std::string> finish() {
        if (m_out) m_out->append(m_body.substr(m_copied));
        return std::move(m_out);
    }

private:
    std::string_view m_body;
    std::optional<std::string> m_out;
    std::size_t m_copied = 0;
};

}  // namespace

bool numberTokenUnrepresentable(std::string_view token) {
    if (token.size() > kMaxNumberChars) return true;
    // Without an exponent, at most kMaxNumberChars digits are far inside double's range.
    if (token.find_first_of("eE") == std::string_view::npos) return false;
    char buf[kMaxNumberChars + 1];
    token.copy(buf, token.size());
    buf[token.size()] = '\0';
    // The hub never changes the C locale, so strtod reads '.' as JSON does; it is what nlohmann uses too.
    return std::isinf(std::strtod(buf, nullptr));
}

BodyScan scanBody(std::string_view body) {
    BodyScan scan;
    Rewriter rewriter(body);
    const std::string quotedMarker = "\"" + std::string(kBadNumberMarker) + "\"";
    bool inString = false;
    std::size_t i = 0;
    const std::size_t n = body.size();
    while (i < n) {
        const char c = body[i];
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x80) {
            const auto len = utf8SequenceLength(body, i);
            if (len == 0) {
                rewriter.replace(i, i + 1, kBadUtf8Marker);
                scan.badUtf8 = true;
                ++i;
            } else {
                i += len;
            }
            continue;
        }
        if (inString) {
            if (c == '"') {
                inString = false;
            } else if (c == '\\' && i + 1 < n && static_cast<unsigned char>(body[i + 1]) < 0x80) {
                ++i;  // the escaped byte cannot end the string
            }
            ++i;
            continue;
        }
        if (c == '"') {
            inString = true;
            ++i;
            continue;
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            std::size_t end = i + 1;
            while (end < n && isNumberChar(body[end])) ++end;
            if (numberTokenUnrepresentable(body.substr(i, end - i))) {
                rewriter.replace(i, end, quotedMarker);
                scan.badNumber = true;
            }
            i = end;
            continue;
        }
        ++i;
    }
    scan.rewritten = rewriter.finish();
    return scan;
}

}  // namespace touchpoint::hub
