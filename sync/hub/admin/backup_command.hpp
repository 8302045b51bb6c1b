#pragma once
// `touchpoint-hub backup --config hub.toml --to FILE`: a consistent copy of the hub's SQLite store, taken while
// the hub runs (docs/OPERATIONS.md "Backups"). The copy is readable by its owner only, written beside FILE and
// renamed into place once complete and on disk, and never replaces an existing file. The data key is not in
// it: keep the key file apart from the backups, as from the database.

#include <filesystem>

#include "common/result.hpp"
#include "hub/store/hub_store.hpp"

namespace touchpoint::hub {

/// Writes the copy; the error says what failed (an existing FILE, a missing folder, the store's refusal).
Result<void, std::string> backupStore(HubStore& store, const std::filesystem::path& file);

}  // namespace touchpoint::hub
