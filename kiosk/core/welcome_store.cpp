#include "welcome_store.hpp"

#include <nlohmann/json.hpp>


namespace touchpoint::kiosk {

namespace {

/// The fields the offline welcome shows, and nothing that identifies or addresses the person.
nlohmann::json toStoredJson(const WelcomeInfo& w) {
    return {{"tier", w.tier},
            {"points", w.points},
            {"nextTier", w.nextTier},
            {"pointsToNextTier", w.pointsToNextTier},
            {"progress", w.progress}};
}

Result<WelcomeInfo, std::string> fromStoredJson(const nlohmann::json& j) {
    if (!j.is_object()) return Fail(std::string("not a JSON object"));
    WelcomeInfo w;
    try {
        w.found = true;
        w.tier = j.value("tier", "");
        w.points = j.value("points", std::int64_t{0});
        w.nextTier = j.value("nextTier", "");
        w.pointsToNextTier = j.value("pointsToNextTier", std::int64_t{0});
        w.progress = j.value("progress", 0.0);
    } catch (const nlohmann::json::exception& e) {
        return Fail(std::string("wrong field type: ") + e.what());
    }
    return w;
}

}  // namespace

Result<std::unique_ptr<WelcomeStore>, std::string> WelcomeStore::open(const WelcomeStoreOptions& options,
                                                                      const Clock& clock) {
    auto cache = HashKeyedCache::open({options, "welcome", "kiosk", {}}, clock);
    if (!cache) return Fail(cache.error());
    return std::unique_ptr<WelcomeStore>(new WelcomeStore(std::move(*cache)));
}

Result<void, std::string> WelcomeStore::put(const std::string& identityHash, const WelcomeInfo& info) {
    return m_cache->put(identityHash, toStoredJson(info));
}

Result<std::optional<WelcomeInfo>, std::string> WelcomeStore::get(const std::string& identityHash) {
    auto entry = m_cache->get(identityHash);
    if (!entry) return Fail(entry.error());
    if (!*entry) return std::optional<WelcomeInfo>{};
    auto info = fromStoredJson((*entry)->value);
    if (!info) return Fail("cached welcome unreadable: " + info.error());
    return std::optional<WelcomeInfo>(std::move(*info));
}

Result<std::int64_t, std::string> WelcomeStore::size() { return m_cache->size(); }

}  // namespace touchpoint::kiosk
