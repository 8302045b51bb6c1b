#include "profile.hpp"

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "welcome_store.hpp"

namespace touchpoint::kiosk {

WelcomeInfo startingWelcome(const NewMemberStart& start) {
    WelcomeInfo w;
    w.found = true;
    w.tier = start.startingTier;
    w.points = start.pointsPerVisit;
    w.pointsPerCheckin = start.pointsPerVisit;
    if (!start.nextTier.empty() && start.nextTierPoints > start.pointsPerVisit) {
        w.nextTier = start.nextTier;
        w.pointsToNextTier = start.nextTierPoints - start.pointsPerVisit;
        w.progress = static_cast<double>(start.pointsPerVisit) / static_cast<double>(start.nextTierPoints);
    }
    if (!start.nextReward.empty()) w.rewards.push_back(Reward{"next", start.nextReward, start.nextRewardPoints});
    return w;
}

Result<WelcomeInfo, std::string> parseWelcome(const std::string& body) {
    const auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return Fail(std::string("welcome: body is not a JSON object"));
    const auto found = j.find("found");
    if (found == j.end() || !found->is_boolean()) return Fail(std::string("welcome: \"found\" missing"));
    WelcomeInfo w;
    w.found = found->get<bool>();
    if (!w.found) return w;
    try {
        w.firstInitial = j.value("firstInitial", "");
        w.tier = j.value("tier", "");
        w.points = j.value("points", std::int64_t{0});
        w.nextTier = j.value("nextTier", "");
        w.pointsToNextTier = j.value("pointsToNextTier", std::int64_t{0});
        w.progress = j.value("progress", 0.0);
        if (w.progress < 0.0) w.progress = 0.0;
        if (w.progress > 1.0) w.progress = 1.0;
        w.cooldownSeconds = j.value("cooldownSeconds", std::int64_t{0});
        w.pointsPerCheckin = j.value("pointsPerCheckin", std::int64_t{0});
        if (const auto r = j.find("rewards"); r != j.end() && r->is_array()) {
            for (const auto& jr : *r) {
                w.rewards.push_back({jr.value("id", ""), jr.value("name", ""), jr.value("points", std::int64_t{0})});
            }
        }
        if (const auto last = j.find("lastCheckinAt"); last != j.end() && last->is_string()) {
            std::int64_t ms = 0;
            if (!parseIsoUtcMs(last->get<std::string>(), ms)) {
                return Fail(std::string("welcome: \"lastCheckinAt\" is not an ISO time"));
            }
            w.lastCheckinMs = ms;
        }
        if (const auto n = j.find("nextStep"); n != j.end() && n->is_object()) {
            w.nextStepKind = n->value("kind", "");
            w.nextStepText = n->value("text", "");
        }
    } catch (const nlohmann::json::exception& e) {
        // value() throws on a wrong type ("points": "many"); that is bad input, not a crash.
        return Fail(std::string("welcome: wrong field type: ") + e.what());
    }
    return w;
}

void WelcomeCache::put(const std::string& identityHash, const WelcomeInfo& info) {
    remember(identityHash, info);
    if (m_store != nullptr) {
        // A disk error costs only the offline balance after a restart: log it and carry on.
        if (auto r = m_store->put(identityHash, info); !r) {
            log::warn("kiosk", "welcome cache not saved", {{"error", r.error()}});
        }
    }
}

void WelcomeCache::remember(const std::string& identityHash, const WelcomeInfo& info) {
    if (m_capacity == 0) return;
    if (const auto it = m_map.find(identityHash); it != m_map.end()) {
        m_order.erase(it->second.second);
        m_map.erase(it);
    }
    m_order.push_front(identityHash);
    m_map.emplace(identityHash, std::make_pair(info, m_order.begin()));
    while (m_map.size() > m_capacity) {
        m_map.erase(m_order.back());
        m_order.pop_back();
    }
}

std::optional<WelcomeInfo> WelcomeCache::get(const std::string& identityHash) {
    const auto it = m_map.find(identityHash);
    if (it == m_map.end()) {
        if (m_store == nullptr) return std::nullopt;
        auto stored = m_store->get(identityHash);
        if (!stored) {
            log::warn("kiosk", "welcome cache not read", {{"error", stored.error()}});
            return std::nullopt;
        }
        if (*stored) remember(identityHash, **stored);
        return *stored;
    }
    m_order.erase(it->second.second);
    m_order.push_front(identityHash);
    it->second.second = m_order.begin();
    return it->second.first;
}

}  // namespace touchpoint::kiosk
