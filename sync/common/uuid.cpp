#include "common/uuid.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <stdexcept>

namespace touchpoint {

namespace {

std::array<std::uint8_t, 16> randomBytes() {
    std::array<std::uint8_t, 16> b{};
    std::size_t filled = 0;
    while (filled < b.size()) {
        const ssize_t n = getrandom(b.data() + filled, b.size() - filled, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error("getrandom failed");  // only before the kernel's pool is initialised
        }
        filled += static_cast<std::size_t>(n);
    }
    return b;
}

std::string format(std::array<std::uint8_t, 16> b, int version) {
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | (version << 4));
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(kHex[b[i] >> 4]);
        out.push_back(kHex[b[i] & 0x0F]);
    }
    return out;
}

}  // namespace

std::string newUuidV4() { return format(randomBytes(), 4); }

std::string newUuidV7(std::int64_t unixMs) {
    auto b = randomBytes();
    const auto ms = static_cast<std::uint64_t>(unixMs < 0 ? 0 : unixMs);
    for (std::size_t i = 0; i < 6; ++i) b[i] = static_cast<std::uint8_t>(ms >> (8 * (5 - i)));
    return format(b, 7);
}

bool isUuid(const std::string& text) {
    if (text.size() != 36) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

}  // namespace touchpoint
