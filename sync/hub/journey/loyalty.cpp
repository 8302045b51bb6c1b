#include "hub/journey/loyalty.hpp"

#include <array>
#include <cstdlib>

namespace touchpoint::hub {

std::string deriveStage(const ProfileFacts& f) {
    if ((f.latestNps && *f.latestNps >= 9) || f.referrals > 0) return "advocacy";
    if (f.isMember && f.visitDays >= 2) return "retention";
    if (f.orders > 1) return "retention";
    if (f.isMember || f.orders > 0) return "purchase";
    if (f.considered > 0) return "consideration";
    return "awareness";
}

bool isConsiderationEvent(std::string_view e) {
    static constexpr std::array<std::string_view, 10> kNames{
        "Product Viewed", "Product List Viewed", "Products Searched", "Product Added", "Cart Viewed",
        "Checkout Started", "Product Clicked", "Loyalty Signed In", "Feedback Submitted", "Product Added to Wishlist"};
    for (auto n : kNames) {
        if (n == e) return true;
    }
    return false;
}

bool isPurchaseEvent(std::string_view e) { return e == "Order Completed"; }

bool isReferralEvent(std::string_view e) { return e == "Referral Sent" || e == "Product Shared"; }

TierStatus tierFor(const LoyaltyConfig& config, std::int64_t points) {
    TierStatus s;
    if (config.tiers.empty()) return s;
    std::size_t current = 0;
    for (std::size_t i = 0; i < config.tiers.size(); ++i) {
        if (points >= config.tiers[i].points) current = i;
    }
    s.tier = config.tiers[current].name;
    if (current + 1 < config.tiers.size()) {
        const auto& next = config.tiers[current + 1];
        const auto base = config.tiers[current].points;
        s.nextTier = next.name;
        s.pointsToNextTier = next.points - points;
        s.progress = static_cast<double>(points - base) / static_cast<double>(next.points - base);
    }
    return s;
}

std::optional<nlohmann::json> nextStep(const LoyaltyConfig& config, std::int64_t points,
                                       std::optional<std::int64_t> latestNps) {
    const Reward* best = nullptr;
    for (const auto& r : config.rewards) {
        if (points >= r.points && (!best || r.points > best->points)) best = &r;
    }
    if (best) {
        return nlohmann::json{{"kind", "reward_available"}, {"rewardId", best->id},
                              {"text", "You can redeem: " + best->name}};
    }
    const auto tier = tierFor(config, points);
    if (tier.nextTier && config.pointsPerCheckin > 0 &&
        tier.pointsToNextTier <= 3 * config.pointsPerCheckin) {
        return nlohmann::json{{"kind", "tier_close"},
                              {"text", std::to_string(tier.pointsToNextTier) + " points to " + *tier.nextTier}};
    }
    if (!latestNps) return nlohmann::json{{"kind", "give_feedback"}, {"text", "Tell us how we did today"}};
    return std::nullopt;
}

bool earnsPoints(std::int64_t atMs, std::optional<std::int64_t> nearestEarningMs, std::int64_t cooldownSeconds) {
    if (!nearestEarningMs) return true;
    return std::llabs(atMs - *nearestEarningMs) >= cooldownSeconds * 1000;
}

}  // namespace touchpoint::hub
