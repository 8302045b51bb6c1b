#include "hub/journey/journey_rules.hpp"

#include <algorithm>
#include <cctype>

#include "common/text.hpp"
#include "common/uuid.hpp"
#include "content/survey.hpp"
#include "event/message.hpp"
#include "hub/ingest/identity.hpp"
#include "hub/ingest/json_props.hpp"
#include "hub/journey/survey_version.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

constexpr std::int64_t kDayMs = 86'400'000;
static_assert(kMaxSurveyVersion == content::kMaxSurveyVersion, "answers carry the versions surveys are published with");

/// Midnight UTC of the day `ms` falls on.
std::int64_t dayStartMs(std::int64_t ms) { return ms - (((ms % kDayMs) + kDayMs) % kDayMs); }

/// Scores outside the scale are stored as none rather than rejected: the rest of the answer still counts.
std::optional<std::int64_t> score(const json& answers, const char* key, int lo, int hi) {
    auto v = intProp(answers, key);
    if (!v || *v < lo || *v > hi) return std::nullopt;
    return v;
}

/// A member number for people who joined with a phone or e-mail: "TP" + 10 digits of a fresh uuid.
std::string newMemberNumber() {
    std::string digits;
    for (char ch : newUuidV4()) {
        if (std::isxdigit(static_cast<unsigned char>(ch))) digits += static_cast<char>('0' + (ch % 10));
        if (digits.size() == 10) break;
    }
    return "TP" + digits;
}

void noteEarned(ProfileRow& row, std::int64_t atMs, std::int64_t points) {
    row.points += points;
    if (!row.lastCheckinMs || atMs > *row.lastCheckinMs) row.lastCheckinMs = atMs;
}

/// The distinct profiles holding `ids`, in the order named; known[i] says whether ids[i] had one.
StoreResult<std::vector<std::string>> profilesOf(JourneyRepository& repo, const Identifiers& ids,
                                                 std::vector<bool>& known) {
    std::vector<std::string> profiles;
    known.assign(ids.size(), false);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        auto pid = repo.findProfileId(ids[i]);
        if (!pid) return Fail(pid.error());
        if (!*pid) continue;
        known[i] = true;
        if (std::find(profiles.begin(), profiles.end(), **pid) == profiles.end()) profiles.push_back(std::move(**pid));
    }
    return profiles;
}

/// The kinds of identifier a kiosk proves: a phone number or an e-mail address the shopper signed in or
/// consented with at the kiosk. A member number belongs to a membership, which protects it already.
bool verifiableKind(const std::string& kind) { return kind == "phone" || kind == "email"; }

/// Whether a message proves the phone and e-mail it names: a kiosk token's sign-in or consent, sent for the
/// shopper standing at the kiosk.
bool provesContacts(const IngestMessage& m) {
    return m.sourceKind == "kiosk" && (m.event == event::names::kSignin || m.event == event::names::kConsent);
}

/// Attaches the identifiers that had no profile to `profileId`. Repeated identifiers within one message are
/// harmless: the second finds the profile already holds it. With `proved`, every phone and e-mail named is
/// verified, those attached now and those some profile held already.
StoreResult<void> attachUnknown(JourneyRepository& repo, const Identifiers& ids, const std::vector<bool>& known,
                                const std::string& profileId, bool proved) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
        const bool verify = proved && verifiableKind(ids[i].first);
        if (known[i]) {
            if (!verify) continue;
            if (auto r = repo.markVerified(ids[i]); !r) return Fail(r.error());
            continue;
        }
        if (auto r = repo.addIdentifier(ids[i], profileId, verify); !r) return Fail(r.error());
    }
    return {};
}

/// Whether a profile holds a phone number or an e-mail address.
StoreResult<bool> holdsContact(JourneyRepository& repo, const std::string& profileId) {
    for (const char* kind : {"phone", "email"}) {
        auto n = repo.countIdentifiers(profileId, kind);
        if (!n) return Fail(n.error());
        if (*n > 0) return true;
    }
    return false;
}

}  // namespace

