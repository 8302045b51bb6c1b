// Dashboard sessions and token roles: a session is bound to the token that opened it and to the role that
// token had, so revoking the token or changing its role ends the session on its next request, on every hub
// process sharing the store.

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "hub/store/sql_store.hpp"

namespace touchpoint::hub {

StoreResult<bool> SqlHubStore::setTokenRole(const std::string& name, const std::string& role) {
    return write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        auto e = c.exec("UPDATE tokens SET role = ? WHERE name = ? AND revoked_at IS NULL AND kind = 'head-office'",
                        {role, name});
        if (!e) return Fail(e.error());
        return *e > 0;
    });
}

StoreResult<void> SqlHubStore::addSession(const std::string& key, const std::string& tokenHash, std::int64_t nowMs,
                                          std::size_t maxSessions) {
    auto r = write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        auto e = c.exec("INSERT INTO sessions(hash, token_hash, role, created_at, last_used) "
                        "SELECT ?, hash, role, ?, ? FROM tokens WHERE hash = ?",
                        {key, nowMs, nowMs, tokenHash});
        if (!e) return Fail(e.error());
        // Bounded: above the cap the least recently used sessions go (a flood of sign-ins cannot grow it).
        auto cut = c.query("SELECT last_used FROM sessions ORDER BY last_used DESC LIMIT 1 OFFSET ?",
                           {static_cast<std::int64_t>(maxSessions)});
        if (!cut) return Fail(cut.error());
        if (!cut->empty()) {
            auto d = c.exec("DELETE FROM sessions WHERE last_used <= ? AND hash <> ?", {cut->integer(0, 0), key});
            if (!d) return Fail(d.error());
        }
        return true;
    });
    if (!r) return Fail(r.error());
    return {};
}

StoreResult<bool> SqlHubStore::touchSession(const std::string& key, std::int64_t nowMs, std::int64_t idleMs,
                                            std::int64_t lifeMs) {
    return write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        auto rows = c.query("SELECT s.created_at, s.last_used, s.role, t.role, t.revoked_at FROM sessions s "
                            "LEFT JOIN tokens t ON t.hash = s.token_hash WHERE s.hash = ?",
                            {key});
        if (!rows) return Fail(rows.error());
        if (rows->empty()) return false;
        const bool live = nowMs - rows->integer(0, 1) < idleMs && nowMs - rows->integer(0, 0) < lifeMs &&
                          !rows->isNull(0, 3) && rows->isNull(0, 4) && rows->text(0, 2) == rows->text(0, 3);
        auto e = live ? c.exec("UPDATE sessions SET last_used = ? WHERE hash = ?", {nowMs, key})
                      : c.exec("DELETE FROM sessions WHERE hash = ?", {key});
        if (!e) return Fail(e.error());
        return live;
    });
}

StoreResult<void> SqlHubStore::removeSession(const std::string& key) {
    auto r = write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        auto e = c.exec("DELETE FROM sessions WHERE hash = ?", {key});
        if (!e) return Fail(e.error());
        return true;
    });
    if (!r) return Fail(r.error());
    return {};
}

StoreResult<std::optional<std::string>> SqlHubStore::sessionTokenHash(const std::string& key) {
    auto lease = m_pool->acquire();
    auto rows = lease->query("SELECT token_hash FROM sessions WHERE hash = ?", {key});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<std::string>{};
    return std::optional<std::string>(rows->text(0, 0));
}

StoreResult<std::int64_t> SqlHubStore::countSessions(std::int64_t nowMs, std::int64_t idleMs, std::int64_t lifeMs) {
    return write<std::int64_t>([&](SqlConnection& c) -> StoreResult<std::int64_t> {
        auto d = c.exec("DELETE FROM sessions WHERE last_used <= ? OR created_at <= ?", {nowMs - idleMs, nowMs - lifeMs});
        if (!d) return Fail(d.error());
        auto n = c.query("SELECT COUNT(*) FROM sessions");
        if (!n) return Fail(n.error());
        return n->integer(0, 0);
    });
}

}  // namespace touchpoint::hub

namespace touchpoint::hub {

namespace {

/// A number for SQL text, exact enough for a rate (round trip of a double).
std::string sqlNumber(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

}  // namespace

StoreResult<int> SqlHubStore::takeRateToken(const std::string& key, double perSecond, double burst,
                                            std::int64_t nowMs) {
    if (!(perSecond > 0)) return 0;
    burst = std::max(burst, 1.0);
    // One statement, so that hubs sharing the store cannot both take the last token: the row's old values are
    // what every SET expression reads. The rate and burst come from the hub's config, not from a request.
    const std::string elapsedS = "(CASE WHEN excluded.at_ms > rate_buckets.at_ms THEN "
                                 "(excluded.at_ms - rate_buckets.at_ms) / 1000.0 ELSE 0 END)";
    const std::string refilled = "(CASE WHEN rate_buckets.tokens + " + elapsedS + " * " + sqlNumber(perSecond) +
                                 " >= " + sqlNumber(burst) + " THEN " + sqlNumber(burst) + " ELSE rate_buckets.tokens + " +
                                 elapsedS + " * " + sqlNumber(perSecond) + " END)";
    const std::string sql =
        "INSERT INTO rate_buckets(key, tokens, at_ms, allowed) "
        "VALUES(?, CAST(? AS DOUBLE PRECISION), CAST(? AS BIGINT), 1) ON CONFLICT(key) DO UPDATE SET "
        "tokens = CASE WHEN " + refilled + " >= 1 THEN " + refilled + " - 1 ELSE " + refilled + " END, "
        "allowed = CASE WHEN " + refilled + " >= 1 THEN 1 ELSE 0 END, "
        "at_ms = CASE WHEN excluded.at_ms > rate_buckets.at_ms THEN excluded.at_ms ELSE rate_buckets.at_ms END "
        "RETURNING tokens, allowed";
    return write<int>([&](SqlConnection& c) -> StoreResult<int> {
        auto rows = c.query(sql, {key, burst - 1, nowMs});
        if (!rows) return Fail(rows.error());
        if (rows->empty()) return Fail(StoreError{"rate bucket: no row returned", false});
        if (rows->integer(0, 1) != 0) return 0;
        const double tokens = rows->real(0, 0);
        return std::max(1, static_cast<int>(std::ceil((1.0 - tokens) / perSecond)));
    });
}

}  // namespace touchpoint::hub
