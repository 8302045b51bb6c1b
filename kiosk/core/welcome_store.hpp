#pragma once
// The welcome cache's copy on disk, so a restarted kiosk that cannot reach the hub still shows a returning
// member the balance it last knew. A HashKeyedCache ("welcome-cache.db" beside the outbox), keyed by the
// keyed identity hash, like staff mode's status cache. Only what the offline welcome shows is written: tier,
// points and progress. The first initial (from the shopper's name) and the hub's next-step text (written for
// this person) stay in memory, and no phone, email or member number is ever written. Entries older than
// maxAge are purged and the table is capped, so it cannot grow into a member list.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "hash_keyed_cache.hpp"
#include "profile.hpp"

namespace touchpoint::kiosk {

using WelcomeStoreOptions = CacheFileOptions;

class WelcomeStore {
public:
    /// Opens or creates the file. A file that is not a usable database is moved aside and a fresh one started:
    /// the cache is a convenience, never worth refusing to start over.
    static Result<std::unique_ptr<WelcomeStore>, std::string> open(const WelcomeStoreOptions& options,
                                                                   const Clock& clock);

    /// Saves the non-personal part of `info` (see the file comment) for this identity hash.
    Result<void, std::string> put(const std::string& identityHash, const WelcomeInfo& info);
    /// Nothing when absent or too old.
    Result<std::optional<WelcomeInfo>, std::string> get(const std::string& identityHash);
    Result<std::int64_t, std::string> size();

private:
    explicit WelcomeStore(std::unique_ptr<HashKeyedCache> cache) : m_cache(std::move(cache)) {}

    std::unique_ptr<HashKeyedCache> m_cache;
};

}  // namespace touchpoint::kiosk
