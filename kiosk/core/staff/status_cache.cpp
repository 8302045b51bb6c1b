#include "staff/status_cache.hpp"

#include "common/log.hpp"

namespace touchpoint::kiosk::staff {

namespace {

constexpr std::string_view kSchema =
    "CREATE TABLE IF NOT EXISTS status ("
    " identity_hash TEXT PRIMARY KEY,"
    " status_json TEXT NOT NULL,"
    " fetched_ms INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS status_fetched ON status(fetched_ms);";

Result<sqlite::Database, std::string> openAndPrepare(const std::filesystem::path& path) {
    auto db = sqlite::Database::open(path);
    if (!db) return Fail(db.error().message);
    if (auto r = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=2000;"); !r) {
        return Fail(r.error().message);
    }
    if (auto r = db->exec("PRAGMA quick_check;"); !r) return Fail(r.error().message);
    if (auto r = db->exec(kSchema); !r) return Fail(r.error().message);
    return std::move(*db);
}

}  // namespace

Result<std::unique_ptr<StatusCache>, std::string> StatusCache::open(const StatusCacheOptions& options,
                                                                    const Clock& clock) {
    auto db = openAndPrepare(options.path);
    if (!db && options.path != ":memory:") {
        std::error_code ec;
        const auto aside = options.path.string() + ".corrupt-" + std::to_string(clock.utcMs());
        std::filesystem::rename(options.path, aside, ec);
        for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(options.path.string() + suffix, ec);
        log::warn("staff", "status cache unusable; moved aside", {{"error", db.error()}, {"to", aside}});
        db = openAndPrepare(options.path);
    }
    if (!db) return Fail(db.error());
    return std::unique_ptr<StatusCache>(new StatusCache(std::move(*db), options, clock));
}

Result<void, std::string> StatusCache::put(const std::string& identityHash, const LoyaltyStatus& status) {
    const std::int64_t now = m_clock.utcMs();
    auto tx = sqlite::Transaction::begin(m_db);
    if (!tx) return Fail(tx.error().message);
    {
        auto st = m_db.prepare(
            "INSERT INTO status(identity_hash, status_json, fetched_ms) VALUES(?1, ?2, ?3) "
            "ON CONFLICT(identity_hash) DO UPDATE SET status_json = excluded.status_json, "
            "fetched_ms = excluded.fetched_ms");
        if (!st) return Fail(st.error().message);
        st->bind(1, identityHash).bind(2, toCacheJson(status).dump()).bind(3, now);
        if (auto r = st->run(); !r) return Fail(r.error().message);
    }
    {
        auto st = m_db.prepare("DELETE FROM status WHERE fetched_ms < ?1");
        if (!st) return Fail(st.error().message);
        st->bind(1, now - m_options.maxAgeMs);
        if (auto r = st->run(); !r) return Fail(r.error().message);
    }
    {
        auto st = m_db.prepare(
            "DELETE FROM status WHERE identity_hash IN (SELECT identity_hash FROM status "
            "ORDER BY fetched_ms DESC LIMIT -1 OFFSET ?1)");
        if (!st) return Fail(st.error().message);
        st->bind(1, m_options.maxEntries);
        if (auto r = st->run(); !r) return Fail(r.error().message);
    }
    if (auto r = tx->commit(); !r) return Fail(r.error().message);
    return {};
}

Result<std::optional<CachedStatus>, std::string> StatusCache::get(const std::string& identityHash) {
    auto st = m_db.prepare("SELECT status_json, fetched_ms FROM status WHERE identity_hash = ?1");
    if (!st) return Fail(st.error().message);
    st->bind(1, identityHash);
    auto row = st->step();
    if (!row) return Fail(row.error().message);
    if (!*row) return std::optional<CachedStatus>{};
    CachedStatus cached;
    cached.fetchedUtcMs = st->columnInt64(1);
    if (cached.fetchedUtcMs < m_clock.utcMs() - m_options.maxAgeMs) return std::optional<CachedStatus>{};
    const auto json = nlohmann::json::parse(st->columnText(0), nullptr, false);
    auto status = fromCacheJson(json);
    if (!status) return Fail("cached status unreadable: " + status.error());
    cached.status = std::move(*status);
    return std::optional<CachedStatus>(std::move(cached));
}

Result<void, std::string> StatusCache::remove(const std::string& identityHash) {
    auto st = m_db.prepare("DELETE FROM status WHERE identity_hash = ?1");
    if (!st) return Fail(st.error().message);
    st->bind(1, identityHash);
    if (auto r = st->run(); !r) return Fail(r.error().message);
    return {};
}

Result<std::int64_t, std::string> StatusCache::size() {
    auto n = m_db.queryInt("SELECT COUNT(*) FROM status");
    if (!n) return Fail(n.error().message);
    return *n;
}

}  // namespace touchpoint::kiosk::staff
