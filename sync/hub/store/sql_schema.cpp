#include "hub/store/sql_schema.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "event/message.hpp"
#include "hub/journey/survey_version.hpp"
#include "hub/store/field_encryption_step.hpp"

namespace touchpoint::hub {

namespace {

// Portable between SQLite and PostgreSQL: TEXT/BIGINT/DOUBLE PRECISION, ON CONFLICT upserts. Booleans are
// BIGINT 0/1. Times are UTC milliseconds; `day` columns are UTC dates.
//
// Index shapes are chosen for the ingest path, which is one writer on SQLite: every random position written
// in a B-tree costs a page in the write-ahead log at commit. So the fact tables are keyed by an increasing
// `seq` (exports page on (day, seq), which grows at the end of each day), message ids are unique only in
// `events` (the dedupe), and profile ids are time-ordered UUIDs so a new shopper's rows land together.
// {SEQ} is the dialect's auto-assigned increasing key.
//
// Personal fields are sealed at rest (kFieldEncryptionVersion, privacy/field_cipher.hpp): events.payload,
// feedback.comment, feedback_contacts.value, account_groups.traits, case_notes.text, cases.outcome
// (kCaseOutcomeSealedVersion) and identifiers.sealed_value hold "tpf1:<key id>:<base64>" text, which SQL cannot read inside; identifiers.value
// holds the identifier's keyed tag (store/identifier_rows.hpp).
constexpr const char* kTables = R"SQL(
CREATE TABLE IF NOT EXISTS schema_version(version BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS events(
  seq {SEQ}, message_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, event TEXT NOT NULL, at BIGINT NOT NULL,
  day TEXT NOT NULL, received_at BIGINT NOT NULL, store_id TEXT NOT NULL, kiosk_id TEXT NOT NULL,
  channel TEXT NOT NULL, profile_id TEXT, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS feedback(
  seq {SEQ}, message_id TEXT NOT NULL, at BIGINT NOT NULL, day TEXT NOT NULL, store_id TEXT NOT NULL,
  kiosk_id TEXT NOT NULL, profile_id TEXT, abandoned BIGINT NOT NULL, misuse BIGINT NOT NULL, nps BIGINT,
  csat BIGINT, ces BIGINT, reasons TEXT NOT NULL, comment TEXT, survey_id TEXT NOT NULL,
  abandon_reason TEXT NOT NULL, survey_version BIGINT NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS signins(
  seq {SEQ}, message_id TEXT NOT NULL, at BIGINT NOT NULL, day TEXT NOT NULL, store_id TEXT NOT NULL,
  kiosk_id TEXT NOT NULL, profile_id TEXT, method TEXT NOT NULL, new_member BIGINT NOT NULL,
  awarded BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS profiles(
  id TEXT PRIMARY KEY, created_at BIGINT NOT NULL, member_id TEXT NOT NULL DEFAULT '',
  first_initial TEXT NOT NULL DEFAULT '', is_member BIGINT NOT NULL DEFAULT 0, points BIGINT NOT NULL DEFAULT 0,
  stage TEXT NOT NULL DEFAULT 'awareness', latest_nps BIGINT, latest_nps_at BIGINT, last_checkin_at BIGINT,
  referrals BIGINT NOT NULL DEFAULT 0, orders BIGINT NOT NULL DEFAULT 0, considered BIGINT NOT NULL DEFAULT 0,
  visit_days BIGINT NOT NULL DEFAULT 0, velocity_flag BIGINT NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS identifiers(
  kind TEXT NOT NULL, value TEXT NOT NULL, profile_id TEXT NOT NULL, sealed_value TEXT NOT NULL DEFAULT '',
  verified BIGINT NOT NULL DEFAULT 0, PRIMARY KEY(kind, value));
CREATE TABLE IF NOT EXISTS channels(
  profile_id TEXT NOT NULL, channel TEXT NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,
  PRIMARY KEY(profile_id, channel));
CREATE TABLE IF NOT EXISTS checkins(
  seq {SEQ}, message_id TEXT NOT NULL, profile_id TEXT NOT NULL, at BIGINT NOT NULL, day TEXT NOT NULL,
  awarded BIGINT NOT NULL, points BIGINT NOT NULL, reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transitions(
  seq {SEQ}, message_id TEXT NOT NULL, profile_id TEXT, at BIGINT NOT NULL, day TEXT NOT NULL,
  from_stage TEXT NOT NULL, to_stage TEXT NOT NULL, channel TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tombstones(hash TEXT PRIMARY KEY, erased_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS legacy_tombstones(hash TEXT PRIMARY KEY, erased_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS staff_lookups(
  message_id TEXT NOT NULL, subject TEXT NOT NULL, at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS identifier_mentions(
  message_id TEXT NOT NULL, subject TEXT NOT NULL, at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens(
  hash TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, scope TEXT NOT NULL, created_at BIGINT NOT NULL,
  revoked_at BIGINT, kind TEXT NOT NULL DEFAULT '', store_id TEXT NOT NULL DEFAULT '',
  kiosk_id TEXT NOT NULL DEFAULT '', role TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS audit(
  at BIGINT NOT NULL, token_name TEXT NOT NULL, identifier_type TEXT NOT NULL, profile_id TEXT, found BIGINT NOT NULL,
  route TEXT NOT NULL DEFAULT 'lookup', store_id TEXT NOT NULL DEFAULT '', kiosk_id TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS sessions(
  hash TEXT PRIMARY KEY, token_hash TEXT NOT NULL, role TEXT NOT NULL, created_at BIGINT NOT NULL,
  last_used BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS rate_buckets(
  key TEXT PRIMARY KEY, tokens DOUBLE PRECISION NOT NULL, at_ms BIGINT NOT NULL, allowed BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS account_groups(
  group_id TEXT PRIMARY KEY, traits TEXT NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS profile_groups(
  profile_id TEXT NOT NULL, group_id TEXT NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL,
  PRIMARY KEY(profile_id, group_id));
CREATE TABLE IF NOT EXISTS sources(
  name TEXT PRIMARY KEY, last_seen BIGINT NOT NULL, library TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS source_hours(
  name TEXT NOT NULL, hour BIGINT NOT NULL, accepted BIGINT NOT NULL, duplicate BIGINT NOT NULL,
  rejected BIGINT NOT NULL, PRIMARY KEY(name, hour));
CREATE TABLE IF NOT EXISTS source_rejections(
  seq {SEQ}, name TEXT NOT NULL, at BIGINT NOT NULL, message_id TEXT NOT NULL, reason TEXT NOT NULL,
  payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kiosks(
  store_id TEXT NOT NULL, kiosk_id TEXT NOT NULL, last_seen BIGINT NOT NULL, app_version TEXT NOT NULL,
  clock_offset_ms BIGINT, skew_flag BIGINT NOT NULL DEFAULT 0, queue_depth BIGINT, oldest_pending_s BIGINT,
  dead_letters BIGINT, drops TEXT, events BIGINT NOT NULL DEFAULT 0, config_version BIGINT, config_refusal TEXT,
  PRIMARY KEY(store_id, kiosk_id));
CREATE TABLE IF NOT EXISTS merges(
  seq {SEQ}, at BIGINT NOT NULL, message_id TEXT NOT NULL, source TEXT NOT NULL, winner_id TEXT NOT NULL,
  loser_id TEXT NOT NULL, winner_before TEXT NOT NULL, loser_before TEXT NOT NULL, undone_at BIGINT,
  undone_by TEXT);
CREATE TABLE IF NOT EXISTS merge_moves(
  merge_seq BIGINT NOT NULL, tbl TEXT NOT NULL, row_seq BIGINT NOT NULL, row_key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS identity_conflicts(
  seq {SEQ}, at BIGINT NOT NULL, message_id TEXT NOT NULL, source TEXT NOT NULL, profile_id TEXT,
  held_by TEXT, identifier_kind TEXT NOT NULL, reason TEXT NOT NULL);
)SQL";

// Alerts and cases (kCasesSchemaVersion): new tables only. "Exactly once" is these unique keys: an alert per
// (rule, store, period, detail), a case per feedback message, a contact per feedback message, a notification per
// (alert or case, recipient). A contact's value is set to NULL when it is erased (resolve, retention, erasure);
// the row stays, so a re-sent consent cannot bring it back. feedback_windows (kFeedbackWindowsVersion) holds each
// store's stamp, replaced by every transaction that stores answers for it (store/answer_windows.hpp).
constexpr const char* kCasesTables = R"SQL(
CREATE TABLE IF NOT EXISTS feedback_contacts(
  feedback_message_id TEXT PRIMARY KEY, consent_message_id TEXT NOT NULL, store_id TEXT NOT NULL, kind TEXT NOT NULL,
  value TEXT, received_at BIGINT NOT NULL, erased_at BIGINT, erased_reason TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS cases(
  id TEXT PRIMARY KEY, feedback_message_id TEXT NOT NULL UNIQUE, rule TEXT NOT NULL, kind TEXT NOT NULL,
  store_id TEXT NOT NULL, kiosk_id TEXT NOT NULL, nps BIGINT, csat BIGINT, status TEXT NOT NULL,
  outcome TEXT NOT NULL DEFAULT '', assignee TEXT NOT NULL DEFAULT '', opened_at BIGINT NOT NULL,
  due_at BIGINT NOT NULL, first_action_at BIGINT, resolved_at BIGINT, updated_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS case_notes(
  seq {SEQ}, case_id TEXT NOT NULL, at BIGINT NOT NULL, token_name TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS case_audit(
  seq {SEQ}, case_id TEXT NOT NULL, at BIGINT NOT NULL, token_name TEXT NOT NULL, action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS alerts(
  id TEXT PRIMARY KEY, rule TEXT NOT NULL, kind TEXT NOT NULL, store_id TEXT NOT NULL, period_start BIGINT NOT NULL,
  detail TEXT NOT NULL, window_start BIGINT NOT NULL, window_end BIGINT NOT NULL, responses BIGINT NOT NULL,
  unhappy BIGINT NOT NULL, matching BIGINT NOT NULL, top_reasons TEXT NOT NULL, fired_at BIGINT NOT NULL,
  UNIQUE(rule, store_id, period_start, detail));
CREATE TABLE IF NOT EXISTS notifications(
  seq {SEQ}, target TEXT NOT NULL, subject TEXT NOT NULL, ref_id TEXT NOT NULL, store_id TEXT NOT NULL,
  payload TEXT NOT NULL, state TEXT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0, next_attempt_at BIGINT NOT NULL,
  lease_until BIGINT, claim TEXT NOT NULL DEFAULT '', last_error TEXT NOT NULL DEFAULT '', created_at BIGINT NOT NULL,
  delivered_at BIGINT, UNIQUE(ref_id, target));
CREATE TABLE IF NOT EXISTS feedback_windows(
  store_id TEXT PRIMARY KEY, stamp BIGINT NOT NULL, replaced BIGINT NOT NULL);
)SQL";

// Published kiosk configuration (kFleetConfigVersion): new tables only, and two kiosks columns
// (kFleetConfigColumns). A document's id is the global "config version"; a rollback is a new assignment, so
// both tables only grow.
constexpr const char* kFleetConfigTables = R"SQL(
CREATE TABLE IF NOT EXISTS config_documents(
  id {SEQ}, name TEXT NOT NULL, revision BIGINT NOT NULL, body TEXT NOT NULL, survey_id TEXT NOT NULL,
  survey_version BIGINT NOT NULL, created_ms BIGINT NOT NULL, created_by TEXT NOT NULL, UNIQUE(name, revision));
CREATE TABLE IF NOT EXISTS config_assignments(
  seq {SEQ}, scope_kind TEXT NOT NULL, scope_value TEXT NOT NULL, document_id BIGINT NOT NULL,
  starts_ms BIGINT NOT NULL, created_ms BIGINT NOT NULL, created_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS store_regions(store_id TEXT PRIMARY KEY, region TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS config_documents_survey ON config_documents(survey_id, survey_version);
)SQL";

// merges_*_undone (kUndoneMergesIndexVersion): each ingest batch asks which merges naming its profiles were
// undone. Undone merges are rare, but a regular's merges are not (each kiosk visit whose answers came before
// the sign-in is one), and an index of winner_id alone made every one of them be read, with its two sealed
// profile copies, to look at undone_at: the ingest's cost grew with the shopper's history. With undone_at and
// the other profile in the index, the question is a range of the index (NULLs first) and never reads the
// table; the same indexes serve the erasure's and the merge list's lookups by winner or loser.
constexpr const char* kIndexes = R"SQL(
CREATE INDEX IF NOT EXISTS feedback_store_at ON feedback(store_id, at);
CREATE INDEX IF NOT EXISTS feedback_contacts_received ON feedback_contacts(received_at);
CREATE INDEX IF NOT EXISTS cases_store ON cases(store_id, status, due_at);
CREATE INDEX IF NOT EXISTS case_notes_case ON case_notes(case_id, seq);
CREATE INDEX IF NOT EXISTS case_audit_case ON case_audit(case_id, seq);
CREATE INDEX IF NOT EXISTS alerts_store ON alerts(store_id, fired_at);
CREATE INDEX IF NOT EXISTS notifications_due ON notifications(state, next_attempt_at);
CREATE INDEX IF NOT EXISTS events_day ON events(day, seq);
CREATE INDEX IF NOT EXISTS events_profile ON events(profile_id);
CREATE INDEX IF NOT EXISTS feedback_day ON feedback(day, seq);
CREATE INDEX IF NOT EXISTS feedback_profile ON feedback(profile_id);
CREATE INDEX IF NOT EXISTS signins_day ON signins(day, seq);
CREATE INDEX IF NOT EXISTS signins_profile ON signins(profile_id);
CREATE INDEX IF NOT EXISTS identifiers_profile ON identifiers(profile_id);
CREATE INDEX IF NOT EXISTS checkins_profile ON checkins(profile_id, at);
CREATE INDEX IF NOT EXISTS transitions_day ON transitions(day);
CREATE INDEX IF NOT EXISTS transitions_profile ON transitions(profile_id);
CREATE INDEX IF NOT EXISTS source_rejections_name ON source_rejections(name, seq);
CREATE INDEX IF NOT EXISTS audit_kiosk ON audit(route, store_id, kiosk_id);
CREATE INDEX IF NOT EXISTS merges_winner_undone ON merges(winner_id, undone_at, loser_id);
CREATE INDEX IF NOT EXISTS merges_loser_undone ON merges(loser_id, undone_at, winner_id);
CREATE INDEX IF NOT EXISTS merge_moves_merge ON merge_moves(merge_seq, tbl);
CREATE INDEX IF NOT EXISTS staff_lookups_subject ON staff_lookups(subject);
CREATE INDEX IF NOT EXISTS staff_lookups_at ON staff_lookups(at);
CREATE INDEX IF NOT EXISTS identifier_mentions_subject ON identifier_mentions(subject);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
CREATE INDEX IF NOT EXISTS audit_route_at ON audit(route, at);
CREATE INDEX IF NOT EXISTS feedback_message ON feedback(message_id);
CREATE INDEX IF NOT EXISTS cases_opened ON cases(opened_at);
)SQL";

// Version 3 added account_groups and profile_groups (Segment `group` calls), the sources tables (what each
// ingest token sent) and dashboard sessions (new tables, created by kTables), and the token and audit columns
// below (kVersion3Columns).
//
// Version 1 keyed events, feedback, signins, checkins and transitions by message id, with (day, message_id)
// indexes. Its rows move into the version 2 tables in capture order, which becomes their `seq` order.
constexpr const char* kFromVersion1 = R"SQL(
DROP INDEX IF EXISTS events_day;
DROP INDEX IF EXISTS events_profile;
DROP INDEX IF EXISTS feedback_day;
DROP INDEX IF EXISTS feedback_profile;
DROP INDEX IF EXISTS signins_day;
DROP INDEX IF EXISTS signins_profile;
DROP INDEX IF EXISTS checkins_profile;
DROP INDEX IF EXISTS transitions_day;
ALTER TABLE events RENAME TO events_v1;
ALTER TABLE feedback RENAME TO feedback_v1;
ALTER TABLE signins RENAME TO signins_v1;
ALTER TABLE checkins RENAME TO checkins_v1;
ALTER TABLE transitions RENAME TO transitions_v1;
{TABLES}
INSERT INTO events(message_id, type, event, at, day, received_at, store_id, kiosk_id, channel, profile_id, payload)
  SELECT message_id, type, event, at, day, received_at, store_id, kiosk_id, channel, profile_id, payload
  FROM events_v1 ORDER BY day, at, message_id;
INSERT INTO feedback(message_id, at, day, store_id, kiosk_id, profile_id, abandoned, misuse, nps, csat, ces, reasons,
                     comment, survey_id, abandon_reason)
  SELECT message_id, at, day, store_id, kiosk_id, profile_id, abandoned, misuse, nps, csat, ces, reasons, comment,
         survey_id, abandon_reason
  FROM feedback_v1 ORDER BY day, at, message_id;
INSERT INTO signins(message_id, at, day, store_id, kiosk_id, profile_id, method, new_member, awarded)
  SELECT message_id, at, day, store_id, kiosk_id, profile_id, method, new_member, awarded
  FROM signins_v1 ORDER BY day, at, message_id;
INSERT INTO checkins(message_id, profile_id, at, day, awarded, points, reason)
  SELECT message_id, profile_id, at, day, awarded, points, reason FROM checkins_v1 ORDER BY at, message_id;
INSERT INTO transitions(message_id, profile_id, at, day, from_stage, to_stage, channel)
  SELECT message_id, profile_id, at, day, from_stage, to_stage, channel FROM transitions_v1 ORDER BY at, message_id;
DROP TABLE events_v1;
DROP TABLE feedback_v1;
DROP TABLE signins_v1;
DROP TABLE checkins_v1;
DROP TABLE transitions_v1;
)SQL";

// Version 3 gave tokens a kind, bindings and a role (docs/OPERATIONS.md "Tokens"), and audit rows the route
// and the kiosk that asked. An ingest token made before had no binding and could have been a kiosk's or a
// public web key: it becomes an *unbound* kiosk token, which the hub refuses (403, the kiosk keeps its queue)
// until an operator binds it to its store and kiosk with `touchpoint-hub token bind`; nothing it sends earns
// loyalty meanwhile. Lookup tokens become unbound staff tokens (refused the same way until bound); head-office
// tokens keep what they could do: admin.
//
// Version 4 adds tables only: `merges` and `merge_moves` (every profile merge, the rows it moved, and whether
// an admin undid it) and `identity_conflicts` (ties the rules refused).
struct AddedColumn {
    const char* table;
    const char* column;
    const char* definition;
};
constexpr AddedColumn kVersion3Columns[] = {
    {"tokens", "kind", "TEXT NOT NULL DEFAULT ''"},
    {"tokens", "store_id", "TEXT NOT NULL DEFAULT ''"},
    {"tokens", "kiosk_id", "TEXT NOT NULL DEFAULT ''"},
    {"tokens", "role", "TEXT NOT NULL DEFAULT ''"},
    {"audit", "route", "TEXT NOT NULL DEFAULT 'lookup'"},
    {"audit", "store_id", "TEXT NOT NULL DEFAULT ''"},
    {"audit", "kiosk_id", "TEXT NOT NULL DEFAULT ''"},
};
constexpr AddedColumn kFleetConfigColumns[] = {
    {"kiosks", "config_version", "BIGINT"},
    {"kiosks", "config_refusal", "TEXT"},
};
constexpr AddedColumn kFieldEncryptionColumns[] = {
    {"identifiers", "sealed_value", "TEXT NOT NULL DEFAULT ''"},
};
// kSurveyVersionColumnVersion: the survey version each answer answered (0 = it did not say).
constexpr AddedColumn kSurveyVersionColumns[] = {
    {"feedback", "survey_version", "BIGINT NOT NULL DEFAULT 0"},
};
// kFeedbackWindowsVersion: what an audited export asked for (its days and store).
constexpr AddedColumn kAuditDetailColumns[] = {
    {"audit", "detail", "TEXT NOT NULL DEFAULT ''"},
};
// kVerifiedIdentifiersVersion: whether a kiosk proved the identifier (a phone or e-mail of a kiosk sign-in or
// consent); a public source never merges two profiles that each hold one.
constexpr AddedColumn kVerifiedIdentifierColumns[] = {
    {"identifiers", "verified", "BIGINT NOT NULL DEFAULT 0"},
};
// Which identifiers a kiosk proved was not kept before that step. Erring toward protection, the phones and
// e-mails of every profile seen on the kiosk channel (a kiosk sign-in or consent is one way such a profile got
// them, and the others cannot be told apart now) or holding a membership count as proved.
constexpr const char* kVerifyKioskProfilesContacts = R"SQL(
UPDATE identifiers SET verified = 1 WHERE kind IN ('phone', 'email') AND (
  profile_id IN (SELECT profile_id FROM channels WHERE channel = 'in_store_kiosk') OR
  profile_id IN (SELECT id FROM profiles WHERE is_member = 1));
)SQL";
constexpr const char* kVersion3Tokens = R"SQL(
UPDATE tokens SET kind = 'kiosk' WHERE scope = 'ingest' AND kind = '';
UPDATE tokens SET kind = 'staff' WHERE scope = 'lookup' AND kind = '';
UPDATE tokens SET kind = 'head-office', role = 'admin' WHERE scope = 'head-office' AND kind = '';
)SQL";

// Version 5 (kKeyedTombstonesVersion): tombstones become keyed tags (store/tombstones.hpp). The unkeyed hashes
// cannot be re-keyed without the identifiers they hide, so they move to legacy_tombstones, where they are still
// checked and each is re-keyed the first time its identifier comes again. Staff lookup events stored before
// kept the looked-up identifier in plaintext: it is removed (its keyed tag cannot be made without it either).
constexpr const char* kToKeyedTombstones = R"SQL(
CREATE TABLE IF NOT EXISTS legacy_tombstones(hash TEXT PRIMARY KEY, erased_at BIGINT NOT NULL);
INSERT INTO legacy_tombstones(hash, erased_at) SELECT hash, erased_at FROM tombstones WHERE true ON CONFLICT(hash) DO NOTHING;
DELETE FROM tombstones;
)SQL";
constexpr const char* kStripStaffLookupsSqlite =
    "UPDATE events SET payload = json_remove(payload, '$.properties.identifier') "
    "WHERE event = 'Staff Lookup' AND json_valid(payload)";
constexpr const char* kStripStaffLookupsPostgres =
    "UPDATE events SET payload = (payload::jsonb #- '{properties,identifier}')::text WHERE event = 'Staff Lookup'";

/// Answers stored before kSurveyVersionColumnVersion get the version their event carried, read with the same
/// rule as ingest (answerSurveyVersion) in C++, not in SQL: payloads are sealed at rest (kFieldEncryptionVersion,
/// which runs before this step) and are the sender's bytes, which PostgreSQL's JSON cast would refuse with an
/// error that stops the whole step. A payload that does not open or is not JSON leaves its answer at 0, unknown.
/// Runs once, inside the step; events are read a page at a time in seq order and answers updated by version, so
/// memory stays bounded on a large database.
StoreResult<void> backfillSurveyVersions(SqlConnection& c, const privacy::FieldCipher& cipher) {
    constexpr std::int64_t kPage = 1000;
    // The updates find answers by message id; a database from before kCaseFiguresIndexVersion lacks the index.
    if (auto r = c.exec("CREATE INDEX IF NOT EXISTS feedback_message ON feedback(message_id)"); !r) return Fail(r.error());
    std::int64_t after = 0;
    for (;;) {
        auto page = c.query("SELECT seq, message_id, payload FROM events WHERE seq > ? AND event IN (?, ?) ORDER BY seq LIMIT ?",
                            {after, event::names::kFeedback, event::names::kFeedbackAbandoned, kPage});
        if (!page) return Fail(page.error());
        std::map<std::int64_t, std::vector<SqlValue>> idsByVersion;
        for (std::size_t i = 0; i < page->size(); ++i) {
            after = page->integer(i, 0);
            // Sealed at rest since kFieldEncryptionVersion (that step runs first); plaintext before it.
            const auto text = cipher.reveal(privacy::columns::kEventPayload, page->text(i, 2));
            if (!text) continue;
            const auto payload = nlohmann::json::parse(*text, nullptr, false);
            if (!payload.is_object()) continue;
            const auto props = payload.find("properties");
            if (props == payload.end() || !props->is_object()) continue;
            const auto version = answerSurveyVersion(*props);
            if (version != kUnknownSurveyVersion) idsByVersion[version].emplace_back(page->text(i, 1));
        }
        for (const auto& [version, ids] : idsByVersion) {
            std::string sql = "UPDATE feedback SET survey_version = ? WHERE message_id IN (";
            for (std::size_t i = 0; i < ids.size(); ++i) sql += i ? ",?" : "?";
            sql += ")";
            std::vector<SqlValue> params{version};
            params.insert(params.end(), ids.begin(), ids.end());
            if (auto r = c.exec(sql, params); !r) return Fail(r.error());
        }
        if (static_cast<std::int64_t>(page->size()) < kPage) return {};
    }
}

std::string replaceAll(std::string text, std::string_view from, std::string_view to) {
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
        text.replace(pos, from.size(), to);
    }
    return text;
}

std::string forDialect(Dialect d, std::string sql) {
    sql = replaceAll(std::move(sql), "{TABLES}", kTables);
    return replaceAll(std::move(sql), "{SEQ}",
                      d == Dialect::Sqlite ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY");
}

StoreResult<bool> tableExists(SqlConnection& c, const char* table) {
    auto r = c.dialect() == Dialect::Sqlite
                 ? c.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", {std::string(table)})
                 : c.query("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?",
                           {std::string(table)});
    if (!r) return Fail(r.error());
    return !r->empty();
}

StoreResult<bool> columnExists(SqlConnection& c, const char* table, const char* column) {
    auto r = c.dialect() == Dialect::Sqlite
                 ? c.query("SELECT 1 FROM pragma_table_info(?) WHERE name = ?", {std::string(table), std::string(column)})
                 : c.query("SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND "
                           "table_name = ? AND column_name = ?",
                           {std::string(table), std::string(column)});
    if (!r) return Fail(r.error());
    return !r->empty();
}

/// Adds each column its table lacks; a table that does not exist yet is left to the CREATE statements.
template <std::size_t N>
StoreResult<void> addMissingColumns(SqlConnection& c, const AddedColumn (&columns)[N]) {
    for (const auto& add : columns) {
        auto table = tableExists(c, add.table);
        if (!table) return Fail(table.error());
        auto has = columnExists(c, add.table, add.column);
        if (!has) return Fail(has.error());
        if (!*table || *has) continue;
        auto r = c.exec(std::string("ALTER TABLE ") + add.table + " ADD COLUMN " + add.column + " " + add.definition);
        if (!r) return Fail(r.error());
    }
    return {};
}

/// Whether every table and index that kTables and kIndexes create (`IF NOT EXISTS name`) exists; catalog reads
/// only, no lock on the tables themselves.
StoreResult<bool> allObjectsExist(SqlConnection& c) {
    const std::string ddl = std::string(kTables) + kCasesTables + kFleetConfigTables + kIndexes;
    constexpr std::string_view kMarker = "IF NOT EXISTS ";
    for (auto at = ddl.find(kMarker); at != std::string::npos; at = ddl.find(kMarker, at + 1)) {
        const auto from = at + kMarker.size();
        const auto end = ddl.find_first_of(" (\n", from);
        const std::string name = ddl.substr(from, end - from);
        auto r = c.dialect() == Dialect::Sqlite
                     ? c.query("SELECT 1 FROM sqlite_master WHERE name = ?", {name})
                     : c.query("SELECT 1 FROM pg_catalog.pg_class k JOIN pg_catalog.pg_namespace n ON n.oid = k.relnamespace "
                               "WHERE n.nspname = current_schema() AND k.relname = ?",
                               {name});
        if (!r) return Fail(r.error());
        if (r->empty()) return false;
    }
    return true;
}

StoreResult<std::int64_t> currentVersion(SqlConnection& c) {
    auto versioned = tableExists(c, "schema_version");
    if (!versioned) return Fail(versioned.error());
    if (*versioned) {
        auto v = c.query("SELECT MAX(version) FROM schema_version");
        if (!v) return Fail(v.error());
        if (!v->isNull(0, 0)) return v->integer(0, 0);
    }
    // Version 1 had no version table; an events table means its data is here.
    auto events = tableExists(c, "events");
    if (!events) return Fail(events.error());
    return *events ? std::int64_t{1} : std::int64_t{0};
}

}  // namespace

StoreResult<bool> migrateHubSchema(SqlConnection& c, const privacy::DataKeys& keys, const privacy::FieldCipher& cipher) {
    auto version = currentVersion(c);
    if (!version) return Fail(version.error());
    if (*version > kHubSchemaVersion) {
        return Fail(StoreError{"the database has schema version " + std::to_string(*version) + ", newer than this hub (" +
                                   std::to_string(kHubSchemaVersion) + "); run the newer hub",
                               false});
    }
    if (*version == kHubSchemaVersion) {
        // Only when something is missing: CREATE INDEX takes a lock that waits for every open write on its table,
        // so a hub (re)starting beside others that are ingesting would stall their writes or deadlock with them.
        auto complete = allObjectsExist(c);
        if (!complete) return Fail(complete.error());
        if (*complete) return false;
        auto created = c.script(forDialect(c.dialect(), std::string(kTables) + kCasesTables + kFleetConfigTables + kIndexes));
        if (!created) return Fail(created.error());
        return false;
    }
    if (*version == 1) {
        if (auto r = c.script(forDialect(c.dialect(), kFromVersion1)); !r) return Fail(r.error());
    }
    if (*version >= 1 && *version < 3) {
        // Tables the steps above did not (re)create lack version 3's columns.
        if (auto r = addMissingColumns(c, kVersion3Columns); !r) return Fail(r.error());
        if (auto r = c.script(kVersion3Tokens); !r) return Fail(r.error());
    }
    if (*version >= 1 && *version < kKeyedTombstonesVersion) {
        for (const char* table : {"tombstones", "events"}) {
            auto exists = tableExists(c, table);
            if (!exists) return Fail(exists.error());
            if (!*exists) continue;
            const std::string step = std::string(table) == "tombstones" ? std::string(kToKeyedTombstones)
                                     : c.dialect() == Dialect::Sqlite    ? kStripStaffLookupsSqlite
                                                                         : kStripStaffLookupsPostgres;
            if (auto r = c.script(step); !r) return Fail(r.error());
        }
    }
    if (*version >= 1 && *version < kFleetConfigVersion) {
        if (auto r = addMissingColumns(c, kFleetConfigColumns); !r) return Fail(r.error());
    }
    const bool sealed = *version >= 1 && *version < kFieldEncryptionVersion;
    bool rewrote = sealed;
    if (sealed) {
        // After every earlier step (the staff lookup payloads above are edited as plaintext JSON).
        if (auto r = addMissingColumns(c, kFieldEncryptionColumns); !r) return Fail(r.error());
        if (auto r = sealPlaintextFields(c, keys, cipher); !r) return Fail(r.error());
    }
    if (*version >= 1 && *version < kSurveyVersionColumnVersion) {
        if (auto r = addMissingColumns(c, kSurveyVersionColumns); !r) return Fail(r.error());
        auto events = tableExists(c, "events");
        if (!events) return Fail(events.error());
        auto feedback = tableExists(c, "feedback");
        if (!feedback) return Fail(feedback.error());
        if (*events && *feedback) {
            if (auto r = backfillSurveyVersions(c, cipher); !r) return Fail(r.error());
        }
    }
    if (*version >= 1 && *version < kVerifiedIdentifiersVersion) {
        if (auto r = addMissingColumns(c, kVerifiedIdentifierColumns); !r) return Fail(r.error());
        bool all = true;
        for (const char* table : {"identifiers", "channels", "profiles"}) {
            auto exists = tableExists(c, table);
            if (!exists) return Fail(exists.error());
            all = all && *exists;
        }
        if (all) {
            if (auto r = c.script(kVerifyKioskProfilesContacts); !r) return Fail(r.error());
        }
    }
    if (*version >= 1 && *version < kFeedbackWindowsVersion) {
        if (auto r = addMissingColumns(c, kAuditDetailColumns); !r) return Fail(r.error());
    }
    if (*version >= 1 && *version < kCaseOutcomeSealedVersion) {
        auto r = sealCaseOutcomes(c, cipher);
        if (!r) return Fail(r.error());
        rewrote = rewrote || *r;
    }
    if (*version >= 1 && *version < kUndoneMergesIndexVersion) {
        // Replaced by merges_winner_undone and merges_loser_undone, created below.
        if (auto r = c.script("DROP INDEX IF EXISTS merges_winner; DROP INDEX IF EXISTS merges_loser;"); !r) {
            return Fail(r.error());
        }
    }
    if (auto r = c.script(forDialect(c.dialect(), std::string(kTables) + kCasesTables + kFleetConfigTables + kIndexes)); !r) {
        return Fail(r.error());
    }
    auto clear = c.exec("DELETE FROM schema_version");
    if (!clear) return Fail(clear.error());
    auto set = c.exec("INSERT INTO schema_version(version) VALUES(?)", {kHubSchemaVersion});
    if (!set) return Fail(set.error());
    return rewrote;
}

}  // namespace touchpoint::hub
