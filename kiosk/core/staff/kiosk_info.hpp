#pragma once
// The kiosk info page: who this kiosk is and whether its disk and clock are healthy.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace touchpoint::kiosk::staff {

struct KioskIdentityInfo {
    std::string storeId;
    std::string kioskId;
    std::string appVersion;
    std::filesystem::path configPath;
    std::filesystem::path outboxPath;   ///< disk free is measured on its folder
};

struct KioskInfoVm {
    KioskIdentityInfo identity;
    std::optional<std::uint64_t> freeDiskBytes;   ///< nothing when statvfs failed
    std::optional<std::int64_t> clockOffsetMs;    ///< hub minus kiosk; nothing before the first receipt
    bool clockWrong = false;
};

/// Bytes available to an unprivileged writer on the filesystem holding `path` (statvfs f_bavail * f_frsize).
std::optional<std::uint64_t> freeDiskBytes(const std::filesystem::path& path);

/// "12.3 GB", "512 MB", "900 KB".
std::string formatBytes(std::uint64_t bytes);

}  // namespace touchpoint::kiosk::staff
