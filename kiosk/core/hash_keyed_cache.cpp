#include "hash_keyed_cache.hpp"

#include "common/log.hpp"

namespace touchpoint::kiosk {

namespace {

// Table names come from code, never from input; they are checked anyway before going into SQL text.
bool plainName(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

Result<sqlite::Database, std::string> openAndPrepare(const HashKeyedCacheOptions& o) {
    auto db = sqlite::Database::open(o.file.path);
    if (!db) return Fail(db.error().message);
    // NORMAL is enough: losing the last cached entry to a power cut costs only an offline answer.
    if (auto r = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=2000;"); !r) {
        return Fail(r.error().message);
    }
    if (auto r = db->exec("PRAGMA quick_check;"); !r) return Fail(r.error().message);
    std::string schema;
    for (const auto& t : o.droppedTables) schema += "DROP TABLE IF EXISTS " + t + ";";
    schema += "CREATE TABLE IF NOT EXISTS " + o.table +
              " (identity_hash TEXT PRIMARY KEY, value_json TEXT NOT NULL, saved_ms INTEGER NOT NULL);"
              "CREATE INDEX IF NOT EXISTS " + o.table + "_saved ON " + o.table + "(saved_ms);";
    if (auto r = db->exec(schema); !r) return Fail(r.error().message);
    return std::move(*db);
}

}  // namespace

Result<std::unique_ptr<HashKeyedCache>, std::string> HashKeyedCache::open(const HashKeyedCacheOptions& options,
                                                                         const Clock& clock) {
    if (!plainName(options.table) || !std::all_of(options.droppedTables.begin(), options.droppedTables.end(), plainName)) {
        return Fail(std::string("cache table names must be letters, digits and _"));
    }
    auto db = openAndPrepare(options);
    if (!db && options.file.path != ":memory:") {
        std::error_code ec;
        const auto aside = options.file.path.string() + ".corrupt-" + std::to_string(clock.utcMs());
        std::filesystem::rename(options.file.path, aside, ec);
        for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(options.file.path.string() + suffix, ec);
        log::warn(options.logComponent, "cache unusable; moved aside",
                  {{"table", options.table}, {"error", db.error()}, {"to", aside}});
        db = openAndPrepare(options);
    }
    if (!db) return Fail(db.error());
    return std::unique_ptr<HashKeyedCache>(new HashKeyedCache(std::move(*db), options, clock));
}

Result<void, std::string> HashKeyedCache::put(const std::string& identityHash, const nlohmann::json& value) {
    const std::int64_t now = m_clock.utcMs();
    const std::string& t = m_options.table;
    auto tx = sqlite::Transaction::begin(m_db);
    if (!tx) return Fail(tx.error().message);
    {
        auto st = m_db.prepare("INSERT INTO " + t + "(identity_hash, value_json, saved_ms) VALUES(?1, ?2, ?3) "
                               "ON CONFLICT(identity_hash) DO UPDATE SET value_json = excluded.value_json, "
                               "saved_ms = excluded.saved_ms");
        if (!st) return Fail(st.error().message);
        st->bind(1, identityHash).bind(2, value.dump()).bind(3, now);
        if (auto r = st->run(); !r) return Fail(r.error().message);
    }
    {
        auto st = m_db.prepare("DELETE FROM " + t + " WHERE saved_ms < ?1");
        if (!st) return Fail(st.error().message);
        st->bind(1, now - m_options.file.maxAgeMs);
        if (auto r = st->run(); !r) return Fail(r.error().message);
    }
    {
        auto st = m_db.prepare("DELETE FROM " + t + " WHERE identity_hash IN (SELECT identity_hash FROM " + t +
                               " ORDER BY saved_ms DESC LIMIT -1 OFFSET ?1)");
        if (!st) return Fail(st.error().message);
        st->bind(1, m_options.file.maxEntries);
        if (auto r = st->run(); !r) return Fail(r.error().message);
    }
    if (auto r = tx->commit(); !r) return Fail(r.error().message);
    return {};
}

Result<std::optional<HashKeyedCache::Entry>, std::string> HashKeyedCache::get(const std::string& identityHash) {
    auto st = m_db.prepare("SELECT value_json, saved_ms FROM " + m_options.table + " WHERE identity_hash = ?1");
    if (!st) return Fail(st.error().message);
    st->bind(1, identityHash);
    auto row = st->step();
    if (!row) return Fail(row.error().message);
    if (!*row) return std::optional<Entry>{};
    Entry e;
    e.savedUtcMs = st->columnInt64(1);
    if (e.savedUtcMs < m_clock.utcMs() - m_options.file.maxAgeMs) return std::optional<Entry>{};
    e.value = nlohmann::json::parse(st->columnText(0), nullptr, false);
    return std::optional<Entry>(std::move(e));
}

Result<void, std::string> HashKeyedCache::remove(const std::string& identityHash) {
    auto st = m_db.prepare("DELETE FROM " + m_options.table + " WHERE identity_hash = ?1");
    if (!st) return Fail(st.error().message);
    st->bind(1, identityHash);
    if (auto r = st->run(); !r) return Fail(r.error().message);
    return {};
}

Result<std::int64_t, std::string> HashKeyedCache::size() {
    auto n = m_db.queryInt("SELECT COUNT(*) FROM " + m_options.table);
    if (!n) return Fail(n.error().message);
    return *n;
}

}  // namespace touchpoint::kiosk