bool carriesShopperIdentity(const IngestMessage& m) {
    return m.event != event::names::kHeartbeat && m.event != event::names::kStaffLookup;
}

void mergeProfileRows(ProfileRow& w, const ProfileRow& l) {
    w.points += l.points;
    w.facts.isMember = w.facts.isMember || l.facts.isMember;
    if (w.memberId.empty()) w.memberId = l.memberId;
    if (w.firstInitial.empty()) w.firstInitial = l.firstInitial;
    if (l.latestNpsAtMs && (!w.latestNpsAtMs || *l.latestNpsAtMs > *w.latestNpsAtMs)) {
        w.latestNps = l.latestNps;
        w.latestNpsAtMs = l.latestNpsAtMs;
        w.facts.latestNps = l.latestNps;
    }
    if (l.lastCheckinMs && (!w.lastCheckinMs || *l.lastCheckinMs > *w.lastCheckinMs)) w.lastCheckinMs = l.lastCheckinMs;
    w.velocityFlag = w.velocityFlag || l.velocityFlag;
    w.facts.referrals += l.facts.referrals;
    w.facts.orders += l.facts.orders;
    w.facts.considered += l.facts.considered;
}

Identifiers JourneyRules::messageIdentifiers(const IngestMessage& m) const {
    Identifiers ids;
    if (!m.userId.empty()) ids.emplace_back("user", m.userId);
    if (!m.anonymousId.empty()) ids.emplace_back("anon", m.anonymousId);
    // A contact given for one feedback answer (typed on the keypad, possibly someone else's number) is for that
    // case only: it joins no profile. The session's anonymousId and a member's id still place the message.
    const bool contactOnly = m.event == event::names::kConsent &&
                             hasPurpose(m.properties, event::names::kPurposeFeedbackContact);
    for (const json* bag : {&m.properties, &m.traits}) {
        // Each identifier by the rule the kiosk applies (event/identifier.hpp); one that fails it is not an
        // identity, though the message is still stored, as a phone the hub cannot read.
        if (auto member = strProp(*bag, "memberId")) {
            if (auto code = normalizeMemberCode(*member)) ids.emplace_back("member", *code);
        }
        if (contactOnly) continue;
        if (auto phone = strProp(*bag, "phone")) {
            if (auto e164 = normalizePhone(*phone, m_config.defaultPhoneRegion)) ids.emplace_back("phone", *e164);
        }
        if (auto email = strProp(*bag, "email")) {
            if (auto norm = normalizeEmail(*email)) ids.emplace_back("email", *norm);
        }
    }
    return ids;
}

StoreResult<Resolution> JourneyRules::resolveProfile(JourneyRepository& repo, const IngestMessage& m,
                                                     const Identifiers& named) const {
    Resolution out;
    if (!carriesShopperIdentity(m)) return out;
    Identifiers ids = named;
    if (m.type == "alias" && !m.previousId.empty()) {
        // previousId is an earlier userId or an anonymousId; join whichever the graph knows.
        auto kinds = repo.userOrAnonKinds(m.previousId);
        if (!kinds) return Fail(kinds.error());
        if (kinds->empty()) ids.emplace_back("anon", m.previousId);
        for (auto& kind : *kinds) ids.emplace_back(std::move(kind), m.previousId);
    }
    if (ids.empty()) return out;
    for (const auto& id : ids) {
        auto t = repo.isTombstoned(id);
        if (!t) return Fail(t.error());
        if (*t) {
            out.tombstoned = true;
            return out;
        }
    }
    if (m.sourceKind == "web" || m.sourceKind == "app") {
        Identifiers own, claimed;
        for (auto& id : ids) (id.first == "user" || id.first == "anon" ? own : claimed).push_back(std::move(id));
        return resolvePublic(repo, m, std::move(own), claimed);
    }
    std::vector<bool> known;
    auto found = profilesOf(repo, ids, known);
    if (!found) return Fail(found.error());
    std::vector<std::string> profiles = std::move(found).value();
    auto joined = joinProfiles(repo, m, std::move(profiles), out, /*publicSource=*/false);
    if (!joined) return Fail(joined.error());
    const std::string winner = std::move(joined).value();
    if (auto r = attachUnknown(repo, ids, known, winner, provesContacts(m)); !r) return Fail(r.error());
    out.profileId = std::move(winner);
    return out;
}

