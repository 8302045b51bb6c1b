#pragma once
// A shopper's loyalty status as the hub's GET /v1/profiles/lookup returns it (docs/PROTOCOL.md), reduced to
// what the staff screen shows. It holds no phone, email or member number, so it may be cached on disk.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "core/reward.hpp"

namespace touchpoint::kiosk::staff {

struct LoyaltyStatus {
    std::string firstInitial;
    std::string tier;
    std::int64_t points = 0;
    std::string nextTier;
    std::int64_t pointsToNextTier = 0;
    double progress = 0.0;                              ///< 0..1 towards nextTier
    std::vector<Reward> rewards;
    std::map<std::string, std::int64_t> lastVisitsUtcMs; ///< by channel: in_store_kiosk, web, app
    std::optional<int> latestNps;
    std::optional<std::int64_t> latestNpsAtUtcMs;
    std::string journeyStage;
};

/// Parses the lookup body. Fields the hub may omit are left empty; a wrong type is an error naming the field.
/// Personal fields the hub might add (profileId and the like) are not copied.
Result<LoyaltyStatus, std::string> parseLookupBody(const nlohmann::json& body);

/// The cache form (and the inverse); round-trips every field.
nlohmann::json toCacheJson(const LoyaltyStatus& status);
Result<LoyaltyStatus, std::string> fromCacheJson(const nlohmann::json& json);

}  // namespace touchpoint::kiosk::staff
