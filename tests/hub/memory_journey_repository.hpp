#pragma once
// An in-memory JourneyRepository: the journey rules run on it without SQL. Every fact row is kept so tests can
// read what the rules recorded.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "hub/journey/journey_repository.hpp"

namespace touchpoint::hub::test {

struct StoredCheckin {
    std::string messageId, profileId;
    std::int64_t atMs = 0;
    bool awarded = false;
    std::int64_t points = 0;
    std::string reason;
};

struct StoredFeedback {
    std::string messageId;
    std::optional<std::string> profileId;
    std::optional<std::int64_t> nps;
    std::optional<std::string> comment;
    std::vector<std::string> reasons;
};

struct StoredSignin {
    std::string messageId;
    std::optional<std::string> profileId;
    bool newMember = false;
    bool awarded = false;
};

struct StoredTransition {
    std::string profileId, from, to, channel;
};

class MemoryJourneyRepository : public JourneyRepository {
public:
    std::set<Identifier> tombstones;
    std::map<Identifier, std::string> identifiers;
    std::set<Identifier> verified;  ///< identifiers a kiosk proved (kept by the identifier, whoever holds it)
    std::map<std::string, ProfileRow> profiles;
    std::vector<std::pair<std::string, std::string>> merges;        ///< (winner, loser) in the order recorded
    std::set<std::pair<std::string, std::string>> undoneMerges;     ///< pairs an admin separated
    std::vector<StoredCheckin> checkins;
    std::vector<StoredFeedback> feedback;
    std::vector<StoredSignin> signins;
    std::vector<StoredTransition> transitions;
    std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::int64_t>> channels;

    StoreResult<bool> isTombstoned(const Identifier& id) override { return tombstones.count(id) > 0; }

    StoreResult<std::optional<std::string>> findProfileId(const Identifier& id) override {
        auto it = identifiers.find(id);
        if (it == identifiers.end()) return std::optional<std::string>{};
        return std::optional<std::string>(it->second);
    }

    StoreResult<std::vector<std::string>> userOrAnonKinds(const std::string& value) override {
        std::vector<std::string> kinds;
        for (const char* kind : {"anon", "user"}) {
            if (identifiers.count({kind, value})) kinds.emplace_back(kind);
        }
        return kinds;
    }

    StoreResult<void> addIdentifier(const Identifier& id, const std::string& profileId, bool verify) override {
        auto [it, fresh] = identifiers.emplace(id, profileId);
        if (!fresh && it->second != profileId) return Fail(StoreError{"identifier claimed concurrently", true});
        if (verify) verified.insert(id);
        return {};
    }

    StoreResult<void> markVerified(const Identifier& id) override {
        if (identifiers.count(id)) verified.insert(id);
        return {};
    }

    StoreResult<bool> holdsVerifiedIdentifier(const std::string& profileId) override {
        for (const auto& id : verified) {
            auto it = identifiers.find(id);
            if (it != identifiers.end() && it->second == profileId) return true;
        }
        return false;
    }

    StoreResult<std::int64_t> countIdentifiers(const std::string& profileId, const std::string& kind) override {
        std::int64_t n = 0;
        for (const auto& [id, owner] : identifiers) n += owner == profileId && id.first == kind;
        return n;
    }

    StoreResult<std::optional<std::string>> memberIdentifier(const std::string& profileId) override {
        for (const auto& [id, owner] : identifiers) {
            if (owner == profileId && id.first == "member") return std::optional<std::string>(id.second);
        }
        return std::optional<std::string>{};
    }

    StoreResult<ProfileRow*> createProfile(const std::string& id, std::int64_t createdMs) override {
        ProfileRow row;
        row.id = id;
        row.createdMs = createdMs;
        row.stage = "awareness";
        return &profiles.insert_or_assign(id, row).first->second;
    }

    StoreResult<ProfileRow*> profile(const std::string& id) override {
        auto it = profiles.find(id);
        if (it == profiles.end()) return Fail(StoreError{"profile vanished", true});
        return &it->second;
    }

    void markChanged(const std::string&) override {}

