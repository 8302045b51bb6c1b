#pragma once
// The columns whose values are sealed at rest (privacy::columns), with the key their rows are found by: one
// list for the schema step that seals plaintext in place (field_encryption_step.cpp) and for key rotation
// (sql_store_keys.cpp). identifiers.sealed_value is not in it: an identifier row is keyed by its tag as well,
// and both change together (store/identifier_rows.hpp). Internal to the hub library.

#include <string_view>

#include "hub/privacy/field_cipher.hpp"

namespace touchpoint::hub {

struct SealedColumn {
    const char* table;
    const char* key;  ///< the row's unique key, the order batches walk in
    bool integerKey;
    const char* column;
    std::string_view associatedData;  ///< privacy::columns: the name the values are sealed for
};

inline constexpr SealedColumn kSealedColumns[] = {
    {"events", "seq", true, "payload", privacy::columns::kEventPayload},
    {"feedback", "seq", true, "comment", privacy::columns::kFeedbackComment},
    {"feedback_contacts", "feedback_message_id", false, "value", privacy::columns::kContactValue},
    {"account_groups", "group_id", false, "traits", privacy::columns::kGroupTraits},
    {"case_notes", "seq", true, "text", privacy::columns::kCaseNoteText},
    {"cases", "id", false, "outcome", privacy::columns::kCaseOutcome},
    {"profiles", "id", false, "member_id", privacy::columns::kProfileMemberId},
    {"merges", "seq", true, "winner_before", privacy::columns::kMergeWinnerBefore},
    {"merges", "seq", true, "loser_before", privacy::columns::kMergeLoserBefore},
};

}  // namespace touchpoint::hub