StoreResult<Resolution> JourneyRules::resolvePublic(JourneyRepository& repo, const IngestMessage& m, Identifiers own,
                                                    const Identifiers& claimed) const {
    Resolution out;
    // Its own ids' profiles, in the order named (the userId's first).
    std::vector<bool> known;
    auto found = profilesOf(repo, own, known);
    if (!found) return Fail(found.error());
    std::vector<std::string> profiles = std::move(found).value();
    if (profiles.empty() && own.empty()) {
        // It names nobody it may speak for: the facts are kept without a profile.
        if (!claimed.empty()) out.conflicts.push_back({claimed.front().first, "names_nobody", std::nullopt});
        return out;
    }
    auto joined = joinProfiles(repo, m, std::move(profiles), out, /*publicSource=*/true);
    if (!joined) return Fail(joined.error());
    const std::string winner = std::move(joined).value();
    if (auto r = attachUnknown(repo, own, known, winner, /*proved=*/false); !r) return Fail(r.error());
    // A member's userId is the number on the card, which is no secret: a public source that names it may add
    // its visitor's web or app journey to the membership, but no phone or e-mail, or a kiosk sign-in by that
    // phone would reach the member's points.
    auto winnerRow = repo.profile(winner);
    if (!winnerRow) return Fail(winnerRow.error());
    const bool membership = (*winnerRow)->facts.isMember;
    for (const auto& id : claimed) {
        auto owner = repo.findProfileId(id);
        if (!owner) return Fail(owner.error());
        if (*owner && **owner == winner) continue;
        // Held by someone else, or a member number (proved at a kiosk or imported, never asserted by a page).
        if (*owner) {
            out.conflicts.push_back({id.first, "held_by_another_profile", **owner});
            continue;
        }
        if (id.first == "member") {
            out.conflicts.push_back({id.first, "member_id_from_public_source", std::nullopt});
            continue;
        }
        if (membership) {
            out.conflicts.push_back({id.first, "contact_into_membership", std::nullopt});
            continue;
        }
        const std::int64_t limit = id.first == "email"   ? m_config.maxEmailsPerProfile
                                   : id.first == "phone" ? m_config.maxPhonesPerProfile
                                                         : 0;
        auto held = repo.countIdentifiers(winner, id.first);
        if (!held) return Fail(held.error());
        if (*held >= limit) {
            out.conflicts.push_back({id.first, "limit_reached", std::nullopt});
            continue;
        }
        if (auto r = repo.addIdentifier(id, winner, /*verified=*/false); !r) return Fail(r.error());
    }
    out.profileId = std::move(winner);
    return out;
}

