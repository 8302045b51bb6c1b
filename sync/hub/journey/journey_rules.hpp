#pragma once
// The journey rules of ingest (docs/JOURNEY_RULES.md): the identity graph (which profile a message belongs to,
// merges), loyalty (membership, check-ins, cooldown, velocity, points) and the journey stage. Pure code over a
// JourneyRepository: the same rules run on SQLite and PostgreSQL inside the ingest transaction, and on an
// in-memory repository in tests.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hub/config/hub_config.hpp"
#include "hub/ingest/batch_parser.hpp"
#include "hub/journey/journey_repository.hpp"

namespace touchpoint::hub {

/// Which profile a message belongs to.
/// A tie a source asked for and was refused (docs/JOURNEY_RULES.md "Who may tie identities").
struct IdentityConflict {
    std::string identifierKind;  ///< email | phone | member | user | anon; "" when profiles, not one identifier, clash
    std::string reason;          ///< held_by_another_profile | member_id_from_public_source | two_memberships |
                                 ///< two_verified_profiles | contact_into_membership | limit_reached |
                                 ///< names_nobody | merge_undone
    std::optional<std::string> heldBy;  ///< the other profile, when there is one
};

struct Resolution {
    std::optional<std::string> profileId;  ///< none for kiosk events and messages that name nobody
    bool tombstoned = false;               ///< it names an erased person: keep the fact, not the person
    std::int64_t merges = 0;               ///< profiles merged into the winner
    /// Ties refused: a public source's (an identifier held by another profile, a member id, two memberships or
    /// two profiles with verified identifiers, a per-profile limit) and any source's tie of two profiles an admin
    /// separated. Recorded, never merged.
    std::vector<IdentityConflict> conflicts;
};

/// Events about the kiosk or about someone else (a staff lookup) never touch a shopper's profile.
bool carriesShopperIdentity(const IngestMessage& m);

/// Adds what the loser profile holds to the winner's: balances add up, the newer NPS answer and check-in win.
/// Visit days are not added (two profiles can have checked in on the same day): count them after the move.
void mergeProfileRows(ProfileRow& winner, const ProfileRow& loser);

class JourneyRules {
public:
    explicit JourneyRules(LoyaltyConfig config) : m_config(std::move(config)) {}

    /// (kind, value) pairs a message names, normalised (E.164 phones, lower-cased e-mails). Pure and costly
    /// (libphonenumber): each request's own thread runs it before it joins a write group.
    Identifiers messageIdentifiers(const IngestMessage& m) const;

    /// Finds or creates the message's profile; merges the profiles its identifiers belong to.
    StoreResult<Resolution> resolveProfile(JourneyRepository& repo, const IngestMessage& m,
                                           const Identifiers& named) const;

    /// Applies one stored message to its profile (none: its facts are recorded without one): feedback,
    /// sign-ins and check-ins, membership, stage and stage transition.
    StoreResult<void> apply(JourneyRepository& repo, const IngestMessage& m, const std::optional<std::string>& profile,
                            bool tombstoned) const;

private:
    /// resolveProfile for a public source (a web or app write key): it speaks only for its own user and
    /// anonymous ids; identifiers it names are attached to that profile only when nobody holds them.
    StoreResult<Resolution> resolvePublic(JourneyRepository& repo, const IngestMessage& m, Identifiers own,
                                          const Identifiers& claimed) const;
    /// The profile a message joins: a new one when none holds its ids, the one that does, or the merge of
    /// several — except that a public source never joins two memberships, a profile holding a phone or e-mail
    /// into a membership, or two profiles holding verified identifiers (the first is kept, a conflict).
    StoreResult<std::string> joinProfiles(JourneyRepository& repo, const IngestMessage& m,
                                          std::vector<std::string> profiles, Resolution& out, bool publicSource) const;
    StoreResult<std::string> merge(JourneyRepository& repo, const IngestMessage& m, std::vector<std::string> profileIds,
                                   std::int64_t& merges) const;
    StoreResult<void> becomeMember(JourneyRepository& repo, ProfileRow& row) const;
    /// Records a check-in; true when it earned points.
    StoreResult<bool> checkin(JourneyRepository& repo, ProfileRow& row, const IngestMessage& m) const;
    /// Whether a capture time is inside the earning window around when the hub received it.
    bool inEarnWindow(std::int64_t atMs, std::int64_t receivedMs) const;
    /// Whether a member's check-in at `atMs` earns, judged against the earning check-ins around it.
    StoreResult<bool> earns(JourneyRepository& repo, const std::string& profileId, std::int64_t atMs) const;

    LoyaltyConfig m_config;
};

}  // namespace touchpoint::hub
