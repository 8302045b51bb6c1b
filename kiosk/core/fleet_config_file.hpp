#pragma once
// The last good document head office sent, kept beside the outbox as fleet-config.json so a kiosk that
// restarts offline shows what it showed before. Written atomically (a power cut leaves the old file or the
// new one); read back at start and checked again before it is used.

#include <filesystem>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace touchpoint::kiosk {

struct StoredFleetConfig {
    std::string etag;  ///< as the hub sent it: "\"cfg-12\""
    std::string body;  ///< the hub's answer exactly as received
};

class FleetConfigFile {
  public:
    explicit FleetConfigFile(std::filesystem::path path) : m_path(std::move(path)) {}

    const std::filesystem::path& path() const { return m_path; }
    /// Replaces the file atomically (written, synced, renamed).
    Result<void, std::string> save(const StoredFleetConfig& config) const;
    /// Nothing when there is no file; an error for a file that cannot be read or is not one of ours.
    Result<std::optional<StoredFleetConfig>, std::string> load() const;

  private:
    std::filesystem::path m_path;
};

}  // namespace touchpoint::kiosk
