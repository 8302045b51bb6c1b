#include "welcome_store.hpp"

#include <nlohmann/json.hpp>

#include "common/log.hpp"

namespace touchpoint::kiosk {

namespace {

constexpr std::string_view kSchema =
    "CREATE TABLE IF NOT EXISTS welcome ("
    " identity_hash TEXT PRIMARY KEY,"
    " info_json TEXT NOT NULL,"
    " saved_ms INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS welcome_saved ON welcome(saved_ms);";

/// The fields the offline welcome shows, and nothing that identifies or addresses the person.
nlohmann::json toStoredJson(const WelcomeInfo& w) {
    return {{"tier", w.tier},
            {"points", w.points},
            {"nextTier", w.nextTier},
            {"pointsToNextTier", w.pointsToNextTier},
            {"progress", w.progress}};
}

Result<WelcomeInfo, std::string> fromStoredJson(const nlohmann::json& j) {
    if (!j.is_object()) return Fail(std::string("not a JSON object"));
    WelcomeInfo w;
    try {
        w.found = true;
        w.tier = j.value("tier", "");
        w.points = j.value("points", std::int64_t{0});
        w.nextTier = j.value("nextTier", "");
        w.pointsToNextTier = j.value("pointsToNextTier", std::int64_t{0});
        w.progress = j.value("progress", 0.0);
    } catch (const nlohmann::json::exception& e) {
        return Fail(std::string("wrong field type: ") + e.what());
    }
    return w;
}

Result<sqlite::Database, std::string> openAndPrepare(const std::filesystem::path& path) {
    auto db = sqlite::Database::open(path);
    if (!db) return Fail(db.error().message);
    // NORMAL is enough: losing the last cached balance to a power cut costs nothing but a "welcome" line.
    if (auto r = db->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=2000;"); !r) {
        return Fail(r.error().message);
    }
    if (auto r = db->exec("PRAGMA quick_check;"); !r) return Fail(r.error().message);
    if (auto r = db->exec(kSchema); !r) return Fail(r.error().message);
    return std::move(*db);
}

}  // namespace

Result<std::unique_ptr<WelcomeStore>, std::string> WelcomeStore::open(const WelcomeStoreOptions& options,
                                                                      const Clock& clock) {
    auto db = openAndPrepare(options.path);
    if (!db && options.path != ":memory:") {
        std::error_code ec;
        const auto aside = options.path.string() + ".corrupt-" + std::to_string(clock.utcMs());
        std::filesystem::rename(options.path, aside, ec);
        for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(options.path.string() + suffix, ec);
        log::warn("kiosk", "welcome cache unusable; moved aside", {{"error", db.error()}, {"to", aside}});
        db = openAndPrepare(options.path);
    }
    if (!db) return Fail(db.error());
    return std::unique_ptr<WelcomeStore>(new WelcomeStore(std::move(*db), options, clock));
}

Result<void, std::string> WelcomeStore::put(const std::string& identityHash, const WelcomeInfo& info) {
    const std::int64_t now = m_clock.utcMs();
    auto tx = sqlite::Transaction::begin(m_db);
    if (!tx) return Fail(tx.error().message);
    {
        auto st = m_db.prepare(
            "INSERT INTO welcome(identity_hash, info_json, saved_ms) VALUES(?1, ?2, ?3) "
            "ON CONFLICT(identity_hash) DO UPDATE SET info_json = excluded.info_json, saved_ms = excluded.saved_ms");
        if (!st) return Fail(st.error().message);
        st->bind(1, identityHash).bind(2, toStoredJson(info).dump()).bind(3, now);
        if (auto r = st->run(); !r) return Fail(r.error().message);
    }
    {
        auto st = m_db.prepare("DELETE FROM welcome WHERE saved_ms < ?1");
        if (!st) return Fail(st.error().message);
        st->bind(1, now - m_options.maxAgeMs);
        if (auto r = st->run(); !r) return Fail(r.error().message);
    }
    {
        auto st = m_db.prepare(
            "DELETE FROM welcome WHERE identity_hash IN (SELECT identity_hash FROM welcome "
            "ORDER BY saved_ms DESC LIMIT -1 OFFSET ?1)");
        if (!st) return Fail(st.error().message);
        st->bind(1, m_options.maxEntries);
        if (auto r = st->run(); !r) return Fail(r.error().message);
    }
    if (auto r = tx->commit(); !r) return Fail(r.error().message);
    return {};
}

Result<std::optional<WelcomeInfo>, std::string> WelcomeStore::get(const std::string& identityHash) {
    auto st = m_db.prepare("SELECT info_json, saved_ms FROM welcome WHERE identity_hash = ?1");
    if (!st) return Fail(st.error().message);
    st->bind(1, identityHash);
    auto row = st->step();
    if (!row) return Fail(row.error().message);
    if (!*row) return std::optional<WelcomeInfo>{};
    if (st->columnInt64(1) < m_clock.utcMs() - m_options.maxAgeMs) return std::optional<WelcomeInfo>{};
    const auto json = nlohmann::json::parse(st->columnText(0), nullptr, false);
    auto info = fromStoredJson(json);
    if (!info) return Fail("cached welcome unreadable: " + info.error());
    return std::optional<WelcomeInfo>(std::move(*info));
}

Result<std::int64_t, std::string> WelcomeStore::size() {
    auto n = m_db.queryInt("SELECT COUNT(*) FROM welcome");
    if (!n) return Fail(n.error().message);
    return *n;
}

}  // namespace touchpoint::kiosk
