#pragma once
// A keyboard-wedge barcode/QR scanner types its code as very fast keystrokes followed by Enter. The kiosk has
// no physical keyboard for shoppers, but a cleaning cloth on a USB keyboard must not sign anyone in: only a
// burst whose keys all arrive within kMaxGapMs of each other counts as a scan.

#include <cstdint>
#include <optional>
#include <string>

namespace touchpoint::kiosk {

class ScannerInput {
public:
    static constexpr std::int64_t kMaxGapMs = 80;
    static constexpr std::size_t kMinLength = 4;
    static constexpr std::size_t kMaxLength = 64;

    /// A printable character typed at `nowMs` (monotonic).
    void onChar(std::uint32_t codepoint, std::int64_t nowMs);
    /// Enter at `nowMs`: the code if the burst qualifies, else nothing (and the buffer is dropped).
    std::optional<std::string> onEnter(std::int64_t nowMs);
    void clear();

private:
    std::string m_buffer;
    std::int64_t m_lastMs = 0;
    bool m_tooSlow = false;
};

}  // namespace touchpoint::kiosk
