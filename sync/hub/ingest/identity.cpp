#include "hub/ingest/identity.hpp"

#include <sodium.h>

#include "event/identifier.hpp"
#include "event/sealing.hpp"

namespace touchpoint::hub {

namespace {
std::string hex(const unsigned char* data, std::size_t n) {
    std::string out(n * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), data, n);
    out.pop_back();  // the terminating NUL
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
    // The rule every program shares (event/identifier.hpp), so the hub joins what the kiosk recorded.
    auto normalized = event::normalizeEmail(email);
    if (!normalized) return std::nullopt;
    return std::move(normalized).value();
}

std::optional<std::string> normalizePhone(std::string_view phone, const std::string& region) {
    // Ingest asks for the same numbers again and again (returning shoppers): the shared rule, remembered.
    static event::PhoneMemo memo;
    auto normalized = memo.normalize(phone, region);
    if (!normalized) return std::nullopt;
    return std::move(normalized).value();
}

std::optional<std::string> normalizeMemberCode(std::string_view code) {
    auto normalized = event::normalizeMemberCode(code);
    if (!normalized) return std::nullopt;
    return std::move(normalized).value();
}

std::string legacyIdentifierHash(std::string_view kind, std::string_view value) {
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
