#include "scanner.hpp"

#include "wipe.hpp"

namespace touchpoint::kiosk {

void ScannerInput::onChar(std::uint32_t codepoint, std::int64_t nowMs) {
    if (!m_buffer.empty() && nowMs - m_lastMs > kMaxGapMs) {
        // A pause: whatever came before was a person typing, start over from this key.
        wipeString(m_buffer);
        m_tooSlow = false;
    }
    m_lastMs = nowMs;
    if (codepoint <= 0x20 || codepoint >= 0x7f || m_buffer.size() >= kMaxLength) {
        m_tooSlow = true;  // not something a member code contains: refuse the whole burst
        return;
    }
    m_buffer.push_back(static_cast<char>(codepoint));
}

std::optional<std::string> ScannerInput::onEnter(std::int64_t nowMs) {
    std::optional<std::string> code;
    const bool quick = !m_buffer.empty() && nowMs - m_lastMs <= kMaxGapMs;
    if (quick && !m_tooSlow && m_buffer.size() >= kMinLength) code = m_buffer;
    clear();
    return code;
}

void ScannerInput::clear() {
    wipeString(m_buffer);
    m_tooSlow = false;
    m_lastMs = 0;
}

}  // namespace touchpoint::kiosk
