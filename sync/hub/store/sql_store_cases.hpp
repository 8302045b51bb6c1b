#pragma once
// SqlCaseStore: CaseStore over the hub store's connection pool and write strategy. Internal to the hub
// library.

#include "hub/privacy/field_cipher.hpp"
#include "hub/store/case_store.hpp"
#include "hub/store/connection_pool.hpp"
#include "hub/store/write_strategy.hpp"

namespace touchpoint::hub {

class SqlCaseStore final : public CaseStore {
  public:
    /// All three outlive it (SqlHubStore owns them); `cipher` seals notes and opens comments and contacts.
    SqlCaseStore(ConnectionPool& pool, WriteStrategy& writes, const privacy::FieldCipher& cipher)
        : m_pool(pool), m_writes(writes), m_cipher(cipher) {}

    StoreResult<std::vector<CaseSummary>> listCases(const CaseFilter& filter) override;
    StoreResult<std::optional<CaseDetail>> viewCase(const std::string& id, const std::string& viewer,
                                                    const std::string& detail, std::int64_t nowMs) override;
    StoreResult<CaseChange> addNote(const std::string& id, const std::string& tokenName,
                                    const std::string& text, std::int64_t nowMs) override;
    StoreResult<CaseChange> changeStatus(const std::string& id, const std::string& tokenName,
                                         const StatusChange& change, std::int64_t nowMs) override;
    StoreResult<std::vector<CaseTimings>> caseTimings(std::int64_t fromMs, std::int64_t toMs,
                                                      const std::string& store) override;
    StoreResult<std::vector<AlertView>> listAlerts(const std::string& store, std::int64_t sinceMs,
                                                   std::size_t limit) override;
    StoreResult<std::int64_t> eraseExpiredContacts(std::int64_t nowMs, std::int64_t retentionMs) override;
    StoreResult<std::vector<QueuedNotification>> claimNotifications(std::int64_t nowMs, std::int64_t leaseMs,
                                                                    const std::string& claim,
                                                                    std::size_t limit) override;
    StoreResult<bool> finishNotification(std::int64_t seq, const std::string& claim,
                                         const DeliveryOutcome& outcome, std::int64_t nowMs) override;
    StoreResult<std::int64_t> replayDeadNotifications(std::int64_t nowMs) override;
    StoreResult<std::map<std::string, std::int64_t>> notificationStates() override;

  private:
    template <class T, class F>
    StoreResult<T> write(F&& work);

    ConnectionPool& m_pool;
    WriteStrategy& m_writes;
    const privacy::FieldCipher& m_cipher;
};

}  // namespace touchpoint::hub
