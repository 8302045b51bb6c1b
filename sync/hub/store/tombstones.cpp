#include "hub/store/tombstones.hpp"

#include <optional>

#include "hub/ingest/identity.hpp"

namespace touchpoint::hub {

StoreResult<bool> anyTombstones(SqlConnection& c) {
    auto t = c.query("SELECT 1 FROM tombstones UNION ALL SELECT 1 FROM legacy_tombstones LIMIT 1");
    if (!t) return Fail(t.error());
    return !t->empty();
}

StoreResult<bool> isTombstoned(SqlConnection& c, const privacy::DataKeys& keys, std::string_view kind,
                               std::string_view value) {
    // One statement (one round trip on PostgreSQL, as before tombstones were keyed): the tags under every key,
    // and the legacy hash.
    const auto tags = keys.identifierTags(kind, value);
    const std::string legacy = legacyIdentifierHash(kind, value);
    std::string sql = "SELECT 0, 0 FROM tombstones WHERE hash IN (";
    std::vector<SqlValue> params;
    for (std::size_t i = 0; i < tags.size(); ++i) {
        sql += i ? ",?" : "?";
        params.emplace_back(tags[i]);
    }
    sql += ") UNION ALL SELECT 1, erased_at FROM legacy_tombstones WHERE hash = ?";
    params.emplace_back(legacy);
    auto rows = c.query(sql, params);
    if (!rows) return Fail(rows.error());
    std::optional<std::int64_t> legacyErasedAt;
    for (std::size_t i = 0; i < rows->size(); ++i) {
        if (rows->integer(i, 0) == 0) return true;
        legacyErasedAt = rows->integer(i, 1);
    }
    if (!legacyErasedAt) return false;
    // Seen again: from now on only a keyed tag says this identifier was erased.
    if (auto r = addTombstone(c, keys, kind, value, *legacyErasedAt); !r) return Fail(r.error());
    auto d = c.exec("DELETE FROM legacy_tombstones WHERE hash = ?", {legacy});
    if (!d) return Fail(d.error());
    return true;
}

StoreResult<void> addTombstone(SqlConnection& c, const privacy::DataKeys& keys, std::string_view kind,
                               std::string_view value, std::int64_t erasedAtMs) {
    auto r = c.exec("INSERT INTO tombstones(hash, erased_at) VALUES(?, ?) ON CONFLICT(hash) DO NOTHING",
                    {keys.identifierTag(kind, value), erasedAtMs});
    if (!r) return Fail(r.error());
    return {};
}

}  // namespace touchpoint::hub
