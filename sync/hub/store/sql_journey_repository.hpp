#pragma once
// JourneyRepository over one SqlConnection inside one ingest transaction. It holds what the transaction has read
// and changed so far: a shopper's several events in one batch (a kiosk session's sign-in, consent and feedback
// usually travel together) cost one read and one write of their profile, and each (profile, channel) is
// upserted once, when the repository is flushed. Internal to the hub library.

#include <deque>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "hub/cases/case_repository.hpp"
#include "hub/journey/journey_repository.hpp"
#include "hub/privacy/data_key.hpp"
#include "hub/privacy/field_cipher.hpp"
#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub {

class SqlJourneyRepository final : public JourneyRepository {
public:
    /// `keys` key the tombstones it checks (store/tombstones.hpp); `cipher` seals the personal fields it writes.
    SqlJourneyRepository(SqlConnection& connection, const privacy::DataKeys& keys, const privacy::FieldCipher& cipher)
        : m_c(connection), m_keys(keys), m_cipher(cipher) {}

    /// Reads the identifiers of a whole batch, and locks and reads the profiles they belong to (in id order), in a
    /// few statements instead of some per message. What it found absent is not looked up again; an identifier
    /// another writer adds meanwhile is caught by addIdentifier's insert, which then runs the transaction again.
    /// With those profiles it reads their check-ins captured in [checkinsFromMs, checkinsToMs): the cooldown and
    /// per-day questions about times inside that span are then answered without a statement (the profile's row
    /// lock keeps other writers' check-ins for it out until this transaction ends).
    StoreResult<void> prefetch(const std::vector<const Identifiers*>& identifiers, std::int64_t checkinsFromMs,
                               std::int64_t checkinsToMs);

    /// The keyed tags of `identifiers` (`tags[i]` of `identifiers[i]`, every key's, current first), made
    /// before the transaction (PreparedMessage): the repository looks up and stores those identifiers by them
    /// rather than computing them again. Both must outlive the repository.
    void knowTags(const Identifiers& identifiers, const std::vector<std::vector<std::string>>& tags);

    StoreResult<bool> isTombstoned(const Identifier& id) override;
    StoreResult<std::optional<std::string>> findProfileId(const Identifier& id) override;
    StoreResult<std::vector<std::string>> userOrAnonKinds(const std::string& value) override;
    StoreResult<void> addIdentifier(const Identifier& id, const std::string& profileId, bool verified) override;
    StoreResult<void> markVerified(const Identifier& id) override;
    StoreResult<bool> holdsVerifiedIdentifier(const std::string& profileId) override;
    StoreResult<std::int64_t> countIdentifiers(const std::string& profileId, const std::string& kind) override;
    StoreResult<std::optional<std::string>> memberIdentifier(const std::string& profileId) override;

    StoreResult<ProfileRow*> createProfile(const std::string& id, std::int64_t createdMs) override;
    StoreResult<ProfileRow*> profile(const std::string& id) override;
    void markChanged(const std::string& profileId) override { m_dirty.insert(profileId); }
    void seenOnChannel(const std::string& profileId, std::string_view channel, std::int64_t atMs) override;
    StoreResult<void> flush() override;
    StoreResult<void> recordMerge(const MergeFact& merge) override;
    StoreResult<bool> mergeUndone(const std::string& profileA, const std::string& profileB) override;

    StoreResult<std::optional<std::int64_t>> earningCheckinBetween(const std::string& profileId, std::int64_t fromMs,
                                                                  std::int64_t toMs) override;
    StoreResult<std::int64_t> countCheckins(const std::string& profileId, std::int64_t fromMs,
                                            std::int64_t toMs) override;
    StoreResult<std::int64_t> countCheckinDays(const std::string& profileId) override;
    StoreResult<void> insertCheckin(const CheckinFact& checkin) override;
    StoreResult<std::vector<PendingCheckin>> pendingCheckins(const std::string& profileId) override;
    StoreResult<void> settleCheckin(const CheckinFact& checkin) override;

    StoreResult<void> insertFeedback(const FeedbackFact& feedback) override;
    /// The submitted answers (not abandoned, not misuse) this transaction inserted, as the alert windows read
    /// them (store/answer_windows.hpp).
    const std::vector<FeedbackAnswer>& storedAnswers() const { return m_storedAnswers; }
    StoreResult<void> insertSignin(const SigninFact& signin) override;
    StoreResult<void> insertTransition(const TransitionFact& transition) override;

    /// Rows this transaction wrote for `profileId` outside the repository (its events, its group links), in
    /// the tables a merge moves (MergedTables bits).
    void noteRows(const std::string& profileId, unsigned tables);

private:
    StoreResult<std::optional<ProfileRow>> loadProfile(const std::string& id);
    StoreResult<void> saveProfile(const ProfileRow& row);

    SqlConnection& m_c;
    const privacy::DataKeys& m_keys;
    const privacy::FieldCipher& m_cipher;
    std::optional<bool> m_hasTombstones;  ///< read once per transaction: most hubs have none, and skip the lookups
    std::unordered_map<std::string, ProfileRow> m_profiles;
    std::unordered_set<std::string> m_dirty;  ///< ids in m_profiles changed since they were read
    std::map<Identifier, std::string> m_identifiers;  ///< (kind, value) → profile id
    std::set<Identifier> m_verified;  ///< identifiers known to be verified (read so, or marked here)
    /// Profile id → (member number, its stored sealed text), as read or last saved: saved again unchanged.
    std::unordered_map<std::string, std::pair<std::string, std::string>> m_storedMemberIds;
    struct HeldCheckin {
        std::string messageId;
        std::int64_t atMs = 0;
        bool awarded = false;
        bool visit = true;  ///< not out of the earn window (kOutOfWindow)
    };
    /// The check-ins of a profile in [m_checkinsFrom, m_checkinsTo) (all of them, for a profile made here).
    std::unordered_map<std::string, std::vector<HeldCheckin>> m_checkins;
    std::int64_t m_checkinsFrom = 0, m_checkinsTo = 0;
    /// The held check-ins of `profileId` when they cover [fromMs, toMs); null when SQL must answer.
    const std::vector<HeldCheckin>* heldCheckins(const std::string& profileId, std::int64_t fromMs, std::int64_t toMs) const;
    std::unordered_set<std::string> m_undoneKnown;  ///< prefetched profiles: their undone merges are m_undonePairs
    std::set<std::pair<std::string, std::string>> m_undonePairs;  ///< (winner, loser) of undone merges
    std::set<Identifier> m_absent;  ///< looked up by prefetch and not stored (until addIdentifier adds one)
    std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::int64_t>> m_channels;  ///< first, last
    /// Profiles created in this transaction → the tables that may hold their rows (MergedTables bits): a
    /// merge of one (a session's anonymous profile joining the member's) moves and records only those.
    std::unordered_map<std::string, unsigned> m_madeHere;
    /// Profiles created in this transaction whose row is not written yet: flush() inserts it whole, with what
    /// the rules made of it, instead of an insert now and an update then; a merge that takes it writes
    /// nothing. In id order, the order they were made in (UUIDv7): each insert lands at the end of the key.
    std::set<std::string> m_unwritten;
    std::vector<FeedbackAnswer> m_storedAnswers;
    /// An identifier's tags under every key, current first: from knowTags, or computed (and kept) now.
    const std::vector<std::string>& tagsOf(const Identifier& id);
    std::map<Identifier, const std::vector<std::string>*> m_tags;
    std::deque<std::vector<std::string>> m_computedTags;  ///< tags tagsOf had to compute (m_tags points here)
};

}  // namespace touchpoint::hub
