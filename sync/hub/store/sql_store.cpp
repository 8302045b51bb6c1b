#include "hub/store/sql_store.hpp"

#include <algorithm>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "common/uuid.hpp"
#include "hub/store/sql_schema.hpp"
#include "hub/store/sqlite_write_strategy.hpp"

namespace touchpoint::hub {

namespace {

/// How far behind a store's newest answer its cached window reaches: twice the longest alert window, so a
/// batch up to one window late still finds its windows in memory. Without alert rules nothing is cached.
AnswerWindows::Limits answerWindowLimits(const CasesConfig& cases) {
    AnswerWindows::Limits limits;
    for (const auto& rule : cases.alerts) limits.keepMs = std::max(limits.keepMs, 2 * rule.windowMinutes * 60'000);
    return limits;
}

}  // namespace

SqlHubStore::SqlHubStore(std::unique_ptr<ConnectionPool> pool, std::unique_ptr<WriteStrategy> writes,
                         HubConfig config, const Clock& clock, privacy::DataKeys keys)
    : m_pool(std::move(pool)),
      m_writes(writes ? std::move(writes) : pooledWrites(*m_pool)),
      m_config(std::move(config)),
      m_rules(m_config.loyalty),
      m_answerWindows(answerWindowLimits(m_config.cases)),
      m_feedbackRules(m_config.cases, m_config.notifications, m_config.loyalty.defaultPhoneRegion,
                      [](std::int64_t nowMs) { return newUuidV7(nowMs); }),
      m_clock(clock),
      m_keys(std::move(keys)),
      m_cipher(m_keys),
      m_cases(*m_pool, *m_writes, m_cipher),
      m_fleetConfig(*m_pool, *m_writes) {}

StoreResult<void> SqlHubStore::migrate() {
    auto lease = acquire();
    SqlConnection& c = *lease;
    // Several hubs may start at once against one PostgreSQL database: they take turns at the schema.
    const bool pg = m_pool->dialect() == Dialect::Postgres;
    if (pg) {
        if (auto r = c.script("SELECT pg_advisory_lock(4242001)"); !r) return r;
    }
    bool rewrote = false;
    StoreResult<void> result = c.begin();
    if (result) {
        auto migrated = migrateHubSchema(c, m_keys, m_cipher);
        if (migrated) {
            rewrote = *migrated;
            result = c.commit();
        } else {
            result = Fail(migrated.error());
        }
        if (!result) c.rollback();
    }
    if (pg) (void)c.script("SELECT pg_advisory_unlock(4242001)");
    if (result && rewrote) {
        // As after an erasure: the plaintext the step replaced must not stay in the database's own log.
        if (auto t = m_writes->truncateLog(); !t) {
            log::warn("hub", "schema: log not truncated after sealing personal fields", {{"error", t.error().message}});
        }
    }
    return result;
}

StoreResult<void> SqlHubStore::insertAudit(SqlConnection& c, const TokenRecord& token, const std::string& route,
                                           const std::string& identifierType, const std::string& profileId,
                                           bool found, const std::string& detail) {
    auto e = c.exec("INSERT INTO audit(at, token_name, identifier_type, profile_id, found, route, store_id, kiosk_id, "
                    "detail) VALUES(?,?,?,?,?,?,?,?,?)",
                    {m_clock.utcMs(), token.name, identifierType, profileId.empty() ? SqlValue{} : SqlValue{profileId},
                     std::int64_t{found ? 1 : 0}, route, token.storeId, token.kioskId, detail});
    if (!e) return Fail(e.error());
    return {};
}

StoreResult<void> SqlHubStore::audit(const TokenRecord& token, const std::string& route,
                                     const std::string& identifierType, const std::string& profileId, bool found,
                                     const std::string& detail) {
    auto r = write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        if (auto e = insertAudit(c, token, route, identifierType, profileId, found, detail); !e) return Fail(e.error());
        return true;
    });
    if (!r) return Fail(r.error());
    return {};
}

StoreResult<std::vector<AuditEntry>> SqlHubStore::recentAudit(std::size_t limit, const std::string& route) {
    auto lease = acquire();
    const std::string columns = "SELECT at, token_name, identifier_type, profile_id, found, route, store_id, kiosk_id, "
                                "detail FROM audit ";
    auto rows = route.empty()
                    ? lease->query(columns + "ORDER BY at DESC LIMIT ?", {static_cast<std::int64_t>(limit)})
                    : lease->query(columns + "WHERE route = ? ORDER BY at DESC LIMIT ?",
                                   {route, static_cast<std::int64_t>(limit)});
    if (!rows) return Fail(rows.error());
    std::vector<AuditEntry> out;
    for (std::size_t i = 0; i < rows->size(); ++i) {
        out.push_back({rows->integer(i, 0), rows->text(i, 1), rows->text(i, 2), rows->text(i, 3),
                       rows->integer(i, 4) != 0, rows->text(i, 5), rows->text(i, 6), rows->text(i, 7),
                       rows->text(i, 8)});
    }
    return out;
}

