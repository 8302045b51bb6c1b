#pragma once
// SqlFleetConfigStore: FleetConfigStore over the hub store's connection pool and write strategy. Internal to
// the hub library.

#include "hub/store/connection_pool.hpp"
#include "hub/store/fleet_config_store.hpp"
#include "hub/store/write_strategy.hpp"

namespace touchpoint::hub {

class SqlFleetConfigStore final : public FleetConfigStore {
  public:
    /// Both outlive it (SqlHubStore owns all three).
    SqlFleetConfigStore(ConnectionPool& pool, WriteStrategy& writes) : m_pool(pool), m_writes(writes) {}

    StoreResult<ConfigDocumentRecord> publish(
        const std::string& name, const std::string& surveyId, const std::string& createdBy,
        std::int64_t nowMs, const std::function<PreparedRevision(const PublishFacts&)>& prepare,
        const std::optional<NewAssignment>& assign) override;
    StoreResult<std::vector<ConfigDocumentRecord>> documents(const std::string& name) override;
    StoreResult<std::optional<ConfigDocumentRecord>> document(std::int64_t id) override;
    StoreResult<std::optional<std::int64_t>> assign(std::int64_t documentId, const NewAssignment& assignment,
                                                    const std::string& createdBy,
                                                    std::int64_t nowMs) override;
    StoreResult<fleet::AssignmentSet> assignments() override;
    StoreResult<void> setRegion(const std::string& storeId, const std::string& region) override;

  private:
    ConnectionPool& m_pool;
    WriteStrategy& m_writes;
};

}  // namespace touchpoint::hub