StoreResult<std::string> JourneyRules::joinProfiles(JourneyRepository& repo, const IngestMessage& m,
                                                    std::vector<std::string> profiles, Resolution& out,
                                                    bool publicSource) const {
    if (profiles.empty()) {
        auto fresh = repo.createProfile(newUuidV7(m.receivedMs), m.correctedMs);
        if (!fresh) return Fail(fresh.error());
        return (*fresh)->id;
    }
    if (profiles.size() == 1) return profiles.front();
    if (publicSource) {
        std::vector<std::string> members;
        for (const auto& id : profiles) {
            auto p = repo.profile(id);
            if (!p) return Fail(p.error());
            if ((*p)->facts.isMember) members.push_back(id);
        }
        if (members.size() >= 2) {
            // Two memberships are never joined on a public source's word.
            out.conflicts.push_back({"", "two_memberships", members[1]});
            return profiles.front();
        }
        if (members.size() == 1) {
            // Nor is a profile holding a phone or e-mail merged into a membership: an alias from the visitor's
            // own userId to a member's card number would bring them along. Nothing is merged then.
            bool refused = false;
            for (const auto& id : profiles) {
                if (id == members.front()) continue;
                auto contacts = holdsContact(repo, id);
                if (!contacts) return Fail(contacts.error());
                if (*contacts) {
                    out.conflicts.push_back({"", "contact_into_membership", id});
                    refused = true;
                }
            }
            if (refused) return profiles.front();
        }
        if (members.empty()) {
            // Nor two profiles that each hold a phone or e-mail a kiosk proved: a non-member's sign-in at a kiosk
            // is theirs as much as a membership is (an id a page can name would otherwise join another's).
            std::vector<std::string> verified;
            for (const auto& id : profiles) {
                auto v = repo.holdsVerifiedIdentifier(id);
                if (!v) return Fail(v.error());
                if (*v) verified.push_back(id);
            }
            if (verified.size() >= 2) {
                out.conflicts.push_back(
                    {"", "two_verified_profiles", verified[0] == profiles.front() ? verified[1] : verified[0]});
                return profiles.front();
            }
        }
    }
    for (std::size_t i = 0; i < profiles.size(); ++i) {
        for (std::size_t j = i + 1; j < profiles.size(); ++j) {
            auto undone = repo.mergeUndone(profiles[i], profiles[j]);
            if (!undone) return Fail(undone.error());
            if (*undone) {
                // An admin separated these two: no message joins them again.
                out.conflicts.push_back({"", "merge_undone", profiles[i] == profiles.front() ? profiles[j] : profiles[i]});
                return profiles.front();
            }
        }
    }
    return merge(repo, m, std::move(profiles), out.merges);
}

StoreResult<std::string> JourneyRules::merge(JourneyRepository& repo, const IngestMessage& m,
                                             std::vector<std::string> profileIds, std::int64_t& merges) const {
    // One event ties identifiers of several profiles: they are one person. The member (else the oldest)
    // profile survives; rows are read in id order so two hubs merging the same pair cannot deadlock.
    std::sort(profileIds.begin(), profileIds.end());
    std::vector<ProfileRow*> rows;
    for (const auto& id : profileIds) {
        auto p = repo.profile(id);
        if (!p) return Fail(p.error());
        rows.push_back(*p);
    }
    std::size_t best = 0;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const auto& a = *rows[i];
        const auto& cur = *rows[best];
        if ((a.facts.isMember && !cur.facts.isMember) ||
            (a.facts.isMember == cur.facts.isMember && a.createdMs < cur.createdMs)) {
            best = i;
        }
    }
    ProfileRow& w = *rows[best];
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (i == best) continue;
        const ProfileRow winnerBefore = w;
        const ProfileRow loserBefore = *rows[i];  // the row goes with the merge
        mergeProfileRows(w, loserBefore);
        if (auto r = repo.recordMerge({m.messageId, m.sourceName, m.receivedMs, &winnerBefore, &loserBefore}); !r) {
            return Fail(r.error());
        }
        ++merges;
        auto days = repo.countCheckinDays(w.id);
        if (!days) return Fail(days.error());
        w.facts.visitDays = *days;
    }
    repo.markChanged(w.id);
    return w.id;
}

StoreResult<bool> JourneyRules::earns(JourneyRepository& repo, const std::string& profileId, std::int64_t atMs) const {
    const auto cd = m_config.cooldownSeconds * 1000;
    auto near = repo.earningCheckinBetween(profileId, atMs - cd, atMs + cd);
    if (!near) return Fail(near.error());
    return earnsPoints(atMs, *near, m_config.cooldownSeconds);
}

