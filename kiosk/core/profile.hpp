#pragma once
// What the welcome screen shows after a sign-in: the hub's answer to GET /v1/profiles/welcome
// (docs/PROTOCOL.md), the interface the controller asks it through, and a small cache keyed by the
// identity's keyed hash so an offline kiosk can still show what it last knew. The cache never holds a phone
// number or email; with a WelcomeStore it also keeps the non-personal part on disk across restarts.

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "core/reward.hpp"
#include "event/kiosk_events.hpp"

namespace touchpoint::kiosk {

struct WelcomeInfo {
    bool found = false;
    std::string firstInitial;
    std::string tier;
    std::int64_t points = 0;
    std::string nextTier;
    std::int64_t pointsToNextTier = 0;
    double progress = 0.0;  ///< 0..1 toward the next tier
    std::vector<Reward> rewards;
    std::optional<std::int64_t> lastCheckinMs;
    std::int64_t cooldownSeconds = 0;
    std::int64_t pointsPerCheckin = 0;
    std::string nextStepKind;
    std::string nextStepText;  ///< written by the hub, shown as is
};

/// What a new member starts with, from the kiosk's config ([loyalty]): shown at once, before the hub has had
/// the sign-up.
struct NewMemberStart {
    std::int64_t pointsPerVisit = 10;
    std::string startingTier = "Bronze";
    std::string nextTier = "Silver";
    std::int64_t nextTierPoints = 200;
    std::string nextReward = "Free coffee";  ///< empty: none
    std::int64_t nextRewardPoints = 300;
};

/// The new member's welcome as the kiosk can tell it alone: this visit's points (pending sync), the starting
/// tier and progress to the next, and the next reward. Marked found so it draws like the hub's answer.
WelcomeInfo startingWelcome(const NewMemberStart& start);

/// Parses the hub's welcome JSON; an error names the field.
Result<WelcomeInfo, std::string> parseWelcome(const std::string& body);

/// Asks the hub about a signed-in shopper. Implementations answer on their own thread (never the UI's)
/// within their timeout and call `done` exactly once, from that thread.
class ProfileClient {
public:
    virtual ~ProfileClient() = default;
    using Done = std::function<void(Result<WelcomeInfo, std::string>)>;
    virtual void requestWelcome(const event::Identity& identity, Done done) = 0;
};

class WelcomeStore;

/// The last welcome answers, by identity hash, least recently used dropped first.
class WelcomeCache {
public:
    explicit WelcomeCache(std::size_t capacity = 512) : m_capacity(capacity) {}
    /// Also writes every answer to `store` (borrowed; null: memory only) and reads it on a memory miss.
    void persistTo(WelcomeStore* store) { m_store = store; }
    void put(const std::string& identityHash, const WelcomeInfo& info);
    std::optional<WelcomeInfo> get(const std::string& identityHash);
    std::size_t size() const { return m_map.size(); }

private:
    void remember(const std::string& identityHash, const WelcomeInfo& info);

    std::size_t m_capacity;
    WelcomeStore* m_store = nullptr;
    std::list<std::string> m_order;  // most recent first
    std::map<std::string, std::pair<WelcomeInfo, std::list<std::string>::iterator>> m_map;
};

}  // namespace touchpoint::kiosk
