#pragma once
// Published kiosk configuration (docs/OPERATIONS.md "Publishing kiosk configuration"): versioned documents,
// their assignments along the store hierarchy, and the region of each store. Reached through
// HubStore::fleetConfig(); the rules that pick a kiosk's document are in hub/fleet/config_rules.hpp.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hub/fleet/config_rules.hpp"
#include "hub/store_result.hpp"

namespace touchpoint::hub {

/// One published revision. `id` is the global "config version" kiosks report.
struct ConfigDocumentRecord {
    std::int64_t id = 0;
    std::string name;
    std::int64_t revision = 0;  ///< 1, 2, 3 ... per name
    std::string surveyId;
    std::int64_t surveyVersion = 0;
    std::int64_t createdMs = 0;
    std::string createdBy;
    std::string body;  ///< the canonical JSON; empty in lists
};

/// What the store knows when a new revision is published, read inside the publishing transaction.
struct PublishFacts {
    std::optional<std::string> previousBody;  ///< the latest revision of the same name
    std::int64_t highestSurveyVersion = 0;    ///< the highest survey version published for the survey's id
};

/// The body to store and its survey version, made from the facts (fleet::publishedSurveyVersion).
struct PreparedRevision {
    std::string body;
    std::int64_t surveyVersion = 0;
};

struct NewAssignment {
    fleet::Scope scope;
    std::int64_t startsMs = 0;
};

class FleetConfigStore {
  public:
    virtual ~FleetConfigStore() = default;

    /// Stores the next revision of `name` in one transaction: reads the facts, calls `prepare` (again if the
    /// transaction runs again after a conflict), inserts, and assigns it when `assign` is set.
    virtual StoreResult<ConfigDocumentRecord> publish(
        const std::string& name, const std::string& surveyId, const std::string& createdBy,
        std::int64_t nowMs, const std::function<PreparedRevision(const PublishFacts&)>& prepare,
        const std::optional<NewAssignment>& assign) = 0;
    /// Revisions without bodies, newest first; of one name when `name` is not empty.
    virtual StoreResult<std::vector<ConfigDocumentRecord>> documents(const std::string& name) = 0;
    /// One revision with its body.
    virtual StoreResult<std::optional<ConfigDocumentRecord>> document(std::int64_t id) = 0;
    /// Assigns an existing document (also a rollback); its seq, or nullopt when there is no such document.
    virtual StoreResult<std::optional<std::int64_t>> assign(std::int64_t documentId,
                                                            const NewAssignment& assignment,
                                                            const std::string& createdBy,
                                                            std::int64_t nowMs) = 0;
    /// Every assignment (history included) and every store's region: what resolution needs.
    virtual StoreResult<fleet::AssignmentSet> assignments() = 0;
    /// Puts a store in a region; an empty region takes it out of any.
    virtual StoreResult<void> setRegion(const std::string& storeId, const std::string& region) = 0;
};

}  // namespace touchpoint::hub
