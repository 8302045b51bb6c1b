// Key rotation (HubStore::rotateDataKey, HubStore::dataKeyStatus): values sealed under a retired data key are
// opened and sealed again under the current one, and identifier rows tagged under a retired key get their tag
// under the current one, while hubs keep ingesting. Each batch is its own short transaction, committed, so a
// hub's writes wait for at most one batch; every write is a compare-and-set on the value it read, so a value a
// hub changed meanwhile (an erasure, retention, a merge) is the hub's, never overwritten with an older one. A
// run that stops anywhere resumes: rows already under the current key are skipped by their prefix. Values
// without the sealed prefix are not personal (an erased event's `{"erased":true}`; plaintext from before
// sealing is sealed by the schema step at start) and are left alone.

#include <algorithm>
#include <limits>

#include "common/log.hpp"
#include "hub/store/identifier_rows.hpp"
#include "hub/store/sealed_columns.hpp"
#include "hub/store/sql_store.hpp"

namespace touchpoint::hub {

namespace {

/// What every value sealed under `keyId` starts with.
std::string sealedPrefix(const std::string& keyId) { return std::string(privacy::kSealedPrefix) + keyId + ":"; }

/// SQL true when `column` starts with the parameter's text of `length` characters (substr: the same in
/// SQLite and PostgreSQL, and no LIKE wildcard to escape in key ids, which may hold '_').
std::string startsWith(std::string_view column, std::size_t length) {
    return "substr(" + std::string(column) + ", 1, " + std::to_string(length) + ") = ?";
}

/// A cipher error about a stored value, made to name its column and row (never the value).
StoreError unopened(std::string_view column, const std::string& row, const std::string& error) {
    std::string why = error;
    const std::string head = std::string(column) + ": ";
    if (why.rfind(head, 0) == 0) why = why.substr(head.size());
    return StoreError{std::string(column) + ", row " + row + ": " + why, false};
}

StoreResult<std::int64_t> count(SqlConnection& c, const std::string& sql, const std::vector<SqlValue>& params) {
    auto r = c.query(sql, params);
    if (!r) return Fail(r.error());
    return r->integer(0, 0);
}

/// One batch of one column: how far it got and what it did.
struct ColumnBatch {
    std::size_t read = 0;
    SqlValue lastKey;
    std::int64_t resealed = 0, leftToHubs = 0;
};

/// One batch of identifier rows.
struct IdentifierBatch {
    std::size_t read = 0;
    std::string lastKind, lastTag;
    std::int64_t resealed = 0, retagged = 0, duplicatesRemoved = 0, leftToHubs = 0;
    std::vector<std::string> conflicts;
};

}  // namespace

StoreResult<DataKeyStatus> SqlHubStore::dataKeyStatus() {
    auto lease = acquire();
    SqlConnection& c = *lease;
    // Every count from one snapshot: hubs may be writing meanwhile, and a value written between the count under
    // each key and the count of all would be reported as under no key.
    const bool pg = c.dialect() == Dialect::Postgres;
    if (auto b = c.script(pg ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN DEFERRED"); !b) {
        return Fail(b.error());
    }
    auto status = countKeyUse(c);
    if (!status) {
        c.rollback();
        return status;
    }
    if (auto e = c.script("COMMIT"); !e) return Fail(e.error());
    return status;
}

StoreResult<DataKeyStatus> SqlHubStore::countKeyUse(SqlConnection& c) {
    DataKeyStatus status;
    std::map<std::string, std::int64_t> underKnownKeys;
    const auto countColumn = [&](KeyUse& use, const std::string& prefix, const char* table, const char* column,
                                 std::string_view name) -> StoreResult<void> {
        auto n = count(c, std::string("SELECT COUNT(*) FROM ") + table + " WHERE " + startsWith(column, prefix.size()),
                       {prefix});
        if (!n) return Fail(n.error());
        use.values[std::string(name)] = *n;
        underKnownKeys[std::string(name)] += *n;
        return {};
    };
    for (const auto& key : m_keys.all()) {
        KeyUse use;
        use.keyId = key.id;
        use.current = key.id == m_keys.current().id;
        const std::string prefix = sealedPrefix(key.id), tag = key.id + ":";
        for (const auto& s : kSealedColumns) {
            if (auto r = countColumn(use, prefix, s.table, s.column, s.associatedData); !r) return Fail(r.error());
        }
        if (auto r = countColumn(use, prefix, "identifiers", "sealed_value", privacy::columns::kIdentifierValue); !r)
            return Fail(r.error());
        struct Tags {
            const char* sql;
            std::int64_t* into;
        };
        const Tags tags[] = {
            {"SELECT COUNT(*) FROM identifiers WHERE ", &use.identifierTags},
            {"SELECT COUNT(*) FROM tombstones WHERE ", &use.tombstones},
            {"SELECT COUNT(*) FROM staff_lookups WHERE ", &use.staffLookups},
            {"SELECT COUNT(*) FROM identifier_mentions WHERE ", &use.identifierMentions},
            {"SELECT COUNT(*) FROM merge_moves WHERE tbl = 'identifiers' AND ", &use.mergeMoves},
        };
        const char* tagColumns[] = {"value", "hash", "subject", "subject", "row_key"};
        for (std::size_t i = 0; i < std::size(tags); ++i) {
            auto n = count(c, tags[i].sql + startsWith(tagColumns[i], tag.size()), {tag});
            if (!n) return Fail(n.error());
            *tags[i].into = *n;
        }
        status.keys.push_back(std::move(use));
    }
    const auto unopenable = [&](const char* table, const char* column, std::string_view name) -> StoreResult<void> {
        auto n = count(c, std::string("SELECT COUNT(*) FROM ") + table + " WHERE " +
                              startsWith(column, privacy::kSealedPrefix.size()),
                       {std::string(privacy::kSealedPrefix)});
        if (!n) return Fail(n.error());
        if (const auto rest = *n - underKnownKeys[std::string(name)]; rest > 0) status.unopenable[std::string(name)] = rest;
        return {};
    };
    for (const auto& s : kSealedColumns) {
        if (auto r = unopenable(s.table, s.column, s.associatedData); !r) return Fail(r.error());
    }
    if (auto r = unopenable("identifiers", "sealed_value", privacy::columns::kIdentifierValue); !r) return Fail(r.error());
    return status;
}

StoreResult<KeyRotationResult> SqlHubStore::rotateDataKey(const KeyRotationOptions& options,
                                                          const KeyRotationProgress& progress) {
    KeyRotationResult result;
    const std::string current = sealedPrefix(m_cipher.currentKeyId());
    const std::string currentTag = m_keys.current().id + ":";
    const std::int64_t batch = std::clamp<std::int64_t>(options.batch, 1, 10'000);
    // How many rows the next batch may change, 0 when --max-rows is used up.
    const auto nextLimit = [&]() -> std::int64_t {
        if (!options.maxRows) return batch;
        return std::clamp<std::int64_t>(*options.maxRows - result.changed(), 0, batch);
    };

    for (const auto& s : kSealedColumns) {
        const std::string column(s.associatedData);
        const std::string select = std::string("SELECT ") + s.key + ", " + s.column + " FROM " + s.table + " WHERE " +
                                   s.key + " > ? AND " + startsWith(s.column, privacy::kSealedPrefix.size()) +
                                   " AND NOT " + startsWith(s.column, current.size()) + " ORDER BY " + s.key +
                                   " LIMIT ?";
        const std::string update = std::string("UPDATE ") + s.table + " SET " + s.column + " = ? WHERE " + s.key +
                                   " = ? AND " + s.column + " = ?";
        SqlValue after = s.integerKey ? SqlValue{std::numeric_limits<std::int64_t>::min()} : SqlValue{std::string()};
        std::int64_t done = 0;
        for (;;) {
            const std::int64_t limit = nextLimit();
            if (limit == 0) {
                result.stoppedAtMaxRows = true;
                return result;
            }
            // Read and re-sealed on a read connection, outside the write transaction: a resumed run's walk past
            // rows already done, and the cipher work, never hold the writer (ingest) up. The compare-and-set
            // makes the gap between the read and the write safe.
            struct Pending {
                SqlValue key;
                std::string stored, resealed;
            };
            std::vector<Pending> pending;
            {
                auto lease = acquire();
                auto rows = lease->query(select, {after, std::string(privacy::kSealedPrefix), current, limit});
                if (!rows) return Fail(rows.error());
                for (std::size_t i = 0; i < rows->size(); ++i) {
                    Pending p{s.integerKey ? SqlValue{rows->integer(i, 0)} : SqlValue{rows->text(i, 0)},
                              rows->text(i, 1), {}};
                    auto plain = m_cipher.open(s.associatedData, p.stored);
                    if (!plain) {
                        return Fail(unopened(s.associatedData, std::string(s.key) + " " + rows->text(i, 0), plain.error()));
                    }
                    p.resealed = m_cipher.seal(s.associatedData, *plain);
                    pending.push_back(std::move(p));
                }
            }
            if (pending.empty()) break;
            auto b = write<ColumnBatch>([&](SqlConnection& c) -> StoreResult<ColumnBatch> {
                ColumnBatch out;
                out.read = pending.size();
                for (const auto& p : pending) {
                    auto u = c.exec(update, {std::string_view(p.resealed), p.key, std::string_view(p.stored)});
                    if (!u) return Fail(u.error());
                    (*u == 1 ? out.resealed : out.leftToHubs) += 1;
                }
                out.lastKey = pending.back().key;
                return out;
            });
            if (!b) return Fail(b.error());
            result.resealed[column] += b->resealed;
            result.leftToHubs += b->leftToHubs;
            done += b->resealed;
            after = b->lastKey;
            if (progress) progress(column, done);
            if (static_cast<std::int64_t>(b->read) < limit) break;
        }
    }

    // Identifiers: the tag and the sealed value change together. Walked in (kind, value) order; a row given its
    // current tag may sort later and be met again, and is then skipped by its prefix.
    const std::string identifierColumn(privacy::columns::kIdentifierValue);
    const std::string select =
        "SELECT kind, value, sealed_value, profile_id, verified FROM identifiers "
        "WHERE (kind > ? OR (kind = ? AND value > ?)) AND sealed_value <> '' AND NOT (" + startsWith("value", currentTag.size()) + " AND " +
        startsWith("sealed_value", current.size()) + ") ORDER BY kind, value LIMIT ?";
    std::string afterKind, afterTag;
    std::int64_t done = 0;
    for (;;) {
        const std::int64_t limit = nextLimit();
        if (limit == 0) {
            result.stoppedAtMaxRows = true;
            break;
        }
        struct Pending {
            std::string kind, tag, sealed, profileId, newTag, newSealed;
            bool verified = false;
        };
        std::vector<Pending> pending;
        {
            auto lease = acquire();
            auto rows = lease->query(select, {afterKind, afterKind, afterTag, currentTag, current, limit});
            if (!rows) return Fail(rows.error());
            for (std::size_t i = 0; i < rows->size(); ++i) {
                Pending p{rows->text(i, 0), rows->text(i, 1), rows->text(i, 2), rows->text(i, 3), {}, {},
                          rows->integer(i, 4) != 0};
                auto plain = m_cipher.open(privacy::columns::kIdentifierValue, p.sealed);
                if (!plain) return Fail(unopened(identifierColumn, "kind " + p.kind + " tag " + p.tag, plain.error()));
                p.newTag = privacy::DataKeys::identifierTag(m_keys.current(), p.kind, *plain);
                p.newSealed = m_cipher.seal(privacy::columns::kIdentifierValue, *plain);
                pending.push_back(std::move(p));
            }
        }
        if (pending.empty()) break;
        auto b = write<IdentifierBatch>([&](SqlConnection& c) -> StoreResult<IdentifierBatch> {
            IdentifierBatch out;
            out.read = pending.size();
            out.lastKind = pending.back().kind;
            out.lastTag = pending.back().tag;
            for (const auto& p : pending) {
                const std::string &kind = p.kind, &tag = p.tag, &sealed = p.sealed, &profileId = p.profileId,
                                  &newTag = p.newTag, &newSealed = p.newSealed;
                if (newTag == tag) {
                    auto u = c.exec("UPDATE identifiers SET sealed_value = ? WHERE kind = ? AND value = ? AND "
                                    "sealed_value = ?",
                                    {newSealed, kind, tag, std::string_view(sealed)});
                    if (!u) return Fail(u.error());
                    (*u == 1 ? out.resealed : out.leftToHubs) += 1;
                    continue;
                }
                // Ingest looks an identifier up under every key and adds a row only when none is found, so its
                // current-key row exists already only when a hub without the retired key added it.
                auto held = c.query(std::string("SELECT profile_id FROM identifiers WHERE kind = ? AND value = ?") +
                                        std::string(c.forUpdate()),
                                    {kind, newTag});
                if (!held) return Fail(held.error());
                if (held->empty()) {
                    auto u = c.exec("UPDATE identifiers SET value = ?, sealed_value = ? WHERE kind = ? AND value = ? "
                                    "AND sealed_value = ?",
                                    {newTag, newSealed, kind, tag, std::string_view(sealed)});
                    if (!u) return Fail(u.error());
                    (*u == 1 ? out.retagged : out.leftToHubs) += 1;
                } else if (held->text(0, 0) == profileId) {
                    // The same identifier of the same profile twice: lookups find the current row either way,
                    // which keeps the retired row's verified mark.
                    if (p.verified) {
                        auto v = c.exec("UPDATE identifiers SET verified = 1 WHERE kind = ? AND value = ?", {kind, newTag});
                        if (!v) return Fail(v.error());
                    }
                    auto d = c.exec("DELETE FROM identifiers WHERE kind = ? AND value = ? AND sealed_value = ? AND "
                                    "profile_id = ?",
                                    {kind, tag, std::string_view(sealed), profileId});
                    if (!d) return Fail(d.error());
                    (*d == 1 ? out.duplicatesRemoved : out.leftToHubs) += 1;
                } else {
                    out.conflicts.push_back("a " + kind + " identifier is held by profile " + profileId +
                                            " under the retired key and by profile " + held->text(0, 0) +
                                            " under the current key");
                }
            }
            return out;
        });
        if (!b) return Fail(b.error());
        result.resealed[identifierColumn] += b->resealed;
        result.retagged += b->retagged;
        result.duplicatesRemoved += b->duplicatesRemoved;
        result.leftToHubs += b->leftToHubs;
        result.conflicts.insert(result.conflicts.end(), b->conflicts.begin(), b->conflicts.end());
        done += b->resealed + b->retagged + b->duplicatesRemoved;
        if (b->read > 0) {
            afterKind = b->lastKind;
            afterTag = b->lastTag;
            if (progress) progress("identifiers", done);
        }
        if (static_cast<std::int64_t>(b->read) < limit) break;
    }
    // As after an erasure: the old ciphertext must not stay in the database's own log (SQLite; PostgreSQL's
    // old row versions are VACUUM's: docs/OPERATIONS.md).
    if (result.changed() > 0) {
        if (auto t = m_writes->truncateLog(); !t) {
            log::warn("hub", "keys rotate: log not truncated", {{"error", t.error().message}});
        }
    }
    return result;
}

}  // namespace touchpoint::hub
