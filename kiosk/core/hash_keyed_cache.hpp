#pragma once
// A small SQLite file of JSON values keyed by a keyed identity hash, for what a kiosk remembers about a
// shopper while the hub is unreachable (the welcome cache, staff mode's status cache). No phone, email or
// member number is ever a key, and callers store only what they must show. Entries older than maxAge are
// purged and the table is capped, so the file cannot grow into a member list.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "common/sqlite.hpp"

namespace touchpoint::kiosk {

/// Where a cache lives and how much it may keep; what its owners (WelcomeStore, StatusCache) are opened with.
struct CacheFileOptions {
    std::filesystem::path path;  ///< ":memory:" in unit tests
    std::int64_t maxEntries = 2000;
    std::int64_t maxAgeMs = 30LL * 24 * 3600 * 1000;
};

struct HashKeyedCacheOptions {
    CacheFileOptions file;
    std::string table;         ///< one cache per table; a file may hold several
    std::string logComponent;  ///< names the cache in log lines
    std::vector<std::string> droppedTables;  ///< an earlier layout's tables, removed at open
};

class HashKeyedCache {
public:
    struct Entry {
        nlohmann::json value;
        std::int64_t savedUtcMs = 0;
    };

    /// Opens or creates the file. A file that is not a usable database is moved aside and a fresh one started:
    /// a cache is a convenience, never worth refusing to start over.
    static Result<std::unique_ptr<HashKeyedCache>, std::string> open(const HashKeyedCacheOptions& options,
                                                                     const Clock& clock);

    /// Saves `value` for this hash, then purges what is too old and what is over the cap (oldest first).
    Result<void, std::string> put(const std::string& identityHash, const nlohmann::json& value);
    /// Nothing when absent or too old.
    Result<std::optional<Entry>, std::string> get(const std::string& identityHash);
    Result<void, std::string> remove(const std::string& identityHash);
    Result<std::int64_t, std::string> size();

private:
    HashKeyedCache(sqlite::Database db, HashKeyedCacheOptions options, const Clock& clock)
        : m_db(std::move(db)), m_options(std::move(options)), m_clock(clock) {}

    sqlite::Database m_db;
    HashKeyedCacheOptions m_options;
    const Clock& m_clock;
};

}  // namespace touchpoint::kiosk