StoreResult<void> JourneyRules::becomeMember(JourneyRepository& repo, ProfileRow& row) const {
    if (row.facts.isMember) return {};
    row.facts.isMember = true;
    if (row.memberId.empty()) {
        auto existing = repo.memberIdentifier(row.id);
        if (!existing) return Fail(existing.error());
        if (*existing) {
            row.memberId = **existing;
        } else {
            row.memberId = newMemberNumber();
            if (auto r = repo.addIdentifier({"member", row.memberId}, row.id, /*verified=*/false); !r) {
                return Fail(r.error());
            }
        }
    }
    // Check-ins made before the membership was recorded (the consent event can arrive after the sign-in)
    // are judged now, in capture order, by the same cooldown rule.
    auto pending = repo.pendingCheckins(row.id);
    if (!pending) return Fail(pending.error());
    for (const auto& p : *pending) {
        auto e = earns(repo, row.id, p.atMs);
        if (!e) return Fail(e.error());
        const std::int64_t pts = *e ? m_config.pointsPerCheckin : 0;
        if (auto r = repo.settleCheckin({p.messageId, row.id, p.atMs, *e, pts, *e ? "" : "cooldown"}); !r) {
            return Fail(r.error());
        }
        if (*e) noteEarned(row, p.atMs, pts);
    }
    return {};
}

bool JourneyRules::inEarnWindow(std::int64_t atMs, std::int64_t receivedMs) const {
    // Capture and receive times are parsed RFC 3339 years 0000..9999 (|ms| < 4e14): no overflow here.
    const std::int64_t oldest = receivedMs - m_config.earnWindowDays * kDayMs;
    const std::int64_t newest = receivedMs + m_config.earnFutureSeconds * 1000;
    return atMs >= oldest && atMs <= newest;
}

StoreResult<bool> JourneyRules::checkin(JourneyRepository& repo, ProfileRow& row, const IngestMessage& m) const {
    const auto at = m.correctedMs;
    if (!inEarnWindow(at, m.receivedMs)) {
        // Kept as a fact, flagged; it earns nothing, and as a non-earning check-in it moves no cooldown. Nor
        // does it count as a visit day or towards the velocity flag: its time cannot be trusted.
        if (auto r = repo.insertCheckin({m.messageId, row.id, at, false, 0, std::string(kOutOfWindow)}); !r) return Fail(r.error());
        return false;
    }
    bool earned = false;
    std::string reason = "not_member";
    if (row.facts.isMember) {
        auto e = earns(repo, row.id, at);
        if (!e) return Fail(e.error());
        earned = *e;
        reason = earned ? "" : "cooldown";
    }
    const std::int64_t pts = earned ? m_config.pointsPerCheckin : 0;
    if (auto r = repo.insertCheckin({m.messageId, row.id, at, earned, pts, reason}); !r) return Fail(r.error());
    if (earned) noteEarned(row, at, pts);
    // Check-ins on this one day (this one included): the first of a day is a new visit day, and too many
    // in a day raise the velocity flag. Counting one day keeps this cheap for a regular's long history.
    auto onThatDay = repo.countCheckins(row.id, dayStartMs(at), dayStartMs(at) + kDayMs);
    if (!onThatDay) return Fail(onThatDay.error());
    if (*onThatDay == 1) ++row.facts.visitDays;
    if (*onThatDay > m_config.velocityPerDay) row.velocityFlag = true;
    return earned;
}

