#include "hub/store/tombstones.hpp"

#include "hub/ingest/identity.hpp"

namespace touchpoint::hub {

StoreResult<bool> anyTombstones(SqlConnection& c) {
    auto t = c.query("SELECT 1 FROM tombstones UNION ALL SELECT 1 FROM legacy_tombstones LIMIT 1");
    if (!t) return Fail(t.error());
    return !t->empty();
}

StoreResult<bool> isTombstoned(SqlConnection& c, const privacy::DataKeys& keys, std::string_view kind,
                               std::string_view value) {
    for (const auto& tag : keys.identifierTags(kind, value)) {
        auto t = c.query("SELECT 1 FROM tombstones WHERE hash = ?", {tag});
        if (!t) return Fail(t.error());
        if (!t->empty()) return true;
    }
    const std::string legacy = legacyIdentifierHash(kind, value);
    auto old = c.query("SELECT erased_at FROM legacy_tombstones WHERE hash = ?", {legacy});
    if (!old) return Fail(old.error());
    if (old->empty()) return false;
    // Seen again: from now on only a keyed tag says this identifier was erased.
    if (auto r = addTombstone(c, keys, kind, value, old->integer(0, 0)); !r) return Fail(r.error());
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
