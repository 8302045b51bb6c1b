#pragma once
// What a database's raw bytes give away to someone who also holds the data key: every sealed value
// (hub/privacy/field_cipher.hpp) found in them, opened. Tests search these as well as the bytes themselves,
// so that "nothing left" means nothing left even with the key (an erasure, a retention pass).

#include <string>
#include <string_view>

#include "hub/privacy/field_cipher.hpp"

namespace touchpoint::hub::testing {

/// The plaintexts of the sealed values in `bytes` that `cipher` opens (under whichever column's associated
/// data), one a line. A value split across database pages is not found whole and is missed.
inline std::string openSealedValuesIn(std::string_view bytes, const privacy::FieldCipher& cipher) {
    constexpr std::string_view kColumns[] = {
        privacy::columns::kEventPayload, privacy::columns::kFeedbackComment,
        privacy::columns::kContactValue, privacy::columns::kGroupTraits,
        privacy::columns::kCaseNoteText, privacy::columns::kCaseOutcome,
        privacy::columns::kIdentifierValue};
    const auto isBase64 = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
               c == '/' || c == '=';
    };
    const auto isIdChar = [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
               c == '_';
    };
    std::string out;
    for (auto at = bytes.find(privacy::kSealedPrefix); at != std::string_view::npos;
         at = bytes.find(privacy::kSealedPrefix, at + 1)) {
        std::size_t end = at + privacy::kSealedPrefix.size();
        while (end < bytes.size() && isIdChar(bytes[end])) ++end;
        if (end >= bytes.size() || bytes[end] != ':') continue;
        ++end;
        const std::size_t head = end;
        while (end < bytes.size() && isBase64(bytes[end]) && bytes[end] != '=') ++end;
        const bool padded = end < bytes.size() && bytes[end] == '=';
        while (end < bytes.size() && bytes[end] == '=') ++end;
        // Padding ends a value; without it the bytes that follow in the page may look like base64 too, so
        // every length a value could have is tried, longest first (a wrong cut does not authenticate).
        for (std::size_t length = end - head; length >= 56; length = padded ? 0 : length - 1) {
            if (length % 4 != 0) continue;
            const auto token = bytes.substr(at, head - at + length);
            bool opened = false;
            for (const auto column : kColumns) {
                if (auto text = cipher.open(column, token)) {
                    out += *text;
                    out += '\n';
                    opened = true;
                    break;
                }
            }
            if (opened || padded) break;
        }
    }
    return out;
}

}  // namespace touchpoint::hub::testing
