#pragma once
// The record of each profile merge (table `merges`) and of the rows it moved (`merge_moves`), written inside
// the ingest transaction that merges, so that head office can see every merge and an admin can undo one
// (SqlHubStore::undoMerge, docs/JOURNEY_RULES.md "Merges and their undo").

#include <cstdint>
#include <string>
#include <utility>

#include "hub/journey/journey_repository.hpp"
#include "hub/privacy/data_key.hpp"
#include "hub/privacy/field_cipher.hpp"
#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub {

/// The tables whose rows follow a profile in a merge, as bits: which of them may hold a profile's rows.
enum MergedTables : unsigned {
    kEventRows = 1u << 0,
    kFeedbackRows = 1u << 1,
    kSigninRows = 1u << 2,
    kCheckinRows = 1u << 3,
    kTransitionRows = 1u << 4,
    kIdentifierRows = 1u << 5,
    kChannelRows = 1u << 6,
    kGroupRows = 1u << 7,
    kAllMergedTables = (1u << 8) - 1,
};

/// The fact tables (keyed by an increasing seq) whose rows follow their profile in a merge, with their bits:
/// what a merge moves and records row by row, and what its undo moves back.
inline constexpr std::pair<const char*, unsigned> kMergedFactTables[] = {{"events", kEventRows},
                                                                         {"feedback", kFeedbackRows},
                                                                         {"signins", kSigninRows},
                                                                         {"checkins", kCheckinRows},
                                                                         {"transitions", kTransitionRows}};

/// Records the merge and what belongs to the loser now, before its rows move to the winner. Identifiers are
/// recorded by their keyed tag (the one their row holds, store/identifier_rows.hpp), never by value.
/// Both rows as they were are sealed (merges.winner_before, merges.loser_before: privacy/field_cipher.hpp).
/// Tables outside `loserTables` are known to hold none of the loser's rows, and are not read.
StoreResult<void> recordMergeAndMoves(SqlConnection& c, const privacy::FieldCipher& cipher,
                                      const MergeFact& merge, unsigned loserTables = kAllMergedTables);

/// The undone merges naming any of a list of profiles as winner, or as loser: prefixes for queryIn (the list
/// follows as " IN (...)"), answered from the merges' indexes alone (kUndoneMergesIndexVersion).
inline constexpr const char* kUndoneMergesByWinner =
    "SELECT winner_id, loser_id FROM merges WHERE undone_at IS NOT NULL AND winner_id";
inline constexpr const char* kUndoneMergesByLoser =
    "SELECT winner_id, loser_id FROM merges WHERE undone_at IS NOT NULL AND loser_id";

/// Whether an admin undid a merge between these two profiles (either way round).
StoreResult<bool> mergeWasUndone(SqlConnection& c, const std::string& profileA, const std::string& profileB);

/// A profile row as JSON text (the merge record keeps both rows as they were) and back.
std::string profileRowJson(const ProfileRow& row);
std::optional<ProfileRow> profileRowFromJson(const std::string& text);

}  // namespace touchpoint::hub
