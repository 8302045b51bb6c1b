#pragma once
// What the journey rules (journey_rules.hpp) need from storage, and nothing more: the identity graph, profile
// rows, and the fact rows the rules write. The SQL implementation (store/sql_journey_repository.hpp) runs inside
// one ingest transaction; tests use an in-memory one. No SQL and no transaction control here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hub/journey/loyalty.hpp"
#include "hub/store_result.hpp"

namespace touchpoint::hub {

/// (kind, value): kind is user | anon | member | phone (E.164) | email (lower-cased).
using Identifier = std::pair<std::string, std::string>;
using Identifiers = std::vector<Identifier>;

/// A profile row while messages are applied to it.
struct ProfileRow {
    std::string id;
    std::int64_t createdMs = 0;
    std::string memberId;
    std::string firstInitial;
    std::string stage;
    std::int64_t points = 0;
    std::optional<std::int64_t> latestNps, latestNpsAtMs, lastCheckinMs;
    bool velocityFlag = false;
    ProfileFacts facts;
    bool operator==(const ProfileRow&) const = default;
};

/// Views point into the message being applied; they live as long as the call that takes the row.
struct CheckinFact {
    std::string_view messageId;
    std::string profileId;
    std::int64_t atMs = 0;
    bool awarded = false;
    std::int64_t points = 0;
    std::string reason;  ///< "" | cooldown | not_member | out_of_window (kOutOfWindow)
};

/// The reason of a check-in captured outside the earn window: kept, but it earns nothing, moves no cooldown and
/// counts as no visit (neither a visit day nor towards the velocity flag), whenever its profile is counted.
inline constexpr std::string_view kOutOfWindow = "out_of_window";

struct PendingCheckin {
    std::string messageId;
    std::int64_t atMs = 0;
};

struct FeedbackFact {
    std::string_view messageId, storeId, kioskId, surveyId, abandonReason;
    std::int64_t atMs = 0;
    std::int64_t surveyVersion = 0;  ///< 0: the answer did not say (journey/survey_version.hpp)
    std::optional<std::string> profileId;
    bool abandoned = false;
    bool misuse = false;
    std::optional<std::int64_t> nps, csat, ces;
    std::vector<std::string> reasons;
    std::optional<std::string> comment;
};

struct SigninFact {
    std::string_view messageId, storeId, kioskId, method;
    std::int64_t atMs = 0;
    std::optional<std::string> profileId;
    bool newMember = false;
    bool awarded = false;
};

struct TransitionFact {
    std::string_view messageId, channel;
    std::string profileId;
    std::int64_t atMs = 0;
    std::string from, to;
};

/// A merge as it happens: the surviving profile and the one merged into it, each as it was just before, for
/// the merge record that lets an admin see and undo it (docs/JOURNEY_RULES.md "Merges and their undo").
struct MergeFact {
    std::string_view messageId, source;
    std::int64_t atMs = 0;
    const ProfileRow* winnerBefore = nullptr;
    const ProfileRow* loserBefore = nullptr;
};

class JourneyRepository {
public:
    virtual ~JourneyRepository() = default;

    // Identity graph.
    /// Whether the identifier was erased (a tombstone keyed by its hash).
    virtual StoreResult<bool> isTombstoned(const Identifier& id) = 0;
    virtual StoreResult<std::optional<std::string>> findProfileId(const Identifier& id) = 0;
    /// Kinds among user | anon under which `value` is known (an alias's previousId).
    virtual StoreResult<std::vector<std::string>> userOrAnonKinds(const std::string& value) = 0;
    /// Attaches an identifier to a profile, `verified` when a kiosk proved it (docs/JOURNEY_RULES.md "Who may tie
    /// identities"). Attaching it again to the same profile is harmless (verified stays verified); when another
    /// profile holds it (claimed by a concurrent writer since it was looked up) the error is retryable.
    virtual StoreResult<void> addIdentifier(const Identifier& id, const std::string& profileId, bool verified) = 0;
    /// Marks an identifier some profile holds as verified. The mark belongs to the identifier: it moves with it
    /// in a merge and back in the merge's undo, and is never taken off.
    virtual StoreResult<void> markVerified(const Identifier& id) = 0;
    /// Whether the profile holds a verified identifier.
    virtual StoreResult<bool> holdsVerifiedIdentifier(const std::string& profileId) = 0;
    /// How many identifiers of `kind` the profile holds.
    virtual StoreResult<std::int64_t> countIdentifiers(const std::string& profileId, const std::string& kind) = 0;
    /// The profile's member identifier, if it has one.
    virtual StoreResult<std::optional<std::string>> memberIdentifier(const std::string& profileId) = 0;

    // Profiles. A row returned here stays with the repository (stable address) for its whole life, one
    // transaction, unless a merge takes it (recordMerge); the caller changes it in place and calls
    // markChanged(), and flush() writes each changed row once.
    virtual StoreResult<ProfileRow*> createProfile(const std::string& id, std::int64_t createdMs) = 0;
    /// Fails (retryable) when there is no such profile: it was merged or erased concurrently.
    virtual StoreResult<ProfileRow*> profile(const std::string& id) = 0;
    virtual void markChanged(const std::string& profileId) = 0;
    /// The profile was seen on a channel at a time (first and last seen are kept per channel).
    virtual void seenOnChannel(const std::string& profileId, std::string_view channel, std::int64_t atMs) = 0;
    /// Writes changed profiles and seen channels, once each, at the end of the transaction.
    virtual StoreResult<void> flush() = 0;
    /// Moves every identifier, fact row and channel of the loser to the winner, deletes the loser profile and
    /// records the merge with what moved (so that it can be undone). What the repository holds stays true: the
    /// loser's row is dropped (its address is no longer valid) with any change not yet written, its identifiers are
    /// the winner's, and so are its channel sightings not yet written; the winner's row is the caller's to update.
    virtual StoreResult<void> recordMerge(const MergeFact& merge) = 0;
    /// Whether an admin undid a merge of these two profiles: they are not merged again.
    virtual StoreResult<bool> mergeUndone(const std::string& profileA, const std::string& profileB) = 0;

    // Check-ins.
    /// The capture time of an earning check-in of the profile strictly within (fromMs, toMs), if any.
    virtual StoreResult<std::optional<std::int64_t>> earningCheckinBetween(const std::string& profileId,
                                                                          std::int64_t fromMs, std::int64_t toMs) = 0;
    /// Visits of the profile (check-ins but those out of the earn window) with capture time in [fromMs, toMs).
    virtual StoreResult<std::int64_t> countCheckins(const std::string& profileId, std::int64_t fromMs,
                                                    std::int64_t toMs) = 0;
    /// Distinct UTC days with a visit (a check-in not out of the earn window).
    virtual StoreResult<std::int64_t> countCheckinDays(const std::string& profileId) = 0;
    virtual StoreResult<void> insertCheckin(const CheckinFact& checkin) = 0;
    /// Check-ins recorded before the profile was a member, in capture order.
    virtual StoreResult<std::vector<PendingCheckin>> pendingCheckins(const std::string& profileId) = 0;
    /// Sets the verdict of a pending check-in.
    virtual StoreResult<void> settleCheckin(const CheckinFact& checkin) = 0;

    // Other facts.
    virtual StoreResult<void> insertFeedback(const FeedbackFact& feedback) = 0;
    virtual StoreResult<void> insertSignin(const SigninFact& signin) = 0;
    virtual StoreResult<void> insertTransition(const TransitionFact& transition) = 0;
};

}  // namespace touchpoint::hub
