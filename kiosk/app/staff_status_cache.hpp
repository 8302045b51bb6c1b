#pragma once
// Staff mode's StatusStore on disk: the last known loyalty status per shopper, for staff lookups while the hub
// is unreachable. A HashKeyedCache ("staff-cache.db" beside the outbox), keyed by the keyed identity hash: no
// phone, email or member number is ever written, and the cached status itself carries none. Entries older
// than maxAge are purged, and the table is capped so it cannot grow into a member list.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "core/hash_keyed_cache.hpp"
#include "staff/staff_ports.hpp"

namespace touchpoint::kiosk::app {

using StatusCacheOptions = CacheFileOptions;

class StatusCache final : public staff::StatusStore {
public:
    /// Opens or creates the file. A file that is not a database is moved aside and a fresh one started: the
    /// cache is a convenience, never worth refusing staff mode over.
    static Result<std::unique_ptr<StatusCache>, std::string> open(const StatusCacheOptions& options, const Clock& clock);

    Result<void, std::string> put(const std::string& identityHash, const staff::LoyaltyStatus& status) override;
    Result<std::optional<staff::CachedStatus>, std::string> get(const std::string& identityHash) override;
    Result<void, std::string> remove(const std::string& identityHash) override;
    Result<std::int64_t, std::string> size();

private:
    explicit StatusCache(std::unique_ptr<HashKeyedCache> cache) : m_cache(std::move(cache)) {}

    std::unique_ptr<HashKeyedCache> m_cache;
};

}  // namespace touchpoint::kiosk::app
