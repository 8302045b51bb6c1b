#pragma once
// Tombstones: what an erasure keeps of an erased identifier, so that a late or re-sent message never brings
// the person back. Keyed tags under the hub's data key (tombstones.hash), so the table does not say who was
// erased: without the key nobody can test a phone number or an address against it. Tombstones made before
// schema step kKeyedTombstonesVersion were unkeyed BLAKE2b hashes; they cannot be re-keyed without the
// identifier, so they move to legacy_tombstones, are still checked, and each is re-keyed (and its legacy row
// deleted) the first time its identifier is seen again. Internal to the hub library.

#include <cstdint>
#include <string_view>

#include "hub/privacy/data_key.hpp"
#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub {

/// Whether tombstones exist at all (keyed or legacy): most hubs have none and skip the look-ups.
StoreResult<bool> anyTombstones(SqlConnection& c);
/// Whether (kind, value) was erased, under any of the keys or as a legacy tombstone (re-keyed on a match).
StoreResult<bool> isTombstoned(SqlConnection& c, const privacy::DataKeys& keys, std::string_view kind,
                               std::string_view value);
/// Leaves a tombstone for (kind, value) under the current key.
StoreResult<void> addTombstone(SqlConnection& c, const privacy::DataKeys& keys, std::string_view kind,
                               std::string_view value, std::int64_t erasedAtMs);

}  // namespace touchpoint::hub
