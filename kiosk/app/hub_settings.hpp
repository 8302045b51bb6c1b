#pragma once
// The kiosk config's [hub] section mapped to the settings of the libraries that talk to the hub. The uploader
// and its HTTPS client take their own settings structs and know nothing of the kiosk's config file; this is
// the one place that reads one into the other.

#include <chrono>
#include <filesystem>

#include "config/kiosk_config.hpp"
#include "uploader/https_client.hpp"
#include "uploader/uploader.hpp"

namespace touchpoint::kiosk::app {

/// url, CA file, client cert/key, proxy, connect and request timeouts.
uploader::HttpsClientOptions httpsOptions(const config::HubSection& hub);

/// The above plus token, backoff, drain rate, batch size and heartbeat; the uploader opens `outboxPath`.
uploader::UploaderOptions uploaderOptions(const config::HubSection& hub, const std::filesystem::path& outboxPath);

/// Staff wait at the counter: a lookup gives up well before the uploader's long request timeout.
inline constexpr std::chrono::milliseconds kStaffLookupTimeout{15'000};

}  // namespace touchpoint::kiosk::app
