#pragma once
// The hub's tables, and the steps that bring a database made by an earlier version up to date.

#include "hub/privacy/data_key.hpp"
#include "hub/privacy/field_cipher.hpp"
#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub {

/// The step that keyed tombstones (unkeyed ones move to legacy_tombstones) and keeps a staff lookup's identifier
/// only as a keyed tag (staff_lookups): docs/OPERATIONS.md "Personal data: keys, erasure, retention".
inline constexpr std::int64_t kKeyedTombstonesVersion = 5;
/// The step that added alerts, cases, their contacts and notes, and the notification queue (new tables and
/// indexes only).
inline constexpr std::int64_t kCasesSchemaVersion = 6;

/// The step that indexed answers by message id and cases by opening time, so the case figures find each case's
/// answer without reading every answer (new indexes only).
inline constexpr std::int64_t kCaseFiguresIndexVersion = 7;

/// The step that added published kiosk configuration: config_documents, config_assignments, store_regions
/// (new tables), and the config version and refusal each kiosk last reported (two columns on kiosks).
inline constexpr std::int64_t kFleetConfigVersion = 8;

/// The step that sealed personal fields at rest (privacy/field_cipher.hpp): stored messages, comments, contacts,
/// group traits and case notes sealed in place, and identifiers replaced by their keyed tag plus a sealed value
/// (identifiers.sealed_value, a new column; store/identifier_rows.hpp).
inline constexpr std::int64_t kFieldEncryptionVersion = 9;

/// The step that gave each answer its survey version (feedback.survey_version, 0 = unknown), filled in for
/// answers stored before from their events' `properties.surveyVersion`.
inline constexpr std::int64_t kSurveyVersionColumnVersion = 10;

/// The step that marked identifiers a kiosk proved (identifiers.verified, a new column: docs/JOURNEY_RULES.md
/// "Who may tie identities"), set for the phones and e-mails of profiles seen at a kiosk or holding a membership.
inline constexpr std::int64_t kVerifiedIdentifiersVersion = 11;

/// The step that sealed case outcomes (cases.outcome, free text staff type when they resolve a case) in place,
/// and took the outcome's text out of the case audit's status rows (store/field_encryption_step.hpp).
inline constexpr std::int64_t kCaseOutcomeSealedVersion = 12;

/// The step that added feedback_windows (a new table only): each store's stamp, which tells a hub whether the
/// answers it holds in memory for the store's alert windows are still all of them (store/answer_windows.hpp).
/// It also indexes the audit by (route, at): GET /v1/audit?route= reads one route's newest rows; and gives audit
/// rows a detail (an export's days and store).
inline constexpr std::int64_t kFeedbackWindowsVersion = 13;

/// The step that indexes merges by (winner, undone_at, loser) and (loser, undone_at, winner) instead of by
/// winner and by loser alone: the ingest's question which merges naming a batch's profiles were undone is
/// answered from the index, however many merges a regular has (store/sql_schema.cpp).
inline constexpr std::int64_t kUndoneMergesIndexVersion = 14;

/// The schema version this build writes.
inline constexpr std::int64_t kHubSchemaVersion = kUndoneMergesIndexVersion;

/// Creates the schema in an empty database, or migrates an older one forward, inside one transaction.
/// A database from a newer build is refused rather than guessed at. `keys` and `cipher` key and seal what a
/// database from before kFieldEncryptionVersion kept in plaintext. True when a step rewrote personal values
/// in place: their old versions are still in the database's log (SQLite), which the caller then cuts.
StoreResult<bool> migrateHubSchema(SqlConnection& c, const privacy::DataKeys& keys, const privacy::FieldCipher& cipher);

}  // namespace touchpoint::hub
