#pragma once
// Schema steps kFieldEncryptionVersion and kCaseOutcomeSealedVersion (store/sql_schema.hpp): a database
// written before personal fields were sealed at rest has them sealed in place, and its identifiers keyed
// (store/identifier_rows.hpp); one written before case outcomes were sealed has them sealed, and their text
// taken out of the case audit. Internal to the hub library.

#include "hub/privacy/data_key.hpp"
#include "hub/privacy/field_cipher.hpp"
#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub {

/// Seals every plaintext value of the personal columns (privacy::columns) and replaces each identifier by its
/// keyed tag plus its sealed value, a batch of rows at a time, inside the caller's transaction. Values
/// already sealed under a key the hub holds are left alone, so running it again changes nothing.
StoreResult<void> sealPlaintextFields(SqlConnection& c, const privacy::DataKeys& keys,
                                      const privacy::FieldCipher& cipher);

/// Seals every plaintext `cases.outcome` and rewrites the case audit's status rows that repeated an outcome
/// (", outcome <text>") to say only that it was set or changed, as changes record it now. True when a row
/// changed (its plaintext is then still in the SQLite log, which the caller cuts).
StoreResult<bool> sealCaseOutcomes(SqlConnection& c, const privacy::FieldCipher& cipher);

}  // namespace touchpoint::hub
