#include "hub_settings.hpp"

#include <algorithm>

namespace touchpoint::kiosk::app {

uploader::HttpsClientOptions httpsOptions(const config::HubSection& hub) {
    uploader::HttpsClientOptions o;
    o.baseUrl = hub.url;
    o.caFile = hub.caFile;
    o.clientCertFile = hub.clientCertFile;
    o.clientKeyFile = hub.clientKeyFile;
    o.proxy = hub.proxy;
    o.connectTimeout = std::chrono::seconds(std::max(1, hub.connectTimeoutS));
    o.totalTimeout = std::chrono::seconds(std::max(1, hub.requestTimeoutS));
    return o;
}

uploader::UploaderOptions uploaderOptions(const config::HubSection& hub, const std::filesystem::path& outboxPath) {
    using uploader::Millis;
    uploader::UploaderOptions o;
    o.http = httpsOptions(hub);
    o.token = hub.token;
    o.outboxPath = outboxPath;
    o.maxBatchBytes = static_cast<std::size_t>(std::clamp(hub.maxBatchKb, 1, 500)) * 1024;
    o.backoffBase = Millis(static_cast<std::int64_t>(std::max(0.001, hub.backoffBaseS) * 1000));
    o.backoffCap = Millis(static_cast<std::int64_t>(std::max(hub.backoffBaseS, hub.backoffCapS) * 1000));
    o.drainRatePerS = hub.drainRatePerS;
    o.heartbeatInterval = Millis(static_cast<std::int64_t>(std::max(0, hub.heartbeatMinutes)) * 60 * 1000);
    return o;
}

}  // namespace touchpoint::kiosk::app
