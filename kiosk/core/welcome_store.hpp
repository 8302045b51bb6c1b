#pragma once
// The welcome cache's copy on disk, so a restarted kiosk that cannot reach the hub still shows a returning
// member the balance it last knew. One small SQLite file beside the outbox ("welcome-cache.db"), keyed by the
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
#include "common/sqlite.hpp"
#include "profile.hpp"

namespace touchpoint::kiosk {

struct WelcomeStoreOptions {
    std::filesystem::path path;  ///< ":memory:" in unit tests
    std::int64_t maxEntries = 2000;
    std::int64_t maxAgeMs = 30LL * 24 * 3600 * 1000;
};

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
    WelcomeStore(sqlite::Database db, WelcomeStoreOptions options, const Clock& clock)
        : m_db(std::move(db)), m_options(std::move(options)), m_clock(clock) {}

    sqlite::Database m_db;
    WelcomeStoreOptions m_options;
    const Clock& m_clock;
};

}  // namespace touchpoint::kiosk