StoreResult<void> SqlHubStore::addToken(const std::string& hash, const TokenRecord& t) {
    auto r = write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        auto e = c.exec("INSERT INTO tokens(hash, name, scope, created_at, kind, store_id, kiosk_id, role) "
                        "VALUES(?,?,?,?,?,?,?,?)",
                        {hash, t.name, t.scope, m_clock.utcMs(), t.kind, t.storeId, t.kioskId, t.role});
        if (!e) return Fail(StoreError{"token " + t.name + ": " + e.error().message, e.error().retryable});
        return true;
    });
    if (!r) return Fail(r.error());
    return {};
}

StoreResult<bool> SqlHubStore::bindToken(const std::string& name, const std::string& storeId,
                                         const std::string& kioskId) {
    return write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        auto e = c.exec("UPDATE tokens SET store_id = ?, kiosk_id = ? WHERE name = ? AND revoked_at IS NULL AND "
                        "kind IN ('kiosk', 'staff') AND store_id = ''",
                        {storeId, kioskId, name});
        if (!e) return Fail(e.error());
        return *e > 0;
    });
}

StoreResult<bool> SqlHubStore::revokeToken(const std::string& name) {
    return write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        auto e = c.exec("UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                        {m_clock.utcMs(), name});
        if (!e) return Fail(e.error());
        return *e > 0;
    });
}

namespace {

constexpr const char* kTokenColumns = "name, scope, created_at, revoked_at, kind, store_id, kiosk_id, role";

TokenRecord tokenRow(const SqlRows& rows, std::size_t i) {
    TokenRecord t{rows.text(i, 0), rows.text(i, 1), rows.integer(i, 2), std::nullopt,
                  rows.text(i, 4), rows.text(i, 5), rows.text(i, 6), rows.text(i, 7)};
    if (!rows.isNull(i, 3)) t.revokedMs = rows.integer(i, 3);
    return t;
}

}  // namespace

StoreResult<std::vector<TokenRecord>> SqlHubStore::listTokens() {
    auto lease = acquire();
    auto rows = lease->query(std::string("SELECT ") + kTokenColumns + " FROM tokens ORDER BY created_at, name");
    if (!rows) return Fail(rows.error());
    std::vector<TokenRecord> out;
    for (std::size_t i = 0; i < rows->size(); ++i) out.push_back(tokenRow(*rows, i));
    return out;
}

StoreResult<std::optional<TokenRecord>> SqlHubStore::findToken(const std::string& hash) {
    auto lease = acquire();
    auto rows = lease->query(std::string("SELECT ") + kTokenColumns + " FROM tokens WHERE hash = ?", {hash});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<TokenRecord>{};
    return std::optional<TokenRecord>(tokenRow(*rows, 0));
}

StoreResult<std::int64_t> SqlHubStore::countEvents() {
    auto lease = acquire();
    auto rows = lease->query("SELECT COUNT(*) FROM events");
    if (!rows) return Fail(rows.error());
    return rows->integer(0, 0);
}

StoreResult<void> SqlHubStore::probeWrite() {
    // An UPDATE, not a SELECT: a server that became a standby in a failover still answers reads, and only a
    // write finds out (25006, after which the connection is reopened on the new primary). On the table every
    // ingest writes, so a missing or unwritable events table keeps the hub degraded. It changes no row, so it
    // cannot tell a full disk: there /healthz turns healthy until the next real write fails again.
    auto r = write<bool>([](SqlConnection& c) -> StoreResult<bool> {
        auto e = c.exec("UPDATE events SET type = type WHERE 1 = 0", {});
        if (!e) return Fail(e.error());
        return true;
    });
    if (!r) return Fail(r.error());
    return {};
}

StoreResult<std::unique_ptr<HubStore>> openHubStore(const std::string& url, const HubConfig& config,
                                                    const Clock& clock, StoreUse use) {
    // The data key first: a hub without its key must not start (nor touch the database).
    privacy::DataKeys keys = privacy::DataKeys::processLocal();
    if (!config.dataKeyFile.empty()) {
        auto read = privacy::DataKeys::readFile(config.dataKeyFile);
        if (!read) return Fail(StoreError{"privacy.data_key_file: " + read.error(), false});
        keys = std::move(read).value();
    }
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
    std::unique_ptr<WriteStrategy> writes;  // PostgreSQL: pooled transactions
    if (url.rfind("sqlite://", 0) == 0) {
        auto w = openSqliteWrites(url.substr(9));
        if (!w) return Fail(w.error());
        writes = std::move(w).value();
    }
    auto store = std::make_unique<SqlHubStore>(std::make_unique<ConnectionPool>(std::move(connections)),
                                               std::move(writes), config, clock, std::move(keys));
    if (auto m = store->migrate(); !m) return Fail(StoreError{"create schema: " + m.error().message, false});
    if (use == StoreUse::Serving && url.rfind("sqlite://", 0) != 0) {
        auto c = openPostgres(url);
        if (!c) return Fail(StoreError{"statistics connection: " + c.error().message, false});
        store->keepStatistics(PostgresStatisticsKeeper::start(std::move(c).value(), std::chrono::seconds(2)));
    }
    return std::unique_ptr<HubStore>(std::move(store));
}

}  // namespace touchpoint::hub
