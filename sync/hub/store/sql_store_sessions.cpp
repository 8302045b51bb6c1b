// Dashboard sessions and token roles: a session is bound to the token that opened it and to the role that
// token had, so revoking the token or changing its role ends the session on its next request, on every hub
// process sharing the store.

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
