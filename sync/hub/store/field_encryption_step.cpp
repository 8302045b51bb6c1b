#include "hub/store/field_encryption_step.hpp"

#include <limits>
#include <string>

#include "hub/store/sealed_columns.hpp"

namespace touchpoint::hub {

namespace {

constexpr std::int64_t kBatch = 1000;

StoreResult<bool> tableExists(SqlConnection& c, const char* table) {
    auto r =
        c.dialect() == Dialect::Sqlite
            ? c.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", {std::string(table)})
            : c.query(
                  "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND "
                  "table_name = ?",
                  {std::string(table)});
    if (!r) return Fail(r.error());
    return !r->empty();
}

bool alreadySealed(const privacy::FieldCipher& cipher, std::string_view column, std::string_view value) {
    return privacy::FieldCipher::looksSealed(value) && static_cast<bool>(cipher.open(column, value));
}

/// Seals the column's plaintext values; the number of rows changed.
StoreResult<std::int64_t> sealColumn(SqlConnection& c, const privacy::FieldCipher& cipher, const SealedColumn& s) {
    std::int64_t changed = 0;
    auto exists = tableExists(c, s.table);
    if (!exists) return Fail(exists.error());
    if (!*exists) return changed;
    const std::string select = std::string("SELECT ") + s.key + ", " + s.column + " FROM " + s.table +
                               " WHERE " + s.key + " > ? AND " + s.column + " IS NOT NULL AND " + s.column +
                               " <> '' ORDER BY " + s.key + " LIMIT ?";
    const std::string update =
        std::string("UPDATE ") + s.table + " SET " + s.column + " = ? WHERE " + s.key + " = ?";
    SqlValue after =
        s.integerKey ? SqlValue{std::numeric_limits<std::int64_t>::min()} : SqlValue{std::string()};
    for (;;) {
        auto rows = c.query(select, {after, kBatch});
        if (!rows) return Fail(rows.error());
        for (std::size_t i = 0; i < rows->size(); ++i) {
            const SqlValue key = s.integerKey ? SqlValue{rows->integer(i, 0)} : SqlValue{rows->text(i, 0)};
            const std::string value = rows->text(i, 1);
            if (alreadySealed(cipher, s.associatedData, value)) continue;
            auto u = c.exec(update, {cipher.seal(s.associatedData, value), key});
            if (!u) return Fail(u.error());
            changed += *u;
        }
        if (rows->size() < static_cast<std::size_t>(kBatch)) return changed;
        after = s.integerKey ? SqlValue{rows->integer(rows->size() - 1, 0)}
                             : SqlValue{rows->text(rows->size() - 1, 0)};
    }
}

/// Identifiers: `value` becomes the keyed tag and `sealed_value` the sealed identifier; a row with an empty
/// sealed_value is one still in plaintext.
StoreResult<void> keyIdentifiers(SqlConnection& c, const privacy::DataKeys& keys,
                                 const privacy::FieldCipher& cipher) {
    auto exists = tableExists(c, "identifiers");
    if (!exists) return Fail(exists.error());
    if (!*exists) return {};
    for (;;) {
        auto rows = c.query("SELECT kind, value FROM identifiers WHERE sealed_value = '' LIMIT ?", {kBatch});
        if (!rows) return Fail(rows.error());
        if (rows->empty()) return {};
        for (std::size_t i = 0; i < rows->size(); ++i) {
            const std::string kind = rows->text(i, 0), value = rows->text(i, 1);
            auto u = c.exec("UPDATE identifiers SET value = ?, sealed_value = ? WHERE kind = ? AND value = ?",
                            {keys.identifierTag(kind, value),
                             cipher.seal(privacy::columns::kIdentifierValue, value), kind, value});
            if (!u) return Fail(u.error());
            if (*u != 1)
                return Fail(StoreError{"identifiers: a " + kind + " row changed while it was keyed", false});
        }
    }
}

}  // namespace

StoreResult<void> sealPlaintextFields(SqlConnection& c, const privacy::DataKeys& keys,
                                      const privacy::FieldCipher& cipher) {
    for (const auto& column : kSealedColumns) {
        if (auto r = sealColumn(c, cipher, column); !r) return Fail(r.error());
    }
    return keyIdentifiers(c, keys, cipher);
}

StoreResult<bool> sealCaseOutcomes(SqlConnection& c, const privacy::FieldCipher& cipher) {
    constexpr SealedColumn kOutcome{"cases", "id", false, "outcome", privacy::columns::kCaseOutcome};
    auto sealed = sealColumn(c, cipher, kOutcome);
    if (!sealed) return Fail(sealed.error());
    std::int64_t changed = *sealed;
    auto exists = tableExists(c, "case_audit");
    if (!exists) return Fail(exists.error());
    if (!*exists) return changed > 0;
    // A status row read "<from> -> <to>[, assignee <name>][, outcome <text>]". Cut at the first ", outcome ":
    // an assignee holding those words loses its tail, never an outcome its text. Per case in order, so the
    // first outcome reads "set" and a different later one "changed", as changeStatus writes them.
    constexpr std::string_view kMark = ", outcome ";
    auto rows = c.query(
        "SELECT seq, case_id, detail FROM case_audit WHERE action = 'status' AND detail LIKE '%, outcome %' "
        "ORDER BY case_id, seq");
    if (!rows) return Fail(rows.error());
    std::string caseId, previous;
    for (std::size_t i = 0; i < rows->size(); ++i) {
        const std::string detail = rows->text(i, 2);
        const auto at = detail.find(kMark);
        if (at == std::string::npos) continue;
        if (rows->text(i, 1) != caseId) {
            caseId = rows->text(i, 1);
            previous.clear();
        }
        const std::string text = detail.substr(at + kMark.size());
        std::string kept = detail.substr(0, at);
        if (previous.empty()) {
            kept += ", outcome set";
        } else if (text != previous) {
            kept += ", outcome changed";
        }
        previous = text;
        if (kept == detail) continue;
        auto u = c.exec("UPDATE case_audit SET detail = ? WHERE seq = ?", {kept, rows->integer(i, 0)});
        if (!u) return Fail(u.error());
        changed += *u;
    }
    return changed > 0;
}

}  // namespace touchpoint::hub
