#pragma once
// One kiosk as the hub knows it from its latest heartbeat (HubStore::fleet, /v1/fleet, the dashboard).

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace touchpoint::hub {

struct KioskRecord {
    std::string store;
    std::string kiosk;
    std::int64_t lastSeenMs = 0;  ///< capture time of the latest heartbeat, skew-corrected
    std::string appVersion;
    std::optional<std::int64_t> clockOffsetMs;
    bool clockSkewed = false;  ///< the offset passed server.clock_skew_flag_seconds
    std::optional<std::int64_t> queueDepth;
    std::optional<std::int64_t> oldestPendingS;
    std::optional<std::int64_t> deadLetters;
    std::map<std::string, std::int64_t> drops;  ///< events the kiosk dropped, by reason
    std::int64_t events = 0;                     ///< events received from this kiosk
    std::int64_t welcomeLookups = 0;             ///< welcome lookups its kiosk token made (audited)
    /// The published configuration the kiosk last said it runs (heartbeat configVersion), and why it refused
    /// the newest one it was given ("" when it refused none); both absent until it reports them.
    std::optional<std::int64_t> configVersion;
    std::optional<std::string> configRefusal;
};

}  // namespace touchpoint::hub
