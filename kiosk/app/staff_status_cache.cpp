#include "staff_status_cache.hpp"

namespace touchpoint::kiosk::app {

using staff::CachedStatus;
using staff::LoyaltyStatus;

Result<std::unique_ptr<StatusCache>, std::string> StatusCache::open(const StatusCacheOptions& options,
                                                                    const Clock& clock) {
    // The first release kept the same rows in a table named "status" with other column names.
    auto cache = HashKeyedCache::open({options, "staff_status", "staff", {"status"}}, clock);
    if (!cache) return Fail(cache.error());
    return std::unique_ptr<StatusCache>(new StatusCache(std::move(*cache)));
}

Result<void, std::string> StatusCache::put(const std::string& identityHash, const LoyaltyStatus& status) {
    return m_cache->put(identityHash, staff::toCacheJson(status));
}

Result<std::optional<CachedStatus>, std::string> StatusCache::get(const std::string& identityHash) {
    auto entry = m_cache->get(identityHash);
    if (!entry) return Fail(entry.error());
    if (!*entry) return std::optional<CachedStatus>{};
    auto status = staff::fromCacheJson((*entry)->value);
    if (!status) return Fail("cached status unreadable: " + status.error());
    return std::optional<CachedStatus>(CachedStatus{std::move(*status), (*entry)->savedUtcMs});
}

Result<void, std::string> StatusCache::remove(const std::string& identityHash) { return m_cache->remove(identityHash); }

Result<std::int64_t, std::string> StatusCache::size() { return m_cache->size(); }

}  // namespace touchpoint::kiosk::app
