// `touchpoint-hub backup`: a consistent copy of an SQLite store taken while the hub runs (docs/OPERATIONS.md
// "Backups").

#include "hub/store/sql_store.hpp"

namespace touchpoint::hub {

StoreResult<void> SqlHubStore::backupTo(const std::string& file) {
    if (m_pool->dialect() == Dialect::Postgres) {
        return Fail(StoreError{"a PostgreSQL store is backed up with PostgreSQL's own tools (pg_dump, or "
                               "pg_basebackup for a whole cluster): docs/OPERATIONS.md \"Backups\"",
                               false});
    }
    // One read transaction: the copy is the database as of one commit, with the hub still writing. VACUUM
    // INTO writes only live rows into a new file (never over an existing one), so pages freed by an erasure
    // or by retention are not carried into the copy, and it has no WAL of its own.
    auto lease = acquire();
    auto r = lease->exec("VACUUM INTO ?", {file});
    if (!r) return Fail(r.error());
    return {};
}

}  // namespace touchpoint::hub