    void seenOnChannel(const std::string& profileId, std::string_view channel, std::int64_t atMs) override {
        auto [it, fresh] = channels.try_emplace({profileId, std::string(channel)}, atMs, atMs);
        it->second.first = std::min(it->second.first, atMs);
        it->second.second = std::max(it->second.second, atMs);
    }

    StoreResult<void> flush() override { return {}; }

    StoreResult<void> recordMerge(const MergeFact& merge) override {
        const std::string winnerId = merge.winnerBefore->id, loserId = merge.loserBefore->id;
        merges.push_back({winnerId, loserId});
        for (auto it = channels.lower_bound({loserId, std::string()});
             it != channels.end() && it->first.first == loserId;) {
            auto [kept, fresh] = channels.try_emplace({winnerId, it->first.second}, it->second);
            kept->second.first = std::min(kept->second.first, it->second.first);
            kept->second.second = std::max(kept->second.second, it->second.second);
            it = channels.erase(it);
        }
        for (auto& [id, owner] : identifiers) {
            if (owner == loserId) owner = winnerId;
        }
        for (auto& c : checkins) {
            if (c.profileId == loserId) c.profileId = winnerId;
        }
        for (auto& f : feedback) {
            if (f.profileId == loserId) f.profileId = winnerId;
        }
        for (auto& s : signins) {
            if (s.profileId == loserId) s.profileId = winnerId;
        }
        for (auto& t : transitions) {
            if (t.profileId == loserId) t.profileId = winnerId;
        }
        profiles.erase(loserId);
        return {};
    }

    StoreResult<bool> mergeUndone(const std::string& a, const std::string& b) override {
        return undoneMerges.count({a, b}) + undoneMerges.count({b, a}) > 0;
    }

    StoreResult<std::optional<std::int64_t>> earningCheckinBetween(const std::string& profileId, std::int64_t fromMs,
                                                                  std::int64_t toMs) override {
        for (const auto& c : checkins) {
            if (c.profileId == profileId && c.awarded && c.atMs > fromMs && c.atMs < toMs) {
                return std::optional<std::int64_t>(c.atMs);
            }
        }
        return std::optional<std::int64_t>{};
    }

    StoreResult<std::int64_t> countCheckins(const std::string& profileId, std::int64_t fromMs,
                                            std::int64_t toMs) override {
        std::int64_t n = 0;
        for (const auto& c : checkins) {
            n += c.profileId == profileId && c.reason != kOutOfWindow && c.atMs >= fromMs && c.atMs < toMs;
        }
        return n;
    }

    StoreResult<std::int64_t> countCheckinDays(const std::string& profileId) override {
        std::set<std::int64_t> days;
        for (const auto& c : checkins) {
            if (c.profileId == profileId && c.reason != kOutOfWindow) days.insert(c.atMs / 86'400'000);
        }
        return static_cast<std::int64_t>(days.size());
    }

    StoreResult<void> insertCheckin(const CheckinFact& k) override {
        checkins.push_back({std::string(k.messageId), k.profileId, k.atMs, k.awarded, k.points, k.reason});
        return {};
    }

    StoreResult<std::vector<PendingCheckin>> pendingCheckins(const std::string& profileId) override {
        std::vector<PendingCheckin> out;
        for (const auto& c : checkins) {
            if (c.profileId == profileId && c.reason == "not_member") out.push_back({c.messageId, c.atMs});
        }
        std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.atMs < b.atMs; });
        return out;
    }

    StoreResult<void> settleCheckin(const CheckinFact& k) override {
        for (auto& c : checkins) {
            if (c.messageId == k.messageId) {
                c.awarded = k.awarded;
                c.points = k.points;
                c.reason = k.reason;
            }
        }
        return {};
    }

    StoreResult<void> insertFeedback(const FeedbackFact& f) override {
        feedback.push_back({std::string(f.messageId), f.profileId, f.nps, f.comment, f.reasons});
        return {};
    }

    StoreResult<void> insertSignin(const SigninFact& s) override {
        signins.push_back({std::string(s.messageId), s.profileId, s.newMember, s.awarded});
        return {};
    }

    StoreResult<void> insertTransition(const TransitionFact& t) override {
        transitions.push_back({t.profileId, t.from, t.to, std::string(t.channel)});
        return {};
    }
};

}  // namespace touchpoint::hub::test
