#pragma once
// A hub process's copy of the assignments and regions, so that the kiosks' config poll (GET /v1/kiosk/config,
// every few minutes from every kiosk) costs no database read when nothing changed. The copy is reloaded when
// it is older than `maxAgeMs` (on the next request after that) and at once after a change made through this
// process (invalidate()); a change made through another hub process sharing the database is therefore seen
// within maxAgeMs. Published documents never change, so their bodies are kept by id (a bounded number).
// No SQL here: the loaders are the store's (HubContext wires them).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "hub/fleet/config_rules.hpp"

namespace touchpoint::hub::fleet {

class ConfigCache {
  public:
    using LoadAssignments = std::function<Result<AssignmentSet, std::string>()>;
    /// The stored body of a document; nullopt when there is none with that id.
    using LoadBody = std::function<Result<std::optional<std::string>, std::string>(std::int64_t documentId)>;

    static constexpr std::int64_t kDefaultMaxAgeMs = 5000;
    static constexpr std::size_t kMaxBodies = 64;

    ConfigCache(LoadAssignments loadAssignments, LoadBody loadBody, const Clock& clock,
                std::int64_t maxAgeMs = kDefaultMaxAgeMs);

    /// The assignments as of at most maxAgeMs ago (reloaded first when older). When a reload fails and an
    /// older copy exists, the older copy answers (the poll keeps working through a database outage); an error
    /// only when there has never been a copy.
    Result<std::shared_ptr<const AssignmentSet>, std::string> assignments();
    /// A document's stored body (immutable once published), from memory when it was read before.
    Result<std::optional<std::string>, std::string> body(std::int64_t documentId);
    /// After a publish, an assignment or a region change through this process: the next read reloads.
    void invalidate();
    /// How many times the assignments were read from the store (for tests and the bench).
    std::int64_t loads() const;

  private:
    LoadAssignments m_loadAssignments;
    LoadBody m_loadBody;
    const Clock& m_clock;
    const std::int64_t m_maxAgeMs;

    mutable std::mutex m_mutex;
    std::shared_ptr<const AssignmentSet> m_set;
    std::int64_t m_loadedAtMs = 0;  ///< monotonic
    bool m_stale = true;
    std::int64_t m_generation = 0;  ///< invalidate() calls so far
    std::int64_t m_loads = 0;
    std::map<std::int64_t, std::shared_ptr<const std::string>> m_bodies;
    std::mutex m_loadMutex;  ///< one reload at a time; others keep answering from the old copy meanwhile
};

}  // namespace touchpoint::hub::fleet
