#pragma once
// Loyalty and journey rules as pure functions over a profile's facts (docs/JOURNEY_RULES.md explains them),
// so the store applies them the same way on SQLite and PostgreSQL and tests can check them directly.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "hub/config/hub_config.hpp"

namespace touchpoint::hub {

inline constexpr std::string_view kStages[] = {"awareness", "consideration", "purchase", "retention", "advocacy"};

/// What the stage rules look at; kept as columns on the profile row.
struct ProfileFacts {
    bool isMember = false;
    std::int64_t visitDays = 0;    ///< distinct UTC days with a loyalty check-in
    std::optional<std::int64_t> latestNps;
    std::int64_t referrals = 0;
    std::int64_t orders = 0;
    std::int64_t considered = 0;   ///< product views, searches, cart events, feedback, kiosk sign-ins
    bool operator==(const ProfileFacts&) const = default;
};

std::string deriveStage(const ProfileFacts& facts);

/// Segment event names that count as consideration, purchase or referral.
bool isConsiderationEvent(std::string_view event);
bool isPurchaseEvent(std::string_view event);
bool isReferralEvent(std::string_view event);

struct TierStatus {
    std::string tier;
    std::optional<std::string> nextTier;
    std::int64_t pointsToNextTier = 0;
    double progress = 1.0;  ///< 0..1 from the current tier's threshold to the next one
};
TierStatus tierFor(const LoyaltyConfig& config, std::int64_t points);

/// At most one next step for the shopper, by rule: a reward they can redeem, else closeness to the next tier,
/// else a nudge to give feedback when none was given, else nothing.
std::optional<nlohmann::json> nextStep(const LoyaltyConfig& config, std::int64_t points,
                                       std::optional<std::int64_t> latestNps);

/// True when a check-in at `atMs` earns points given the nearest earning check-in of the same member:
/// no earning check-in may lie within the cooldown of its capture time, on either side (offline check-ins
/// arrive late and are judged by when they happened, not when they arrived).
bool earnsPoints(std::int64_t atMs, std::optional<std::int64_t> nearestEarningMs, std::int64_t cooldownSeconds);

}  // namespace touchpoint::hub