StoreResult<void> JourneyRules::apply(JourneyRepository& repo, const IngestMessage& m,
                                      const std::optional<std::string>& profile, bool tombstoned) const {
    const bool signin = m.event == event::names::kSignin;
    const bool feedback = m.event == event::names::kFeedback || m.event == event::names::kFeedbackAbandoned;
    ProfileRow* row = nullptr;
    if (profile) {
        auto p = repo.profile(*profile);
        if (!p) return Fail(p.error());
        row = *p;
    }
    const std::optional<ProfileRow> loaded = row ? std::optional<ProfileRow>(*row) : std::nullopt;
    const std::string before = row ? (row->stage.empty() ? "awareness" : row->stage) : "";

    if (feedback) {
        const json emptyAnswers = json::object();
        const auto it = m.properties.find("answers");
        const json& answers = it != m.properties.end() && it->is_object() ? *it : emptyAnswers;
        FeedbackFact f;
        if (auto r = answers.find("reasons"); r != answers.end() && r->is_array()) {
            for (const auto& x : *r) {
                if (x.is_string()) f.reasons.push_back(x.get<std::string>().substr(0, 64));
            }
        }
        const auto surveyId = strProp(m.properties, "surveyId").value_or("");
        const auto abandonReason = strProp(m.properties, "abandonReason").value_or("");
        f.messageId = m.messageId;
        f.storeId = m.storeId;
        f.kioskId = m.kioskId;
        f.surveyId = surveyId;
        f.surveyVersion = answerSurveyVersion(m.properties);
        f.abandonReason = abandonReason;
        f.atMs = m.correctedMs;
        f.profileId = profile;
        f.abandoned = m.event == event::names::kFeedbackAbandoned;
        f.misuse = boolProp(m.properties, "misuse");
        f.nps = score(answers, "nps", 0, 10);
        f.csat = score(answers, "csat", 1, 5);
        f.ces = score(answers, "ces", 1, 7);
        if (!tombstoned) f.comment = strProp(m.properties, "comment");
        if (auto r = repo.insertFeedback(f); !r) return Fail(r.error());
        if (row && f.nps && m.event == event::names::kFeedback &&
            (!row->latestNpsAtMs || m.correctedMs >= *row->latestNpsAtMs)) {
            row->latestNps = f.nps;
            row->latestNpsAtMs = m.correctedMs;
            row->facts.latestNps = f.nps;
        }
    }
    if (signin) {
        const bool newMember = boolProp(m.properties, "newMember");
        if (row && newMember) {
            if (auto r = becomeMember(repo, *row); !r) return Fail(r.error());
        }
        bool awarded = false;
        if (row) {
            auto r = checkin(repo, *row, m);
            if (!r) return Fail(r.error());
            awarded = *r;
        }
        const auto method = strProp(m.properties, "method").value_or("");
        if (auto r = repo.insertSignin({m.messageId, m.storeId, m.kioskId, method, m.correctedMs, profile, newMember,
                                        awarded});
            !r) {
            return Fail(r.error());
        }
    }
    if (!row) return {};

    if (m.event == event::names::kConsent) {
        const auto it = m.properties.find("purposes");
        if (it != m.properties.end() && it->is_array()) {
            for (const auto& p : *it) {
                if (p.is_string() && p.get<std::string>() == "loyalty_terms") {
                    if (auto r = becomeMember(repo, *row); !r) return Fail(r.error());
                }
            }
        }
    }
    if (isConsiderationEvent(m.event)) ++row->facts.considered;
    if (isPurchaseEvent(m.event)) ++row->facts.orders;
    if (isReferralEvent(m.event)) ++row->facts.referrals;
    if (row->firstInitial.empty()) {
        for (const char* key : {"firstName", "name"}) {
            if (auto n = strProp(m.traits, key); n && !n->empty()) {
                row->firstInitial = firstInitial(*n);
                break;
            }
        }
    }
    repo.seenOnChannel(row->id, m.channel, m.correctedMs);

    row->stage = deriveStage(row->facts);
    if (row->stage != before) {
        if (auto t = repo.insertTransition({m.messageId, m.channel, row->id, m.correctedMs, before, row->stage}); !t) {
            return Fail(t.error());
        }
    }
    if (*row != *loaded) repo.markChanged(row->id);  // written once, when the repository is flushed
    return {};
}

}  // namespace touchpoint::hub
