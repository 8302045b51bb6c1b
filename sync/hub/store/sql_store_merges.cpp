// Merges and refused ties as head office sees them, and an admin's undo of a merge
// (docs/JOURNEY_RULES.md "Merges and their undo").

#include <algorithm>
#include <set>

#include "hub/ingest/identity.hpp"
#include "hub/journey/loyalty.hpp"
#include "hub/store/identifier_rows.hpp"
#include "hub/store/merge_records.hpp"
#include "hub/store/sealed_fields.hpp"
#include "hub/store/sql_journey_repository.hpp"
#include "hub/store/sql_store.hpp"

namespace touchpoint::hub {

namespace {

/// Check-in figures of a profile as its rows now say, by the rules that kept them as check-ins were added: the
/// last check-in that earned, and the distinct days with a visit (a check-in not out of the earn window).
StoreResult<void> recountCheckins(SqlConnection& c, ProfileRow& row) {
    auto r = c.query("SELECT MAX(CASE WHEN awarded = 1 THEN at END), COUNT(DISTINCT CASE WHEN reason <> ? THEN day END) "
                     "FROM checkins WHERE profile_id = ?",
                     {std::string(kOutOfWindow), row.id});
    if (!r) return Fail(r.error());
    row.lastCheckinMs = r->isNull(0, 0) ? std::nullopt : std::optional<std::int64_t>(r->integer(0, 0));
    row.facts.visitDays = r->integer(0, 1);
    return {};
}

/// The winner as it would be had the loser never joined it: what the loser brought is taken off, what the
/// winner gained since the merge stays.
void takeOffWhatTheLoserBrought(ProfileRow& w, const ProfileRow& winnerBefore, const ProfileRow& loser) {
    w.points = std::max<std::int64_t>(0, w.points - loser.points);
    w.facts.referrals = std::max<std::int64_t>(0, w.facts.referrals - loser.facts.referrals);
    w.facts.orders = std::max<std::int64_t>(0, w.facts.orders - loser.facts.orders);
    w.facts.considered = std::max<std::int64_t>(0, w.facts.considered - loser.facts.considered);
    if (winnerBefore.memberId.empty() && w.memberId == loser.memberId) w.memberId.clear();
    if (winnerBefore.firstInitial.empty() && w.firstInitial == loser.firstInitial) w.firstInitial.clear();
    if (!winnerBefore.facts.isMember && loser.facts.isMember && w.memberId.empty()) w.facts.isMember = false;
    if (loser.latestNpsAtMs && w.latestNpsAtMs == loser.latestNpsAtMs) {  // the newest answer was the loser's
        w.latestNps = winnerBefore.latestNps;
        w.latestNpsAtMs = winnerBefore.latestNpsAtMs;
    }
    if (!winnerBefore.velocityFlag && loser.velocityFlag) w.velocityFlag = false;
    w.facts.latestNps = w.latestNps;
}

/// Moves back to the loser the rows the merge moved that the winner still holds.
StoreResult<void> moveRowsBack(SqlConnection& c, const privacy::DataKeys& keys, const privacy::FieldCipher& cipher,
                               std::int64_t seq,
                               const std::string& winnerId, const std::string& loserId) {
    for (const auto& fact : kMergedFactTables) {
        const char* table = fact.first;
        auto r = c.exec(std::string("UPDATE ") + table + " SET profile_id = ? WHERE profile_id = ? AND seq IN "
                            "(SELECT row_seq FROM merge_moves WHERE merge_seq = ? AND tbl = '" + table + "')",
                        {loserId, winnerId, seq});
        if (!r) return Fail(r.error());
    }
    auto hashes = c.query("SELECT row_key FROM merge_moves WHERE merge_seq = ? AND tbl = 'identifiers'", {seq});
    if (!hashes) return Fail(hashes.error());
    std::set<std::string> moved;
    for (std::size_t i = 0; i < hashes->size(); ++i) moved.insert(hashes->text(i, 0));
    auto held = c.query("SELECT kind, value, sealed_value FROM identifiers WHERE profile_id = ?", {winnerId});
    if (!held) return Fail(held.error());
    for (std::size_t i = 0; i < held->size(); ++i) {
        // The row's own tag; a tag under another key, or (a merge recorded before schema step
        // kKeyedTombstonesVersion) the unkeyed hash, need the identifier itself.
        const std::string kind = held->text(i, 0), tag = held->text(i, 1);
        bool wasMoved = moved.count(tag) > 0;
        if (!wasMoved) {
            auto value = openIdentifier(cipher, held->text(i, 2));
            if (!value) return Fail(value.error());
            wasMoved = moved.count(legacyIdentifierHash(kind, *value)) > 0;
            for (const auto& other : keys.identifierTags(kind, *value)) wasMoved = wasMoved || moved.count(other);
        }
        if (!wasMoved) continue;
        auto r = c.exec("UPDATE identifiers SET profile_id = ? WHERE kind = ? AND value = ?", {loserId, kind, tag});
        if (!r) return Fail(r.error());
    }
    auto groups = c.query("SELECT row_key, tbl FROM merge_moves WHERE merge_seq = ? AND tbl IN ('groups', 'groups_shared')",
                          {seq});
    if (!groups) return Fail(groups.error());
    for (std::size_t i = 0; i < groups->size(); ++i) {
        const std::string group = groups->text(i, 0);
        auto copy = c.exec("INSERT INTO profile_groups(profile_id, group_id, first_seen, last_seen) "
                           "SELECT ?, group_id, first_seen, last_seen FROM profile_groups WHERE profile_id = ? AND group_id = ?",
                           {loserId, winnerId, group});
        if (!copy) return Fail(copy.error());
        if (groups->text(i, 1) == "groups") {
            auto drop = c.exec("DELETE FROM profile_groups WHERE profile_id = ? AND group_id = ?", {winnerId, group});
            if (!drop) return Fail(drop.error());
        }
    }
    // Channels follow from the events each profile now has.
    for (const char* sql : {"DELETE FROM channels WHERE profile_id IN (?, ?)",
                            "INSERT INTO channels(profile_id, channel, first_seen, last_seen) "
                            "SELECT profile_id, channel, MIN(at), MAX(at) FROM events WHERE profile_id IN (?, ?) "
                            "GROUP BY profile_id, channel"}) {
        auto r = c.exec(sql, {winnerId, loserId});
        if (!r) return Fail(r.error());
    }
    return {};
}

}  // namespace

StoreResult<std::vector<MergeRecord>> SqlHubStore::merges(const std::string& profileId, std::size_t limit) {
    auto lease = acquire();
    const std::string columns = "SELECT seq, at, message_id, source, winner_id, loser_id, undone_at, undone_by FROM merges";
    auto r = profileId.empty()
                 ? lease->query(columns + " ORDER BY seq DESC LIMIT ?", {static_cast<std::int64_t>(limit)})
                 : lease->query(columns + " WHERE winner_id = ? OR loser_id = ? ORDER BY seq DESC LIMIT ?",
                                {profileId, profileId, static_cast<std::int64_t>(limit)});
    if (!r) return Fail(r.error());
    std::vector<MergeRecord> out;
    for (std::size_t i = 0; i < r->size(); ++i) {
        MergeRecord m{r->integer(i, 0), r->integer(i, 1), r->text(i, 2), r->text(i, 3), r->text(i, 4), r->text(i, 5),
                      std::nullopt, r->isNull(i, 7) ? "" : r->text(i, 7)};
        if (!r->isNull(i, 6)) m.undoneMs = r->integer(i, 6);
        out.push_back(std::move(m));
    }
    return out;
}

StoreResult<std::vector<ConflictRecord>> SqlHubStore::identityConflicts(std::size_t limit) {
    auto lease = acquire();
    auto r = lease->query("SELECT seq, at, message_id, source, profile_id, held_by, identifier_kind, reason "
                          "FROM identity_conflicts ORDER BY seq DESC LIMIT ?",
                          {static_cast<std::int64_t>(limit)});
    if (!r) return Fail(r.error());
    std::vector<ConflictRecord> out;
    for (std::size_t i = 0; i < r->size(); ++i) {
        out.push_back({r->integer(i, 0), r->integer(i, 1), r->text(i, 2), r->text(i, 3),
                       r->isNull(i, 4) ? "" : r->text(i, 4), r->isNull(i, 5) ? "" : r->text(i, 5), r->text(i, 6),
                       r->text(i, 7)});
    }
    return out;
}

StoreResult<UndoMergeOutcome> SqlHubStore::undoMerge(std::int64_t seq, const std::string& byToken) {
    return write<UndoMergeOutcome>([&](SqlConnection& c) -> StoreResult<UndoMergeOutcome> {
        auto m = c.query(std::string("SELECT winner_id, loser_id, winner_before, loser_before, undone_at FROM merges "
                                     "WHERE seq = ?") + std::string(c.forUpdate()),
                         {seq});
        if (!m) return Fail(m.error());
        if (m->empty()) return UndoMergeOutcome::NotFound;
        if (!m->isNull(0, 4)) return UndoMergeOutcome::AlreadyUndone;
        const std::string winnerId = m->text(0, 0), loserId = m->text(0, 1);
        auto winnerText = revealField(m_cipher, privacy::columns::kMergeWinnerBefore, m->text(0, 2));
        if (!winnerText) return Fail(winnerText.error());
        auto loserText = revealField(m_cipher, privacy::columns::kMergeLoserBefore, m->text(0, 3));
        if (!loserText) return Fail(loserText.error());
        const auto winnerBefore = profileRowFromJson(*winnerText);
        const auto loserBefore = profileRowFromJson(*loserText);
        if (!winnerBefore || !loserBefore) return Fail(StoreError{"merge " + std::to_string(seq) + ": unreadable record", false});
        auto exists = c.query(std::string("SELECT id FROM profiles WHERE id IN (?, ?)") + std::string(c.forUpdate()),
                              {winnerId, loserId});
        if (!exists) return Fail(exists.error());
        if (exists->size() != 1 || exists->text(0, 0) != winnerId) return UndoMergeOutcome::ProfileGone;

        SqlJourneyRepository repo(c, m_keys, m_cipher);
        auto w = repo.profile(winnerId);
        if (!w) return Fail(w.error());
        auto l = repo.createProfile(loserId, loserBefore->createdMs);
        if (!l) return Fail(l.error());
        **l = *loserBefore;
        takeOffWhatTheLoserBrought(**w, *winnerBefore, *loserBefore);
        if (auto r = moveRowsBack(c, m_keys, m_cipher, seq, winnerId, loserId); !r) return Fail(r.error());
        for (ProfileRow* row : {*w, *l}) {
            if (auto r = recountCheckins(c, *row); !r) return Fail(r.error());
            row->stage = deriveStage(row->facts);
            repo.markChanged(row->id);
        }
        if (auto f = repo.flush(); !f) return Fail(f.error());
        auto done = c.exec("UPDATE merges SET undone_at = ?, undone_by = ? WHERE seq = ?", {m_clock.utcMs(), byToken, seq});
        if (!done) return Fail(done.error());
        return UndoMergeOutcome::Undone;
    });
}

}  // namespace touchpoint::hub
