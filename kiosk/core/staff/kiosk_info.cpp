#include "staff/kiosk_info.hpp"

#include <sys/statvfs.h>

#include <cstdio>

namespace touchpoint::kiosk::staff {

std::optional<std::uint64_t> freeDiskBytes(const std::filesystem::path& path) {
    // The outbox file may not exist yet; its folder is what fills up.
    std::filesystem::path probe = path;
    std::error_code ec;
    if (!std::filesystem::is_directory(probe, ec)) probe = probe.parent_path();
    if (probe.empty()) probe = ".";
    struct statvfs info {};
    if (::statvfs(probe.c_str(), &info) != 0) return std::nullopt;
    return static_cast<std::uint64_t>(info.f_bavail) * static_cast<std::uint64_t>(info.f_frsize);
}

std::string formatBytes(std::uint64_t bytes) {
    constexpr double kKb = 1000.0;
    const auto value = static_cast<double>(bytes);
    char buffer[32];
    if (value >= kKb * kKb * kKb) {
        std::snprintf(buffer, sizeof buffer, "%.1f GB", value / (kKb * kKb * kKb));
    } else if (value >= kKb * kKb) {
        std::snprintf(buffer, sizeof buffer, "%.0f MB", value / (kKb * kKb));
    } else if (value >= kKb) {
        std::snprintf(buffer, sizeof buffer, "%.0f KB", value / kKb);
    } else {
        std::snprintf(buffer, sizeof buffer, "%llu B", static_cast<unsigned long long>(bytes));
    }
    return buffer;
}

}  // namespace touchpoint::kiosk::staff
