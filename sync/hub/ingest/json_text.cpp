#include "hub/ingest/json_text.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>

#include "common/text.hpp"

namespace touchpoint::hub {
namespace {

using nlohmann::json;

/// True when one of the 8 bytes in `word` is zero (the classic bit trick: exact, no false positives).
constexpr bool hasZeroByte(std::uint64_t word) {
    return ((word - 0x0101010101010101ULL) & ~word & 0x8080808080808080ULL) != 0;
}

/// True when all 8 bytes are printable ASCII other than quote and backslash (0x20..0x7f, not '"' or '\\').
constexpr bool plainAsciiWord(std::uint64_t word) {
    constexpr std::uint64_t kEach = 0x0101010101010101ULL;
    const bool high = (word & 0x8080808080808080ULL) != 0;
    // With no high bit set, a byte below 0x20 is the only way subtracting 0x20 borrows into its high bit.
    const bool control = ((word - 0x20 * kEach) & 0x8080808080808080ULL) != 0;
    return !high && !control && !hasZeroByte(word ^ ('"' * kEach)) && !hasZeroByte(word ^ ('\\' * kEach));
}

/// Text nlohmann writes unchanged between quotes: well-formed UTF-8 with no control character, quote or
/// backslash. Eight bytes at a time while they are plain ASCII, as most stored text is.
bool isPlain(std::string_view text) {
    std::size_t i = 0;
    while (i + 8 <= text.size()) {
        std::uint64_t word;
        std::memcpy(&word, text.data() + i, 8);
        if (!plainAsciiWord(word)) break;
        i += 8;
    }
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            if (c < 0x20 || c == '"' || c == '\\') return false;
            ++i;
            continue;
        }
        const std::size_t n = utf8SequenceLength(text, i);
        if (n == 0) return false;
        i += n;
    }
    return true;
}

template <typename Integer>
void appendInteger(std::string& out, Integer value) {
    char digits[24];
    const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
    out.append(digits, end);
}

}  // namespace

void appendJsonString(std::string& out, std::string_view text) {
    if (!isPlain(text)) {
        // Escapes and repairs are rare: nlohmann's own writer does them, so its rules hold exactly.
        out += json(text).dump(-1, ' ', false, json::error_handler_t::replace);
        return;
    }
    out += '"';
    out += text;
    out += '"';
}

void appendCompactJson(std::string& out, const json& value) {
    switch (value.type()) {
        case json::value_t::object: {
            out += '{';
            bool first = true;
            for (const auto& [key, member] : value.get_ref<const json::object_t&>()) {
                if (!first) out += ',';
                first = false;
                appendJsonString(out, key);
                out += ':';
                appendCompactJson(out, member);
            }
            out += '}';
            return;
        }
        case json::value_t::array: {
            out += '[';
            bool first = true;
            for (const auto& item : value.get_ref<const json::array_t&>()) {
                if (!first) out += ',';
                first = false;
                appendCompactJson(out, item);
            }
            out += ']';
            return;
        }
        case json::value_t::string:
            appendJsonString(out, value.get_ref<const std::string&>());
            return;
        case json::value_t::boolean:
            out += value.get<bool>() ? "true" : "false";
            return;
        case json::value_t::null:
            out += "null";
            return;
        case json::value_t::number_integer:
            appendInteger(out, value.get<std::int64_t>());
            return;
        case json::value_t::number_unsigned:
            appendInteger(out, value.get<std::uint64_t>());
            return;
        default:
            // Floats (nlohmann's shortest round-trip form), binary and discarded values: its writer.
            out += value.dump(-1, ' ', false, json::error_handler_t::replace);
            return;
    }
}

std::string compactJson(const json& value) {
    std::string out;
    out.reserve(1024);  // a kiosk message, written once without growing
    appendCompactJson(out, value);
    return out;
}

}  // namespace touchpoint::hub
