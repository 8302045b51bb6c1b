#pragma once
// The outbox file's schema, versioned with PRAGMA user_version. Migrations are an ordered list: version N's
// SQL turns a version N-1 file into a version N file. Adding v2 means appending one entry; a file is never
// migrated backwards, and a file written by a newer build is refused rather than guessed at.

#include <span>
#include <string_view>

#include "common/sqlite.hpp"

namespace touchpoint::outbox {

struct Migration {
    int version = 0;       ///< the user_version after this step
    std::string_view sql;  ///< one or more statements
};

/// The real migration list, oldest first.
std::span<const Migration> migrations();
int latestSchemaVersion();

struct MigrationOutcome {
    int fromVersion = 0;
    int toVersion = 0;
};

/// Applies every migration above the file's user_version, each in its own IMMEDIATE transaction (so two
/// processes opening a fresh file at once cannot both create the tables). Fails with SQLITE_ERROR when the
/// file's version is newer than the list knows.
sqlite::SqlResult<MigrationOutcome> migrate(sqlite::Database& db, std::span<const Migration> steps);

}  // namespace touchpoint::outbox
