#include "staff/loyalty_status.hpp"

#include <algorithm>

#include "common/clock.hpp"

namespace touchpoint::kiosk::staff {

namespace {

// Small typed readers: an absent or null field keeps the default, a present field of the wrong type fails.
bool readString(const nlohmann::json& j, const char* key, std::string& out, std::string& error) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return true;
    if (!it->is_string()) {
        error = std::string(key) + ": not a string";
        return false;
    }
    out = it->get<std::string>();
    return true;
}

bool readInt(const nlohmann::json& j, const char* key, std::int64_t& out, std::string& error) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return true;
    if (!it->is_number()) {
        error = std::string(key) + ": not a number";
        return false;
    }
    out = it->is_number_integer() ? it->get<std::int64_t>() : static_cast<std::int64_t>(it->get<double>());
    return true;
}

bool readTime(const nlohmann::json& value, std::int64_t& out) {
    if (value.is_number_integer()) {
        out = value.get<std::int64_t>();
        return true;
    }
    return value.is_string() && parseIsoUtcMs(value.get<std::string>(), out);
}

Result<LoyaltyStatus, std::string> parse(const nlohmann::json& body) {
    if (!body.is_object()) return Fail(std::string("body is not a JSON object"));
    LoyaltyStatus s;
    std::string error;
    if (!readString(body, "firstInitial", s.firstInitial, error) || !readString(body, "tier", s.tier, error) ||
        !readInt(body, "points", s.points, error) || !readString(body, "nextTier", s.nextTier, error) ||
        !readInt(body, "pointsToNextTier", s.pointsToNextTier, error) ||
        !readString(body, "journeyStage", s.journeyStage, error)) {
        return Fail(error);
    }
    // Only the initial, whatever the hub sent: the screen must never show a full name.
    if (s.firstInitial.size() > 4) s.firstInitial.resize(4);
    if (const auto it = body.find("progress"); it != body.end() && !it->is_null()) {
        if (!it->is_number()) return Fail(std::string("progress: not a number"));
        s.progress = std::clamp(it->get<double>(), 0.0, 1.0);
    }
    if (const auto it = body.find("rewards"); it != body.end() && !it->is_null()) {
        if (!it->is_array()) return Fail(std::string("rewards: not an array"));
        for (const auto& r : *it) {
            if (!r.is_object()) return Fail(std::string("rewards: entry is not an object"));
            Reward reward;
            if (!readString(r, "id", reward.id, error) || !readString(r, "name", reward.name, error) ||
                !readInt(r, "points", reward.points, error)) {
                return Fail("rewards." + error);
            }
            s.rewards.push_back(std::move(reward));
        }
    }
    if (const auto it = body.find("lastVisits"); it != body.end() && !it->is_null()) {
        if (!it->is_object()) return Fail(std::string("lastVisits: not an object"));
        for (const auto& [channel, at] : it->items()) {
            if (at.is_null()) continue;
            std::int64_t ms = 0;
            if (!readTime(at, ms)) return Fail("lastVisits." + channel + ": not a time");
            s.lastVisitsUtcMs[channel] = ms;
        }
    }
    if (const auto it = body.find("latestNps"); it != body.end() && !it->is_null()) {
        if (!it->is_object()) return Fail(std::string("latestNps: not an object"));
        if (const auto score = it->find("score"); score != it->end() && !score->is_null()) {
            if (!score->is_number_integer()) return Fail(std::string("latestNps.score: not an integer"));
            s.latestNps = score->get<int>();
        }
        if (const auto at = it->find("at"); at != it->end() && !at->is_null()) {
            std::int64_t ms = 0;
            if (!readTime(*at, ms)) return Fail(std::string("latestNps.at: not a time"));
            s.latestNpsAtUtcMs = ms;
        }
    }
    return s;
}

}  // namespace

Result<LoyaltyStatus, std::string> parseLookupBody(const nlohmann::json& body) { return parse(body); }

nlohmann::json toCacheJson(const LoyaltyStatus& s) {
    nlohmann::json j{{"firstInitial", s.firstInitial},   {"tier", s.tier},
                     {"points", s.points},               {"nextTier", s.nextTier},
                     {"pointsToNextTier", s.pointsToNextTier}, {"progress", s.progress},
                     {"journeyStage", s.journeyStage}};
    j["rewards"] = nlohmann::json::array();
    for (const auto& r : s.rewards) j["rewards"].push_back({{"id", r.id}, {"name", r.name}, {"points", r.points}});
    j["lastVisits"] = nlohmann::json::object();
    for (const auto& [channel, ms] : s.lastVisitsUtcMs) j["lastVisits"][channel] = ms;
    if (s.latestNps || s.latestNpsAtUtcMs) {
        j["latestNps"] = nlohmann::json::object();
        if (s.latestNps) j["latestNps"]["score"] = *s.latestNps;
        if (s.latestNpsAtUtcMs) j["latestNps"]["at"] = *s.latestNpsAtUtcMs;
    }
    return j;
}

Result<LoyaltyStatus, std::string> fromCacheJson(const nlohmann::json& json) { return parse(json); }

}  // namespace touchpoint::kiosk::staff
