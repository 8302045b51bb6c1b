#include "hub/sql_store.hpp"

#include "common/clock.hpp"
#include "common/log.hpp"

namespace touchpoint::hub {

namespace {

// Portable between SQLite and PostgreSQL: TEXT/BIGINT/DOUBLE PRECISION only, ON CONFLICT upserts, no
// auto-increment. Booleans are BIGINT 0/1. Times are UTC milliseconds; `day` columns are UTC dates.
constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS events(
  message_id TEXT PRIMARY KEY, type TEXT NOT NULL, event TEXT NOT NULL, at BIGINT NOT NULL, day TEXT NOT NULL,
  received_at BIGINT NOT NULL, store_id TEXT NOT NULL, kiosk_id TEXT NOT NULL, channel TEXT NOT NULL,
  profile_id TEXT, payload TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_day ON events(day, message_id);
CREATE INDEX IF NOT EXISTS events_profile ON events(profile_id);
CREATE TABLE IF NOT EXISTS feedback(
  message_id TEXT PRIMARY KEY, at BIGINT NOT NULL, day TEXT NOT NULL, store_id TEXT NOT NULL, kiosk_id TEXT NOT NULL,
  profile_id TEXT, abandoned BIGINT NOT NULL, misuse BIGINT NOT NULL, nps BIGINT, csat BIGINT, ces BIGINT,
  reasons TEXT NOT NULL, comment TEXT, survey_id TEXT NOT NULL, abandon_reason TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS feedback_day ON feedback(day, message_id);
CREATE INDEX IF NOT EXISTS feedback_profile ON feedback(profile_id);
CREATE TABLE IF NOT EXISTS signins(
  message_id TEXT PRIMARY KEY, at BIGINT NOT NULL, day TEXT NOT NULL, store_id TEXT NOT NULL, kiosk_id TEXT NOT NULL,
  profile_id TEXT, method TEXT NOT NULL, new_member BIGINT NOT NULL, awarded BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS signins_day ON signins(day, message_id);
CREATE INDEX IF NOT EXISTS signins_profile ON signins(profile_id);
CREATE TABLE IF NOT EXISTS profiles(
  id TEXT PRIMARY KEY, created_at BIGINT NOT NULL, member_id TEXT NOT NULL DEFAULT '',
  first_initial TEXT NOT NULL DEFAULT '', is_member BIGINT NOT NULL DEFAULT 0, points BIGINT NOT NULL DEFAULT 0,
  stage TEXT NOT NULL DEFAULT 'awareness', latest_nps BIGINT, latest_nps_at BIGINT, last_checkin_at BIGINT,
  referrals BIGINT NOT NULL DEFAULT 0, orders BIGINT NOT NULL DEFAULT 0, considered BIGINT NOT NULL DEFAULT 0,
  visit_days BIGINT NOT NULL DEFAULT 0, velocity_flag BIGINT NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS identifiers(
  kind TEXT NOT NULL, value TEXT NOT NULL, profile_id TEXT NOT NULL, PRIMARY KEY(kind, value));
CREATE INDEX IF NOT EXISTS identifiers_profile ON identifiers(profile_id);
CREATE TABLE IF NOT EXISTS channels(
  profile_id TEXT NOT NULL, channel TEXT NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,
  PRIMARY KEY(profile_id, channel));
CREATE TABLE IF NOT EXISTS checkins(
  message_id TEXT PRIMARY KEY, profile_id TEXT NOT NULL, at BIGINT NOT NULL, day TEXT NOT NULL,
  awarded BIGINT NOT NULL, points BIGINT NOT NULL, reason TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS checkins_profile ON checkins(profile_id, at);
CREATE TABLE IF NOT EXISTS transitions(
  message_id TEXT NOT NULL, profile_id TEXT, at BIGINT NOT NULL, day TEXT NOT NULL, from_stage TEXT NOT NULL,
  to_stage TEXT NOT NULL, channel TEXT NOT NULL, PRIMARY KEY(message_id, from_stage));
CREATE INDEX IF NOT EXISTS transitions_day ON transitions(day);
CREATE TABLE IF NOT EXISTS tombstones(hash TEXT PRIMARY KEY, erased_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens(
  hash TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, scope TEXT NOT NULL, created_at BIGINT NOT NULL,
  revoked_at BIGINT);
CREATE TABLE IF NOT EXISTS audit(
  at BIGINT NOT NULL, token_name TEXT NOT NULL, identifier_type TEXT NOT NULL, profile_id TEXT, found BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS kiosks(
  store_id TEXT NOT NULL, kiosk_id TEXT NOT NULL, last_seen BIGINT NOT NULL, app_version TEXT NOT NULL,
  clock_offset_ms BIGINT, skew_flag BIGINT NOT NULL DEFAULT 0, queue_depth BIGINT, oldest_pending_s BIGINT,
  dead_letters BIGINT, drops TEXT, events BIGINT NOT NULL DEFAULT 0, PRIMARY KEY(store_id, kiosk_id));
)SQL";

}  // namespace

std::string utcDay(std::int64_t ms) { return formatIsoUtcMs(ms).substr(0, 10); }

SqlHubStore::SqlHubStore(std::vector<std::unique_ptr<SqlConnection>> connections, HubConfig config)
    : m_free(std::move(connections)), m_dialect(m_free.at(0)->dialect()), m_config(std::move(config)) {}

SqlHubStore::Lease::~Lease() {
    {
        std::lock_guard<std::mutex> lock(m_store.m_poolMutex);
        m_store.m_free.push_back(std::move(m_conn));
    }
    m_store.m_poolCv.notify_one();
}

SqlHubStore::Lease SqlHubStore::acquire() {
    std::unique_lock<std::mutex> lock(m_poolMutex);
    m_poolCv.wait(lock, [this] { return !m_free.empty(); });
    auto c = std::move(m_free.back());
    m_free.pop_back();
    return Lease(*this, std::move(c));
}

StoreResult<void> SqlHubStore::migrate() {
    auto lease = acquire();
    if (m_dialect == Dialect::Postgres) {
        // Several hubs may start at once against one database: take turns creating the schema.
        auto r = lease->script(std::string("SELECT pg_advisory_lock(4242001);") + kSchema +
                               "SELECT pg_advisory_unlock(4242001);");
        if (!r) (void)lease->script("SELECT pg_advisory_unlock(4242001)");
        return r;
    }
    return lease->script(kSchema);
}

StoreResult<void> SqlHubStore::audit(const std::string& tokenName, const std::string& identifierType,
                                     const std::string& profileId, bool found) {
    auto r = write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        auto e = c.exec("INSERT INTO audit(at, token_name, identifier_type, profile_id, found) VALUES(?,?,?,?,?)",
                        {SystemClock::instance().utcMs(), tokenName, identifierType,
                         profileId.empty() ? SqlValue{} : SqlValue{profileId}, std::int64_t{found ? 1 : 0}});
        if (!e) return Fail(e.error());
        return true;
    });
    if (!r) return Fail(r.error());
    return {};
}

StoreResult<std::vector<AuditEntry>> SqlHubStore::recentAudit(std::size_t limit) {
    auto lease = acquire();
    auto rows = lease->query("SELECT at, token_name, identifier_type, profile_id, found FROM audit ORDER BY at DESC LIMIT ?",
                             {static_cast<std::int64_t>(limit)});
    if (!rows) return Fail(rows.error());
    std::vector<AuditEntry> out;
    for (std::size_t i = 0; i < rows->size(); ++i) {
        out.push_back({rows->integer(i, 0), rows->text(i, 1), rows->text(i, 2), rows->text(i, 3), rows->integer(i, 4) != 0});
    }
    return out;
}

StoreResult<void> SqlHubStore::addToken(const std::string& hash, const std::string& name, const std::string& scope) {
    auto r = write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        auto e = c.exec("INSERT INTO tokens(hash, name, scope, created_at) VALUES(?,?,?,?)",
                        {hash, name, scope, SystemClock::instance().utcMs()});
        if (!e) return Fail(StoreError{"token " + name + ": " + e.error().message, e.error().retryable});
        return true;
    });
    if (!r) return Fail(r.error());
    return {};
}

StoreResult<bool> SqlHubStore::revokeToken(const std::string& name) {
    return write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        auto e = c.exec("UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                        {SystemClock::instance().utcMs(), name});
        if (!e) return Fail(e.error());
        return *e > 0;
    });
}

StoreResult<std::vector<TokenRecord>> SqlHubStore::listTokens() {
    auto lease = acquire();
    auto rows = lease->query("SELECT name, scope, created_at, revoked_at FROM tokens ORDER BY created_at, name");
    if (!rows) return Fail(rows.error());
    std::vector<TokenRecord> out;
    for (std::size_t i = 0; i < rows->size(); ++i) {
        TokenRecord t{rows->text(i, 0), rows->text(i, 1), rows->integer(i, 2), std::nullopt};
        if (!rows->isNull(i, 3)) t.revokedMs = rows->integer(i, 3);
        out.push_back(std::move(t));
    }
    return out;
}

StoreResult<std::optional<TokenRecord>> SqlHubStore::findToken(const std::string& hash) {
    auto lease = acquire();
    auto rows = lease->query("SELECT name, scope, created_at, revoked_at FROM tokens WHERE hash = ?", {hash});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<TokenRecord>{};
    TokenRecord t{rows->text(0, 0), rows->text(0, 1), rows->integer(0, 2), std::nullopt};
    if (!rows->isNull(0, 3)) t.revokedMs = rows->integer(0, 3);
    return std::optional<TokenRecord>(std::move(t));
}

StoreResult<std::int64_t> SqlHubStore::countEvents() {
    auto lease = acquire();
    auto rows = lease->query("SELECT COUNT(*) FROM events");
    if (!rows) return Fail(rows.error());
    return rows->integer(0, 0);
}

StoreResult<std::unique_ptr<HubStore>> openHubStore(const std::string& url, const HubConfig& config) {
    std::vector<std::unique_ptr<SqlConnection>> connections;
    const int n = std::max(1, config.storeConnections);
    for (int i = 0; i < n; ++i) {
        StoreResult<std::unique_ptr<SqlConnection>> c = Fail(StoreError{"unsupported store url", false});
        if (url.rfind("sqlite://", 0) == 0) {
            c = openSqlite(url.substr(9));
        } else if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
            c = openPostgres(url);
        } else {
            return Fail(StoreError{"store url must start with sqlite:// or postgresql://", false});
        }
        if (!c) return Fail(c.error());
        connections.push_back(std::move(c).value());
    }
    auto store = std::make_unique<SqlHubStore>(std::move(connections), config);
    if (auto m = store->migrate(); !m) return Fail(StoreError{"create schema: " + m.error().message, false});
    return std::unique_ptr<HubStore>(std::move(store));
}

}  // namespace touchpoint::hub
