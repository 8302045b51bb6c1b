#include "hub/fleet/config_cache.hpp"

namespace touchpoint::hub::fleet {

ConfigCache::ConfigCache(LoadAssignments loadAssignments, LoadBody loadBody, const Clock& clock,
                         std::int64_t maxAgeMs)
    : m_loadAssignments(std::move(loadAssignments)),
      m_loadBody(std::move(loadBody)),
      m_clock(clock),
      m_maxAgeMs(maxAgeMs) {}

Result<std::shared_ptr<const AssignmentSet>, std::string> ConfigCache::assignments() {
    std::shared_ptr<const AssignmentSet> current;
    {
        std::lock_guard lock(m_mutex);
        current = m_set;
        if (current && !m_stale && m_clock.monotonicMs() - m_loadedAtMs < m_maxAgeMs) return current;
    }
    // A copy exists: one request reloads while the others answer from it. None yet: everyone waits for it.
    std::unique_lock load(m_loadMutex, std::defer_lock);
    if (current) {
        if (!load.try_lock()) return current;
    } else {
        load.lock();
    }
    {
        // Someone else may have reloaded while this request waited.
        std::lock_guard lock(m_mutex);
        if (m_set && !m_stale && m_clock.monotonicMs() - m_loadedAtMs < m_maxAgeMs) return m_set;
    }
    std::int64_t startedMs = 0, generation = 0;
    {
        std::lock_guard lock(m_mutex);
        startedMs = m_clock.monotonicMs();
        generation = m_generation;
    }
    auto loaded = m_loadAssignments();
    std::lock_guard lock(m_mutex);
    ++m_loads;
    if (!loaded) {
        if (m_set) return m_set;
        return Fail(loaded.error());
    }
    m_set = std::make_shared<const AssignmentSet>(std::move(loaded).value());
    m_loadedAtMs = startedMs;
    // A change made while this read ran may be missing from it: then the next request reads again.
    m_stale = generation != m_generation;
    return m_set;
}

Result<std::optional<std::string>, std::string> ConfigCache::body(std::int64_t documentId) {
    {
        std::lock_guard lock(m_mutex);
        if (auto it = m_bodies.find(documentId); it != m_bodies.end())
            return std::optional<std::string>(*it->second);
    }
    auto loaded = m_loadBody(documentId);
    if (!loaded) return Fail(loaded.error());
    if (!*loaded) return std::optional<std::string>();
    std::lock_guard lock(m_mutex);
    // Newest documents are the ones polled: past the bound, the oldest id goes.
    if (m_bodies.size() >= kMaxBodies && !m_bodies.empty()) m_bodies.erase(m_bodies.begin());
    m_bodies[documentId] = std::make_shared<const std::string>(**loaded);
    return loaded;
}

void ConfigCache::invalidate() {
    std::lock_guard lock(m_mutex);
    m_stale = true;
    ++m_generation;
}

std::int64_t ConfigCache::loads() const {
    std::lock_guard lock(m_mutex);
    return m_loads;
}

}  // namespace touchpoint::hub::fleet
