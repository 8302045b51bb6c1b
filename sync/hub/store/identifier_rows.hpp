#pragma once
// The identifiers table at rest: a row holds its identifier's keyed tag in `value` (DataKeys::identifierTag,
// "<key id>:<hex>", what equality look-ups and the (kind, value) key use) and the identifier itself only
// sealed, in `sealed_value` (privacy/field_cipher.hpp), for the few reads that need it back (an erasure's
// tombstones, a member's number). A look-up searches the tags under every key, current first, so rows tagged
// under a retired key are still found. Internal to the hub library.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hub/privacy/data_key.hpp"
#include "hub/privacy/field_cipher.hpp"
#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub {

/// Inserts (kind, tag, sealed value, profile id, verified), doing nothing when the (kind, tag) is held already.
inline constexpr const char* kInsertIdentifierSql =
    "INSERT INTO identifiers(kind, value, sealed_value, profile_id, verified) VALUES(?,?,?,?,?) "
    "ON CONFLICT(kind, value) DO NOTHING";

/// The parameters of kInsertIdentifierSql for (kind, value) held by `profileId`; `verified` when a kiosk proved
/// it (docs/JOURNEY_RULES.md "Who may tie identities").
std::vector<SqlValue> identifierInsertParams(const privacy::DataKeys& keys,
                                             const privacy::FieldCipher& cipher, std::string_view kind,
                                             std::string_view value, std::string_view profileId, bool verified);

/// The same with the identifier's tag under the current key already made (`currentTag`).
std::vector<SqlValue> identifierInsertParams(std::string_view currentTag, const privacy::FieldCipher& cipher,
                                             std::string_view kind, std::string_view value,
                                             std::string_view profileId, bool verified);

/// The tags of `value` under every key, as statement parameters.
std::vector<SqlValue> identifierTagParams(const privacy::DataKeys& keys, std::string_view kind,
                                          std::string_view value);

/// The profile holding (kind, value), under any key; none when no row holds it.
StoreResult<std::optional<std::string>> identifierOwner(SqlConnection& c, const privacy::DataKeys& keys,
                                                        std::string_view kind, std::string_view value);

/// The identifier of a stored row opened from its sealed_value.
StoreResult<std::string> openIdentifier(const privacy::FieldCipher& cipher, std::string_view sealedValue);

}  // namespace touchpoint::hub
