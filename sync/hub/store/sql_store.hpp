#pragma once
// SqlHubStore: HubStore written once over SqlConnection. Internal to the hub library.

#include <memory>
#include <optional>

#include "hub/cases/feedback_rules.hpp"
#include "hub/store/answer_windows.hpp"
#include "hub/store/hub_store.hpp"
#include "hub/journey/journey_rules.hpp"
#include "hub/privacy/data_key.hpp"
#include "hub/privacy/field_cipher.hpp"
#include "hub/store/sql_store_cases.hpp"
#include "hub/store/sql_fleet_config_store.hpp"
#include "hub/store/connection_pool.hpp"
#include "hub/store/pg_statistics_keeper.hpp"
#include "hub/store/write_strategy.hpp"

namespace touchpoint::hub {

/// Removes what could identify a person from a stored payload: identifier and contact fields, names,
/// comments, user and anonymous ids, context traits and IP (a tombstoned identity's late event; an erasure).
void stripPersonalFields(nlohmann::json& payload);

class SqlHubStore final : public HubStore {
public:
    /// Reads use `pool`; writes go through `writes` (SQLite's single writer with group commit), or through
    /// pooled transactions side by side when it is null (PostgreSQL). `clock` stamps tokens, audit entries,
    /// erasures and imports; it outlives the store. `keys` key the tags of erased and looked-up identifiers and
    /// seal personal fields at rest (privacy/field_cipher.hpp).
    SqlHubStore(std::unique_ptr<ConnectionPool> pool, std::unique_ptr<WriteStrategy> writes, HubConfig config,
                const Clock& clock, privacy::DataKeys keys);

    StoreResult<void> migrate();

    StoreResult<std::vector<ReceiptStatus>> ingest(const std::vector<const IngestMessage*>& messages,
                                                   IngestStats& stats) override;
    StoreResult<std::optional<ProfileView>> findProfile(const std::string& kind, const std::string& value) override;
    StoreResult<void> audit(const TokenRecord& token, const std::string& route, const std::string& identifierType,
                            const std::string& profileId, bool found, const std::string& detail = {}) override;
    StoreResult<std::vector<AuditEntry>> recentAudit(std::size_t limit, const std::string& route) override;
    StoreResult<bool> eraseProfile(const std::string& profileId, const TokenRecord& by) override;
    StoreResult<std::vector<MergeRecord>> merges(const std::string& profileId, std::size_t limit) override;
    StoreResult<UndoMergeOutcome> undoMerge(std::int64_t seq, const std::string& byToken) override;
    StoreResult<std::vector<ConflictRecord>> identityConflicts(std::size_t limit) override;
    StoreResult<std::optional<Timeline>> timeline(const std::string& profileId, std::size_t limit) override;
    StoreResult<void> importMember(const MemberImport& member) override;
    StoreResult<void> addToken(const std::string& hash, const TokenRecord& token) override;
    StoreResult<bool> bindToken(const std::string& name, const std::string& storeId, const std::string& kioskId) override;
    StoreResult<bool> revokeToken(const std::string& name) override;
    StoreResult<bool> setTokenRole(const std::string& name, const std::string& role) override;
    StoreResult<void> addSession(const std::string& key, const std::string& tokenHash, std::int64_t nowMs,
                                 std::size_t maxSessions) override;
    StoreResult<bool> touchSession(const std::string& key, std::int64_t nowMs, std::int64_t idleMs,
                                   std::int64_t lifeMs) override;
    StoreResult<void> removeSession(const std::string& key) override;
    StoreResult<std::optional<std::string>> sessionTokenHash(const std::string& key) override;
    StoreResult<std::int64_t> countSessions(std::int64_t nowMs, std::int64_t idleMs, std::int64_t lifeMs) override;
    StoreResult<int> takeRateToken(const std::string& key, double perSecond, double burst,
                                   std::int64_t nowMs) override;
    StoreResult<std::vector<TokenRecord>> listTokens() override;
    StoreResult<std::optional<TokenRecord>> findToken(const std::string& hash) override;
    StoreResult<StatsData> statsData(const std::string& fromDay, const std::string& toDay,
                                     const std::string& store, const SurveyFilter& survey) override;
    StoreResult<std::vector<ExportRow>> exportPage(ExportKind kind, const std::string& fromDay,
                                                        const std::string& toDay, const std::string& store,
                                                        std::string& cursor, std::size_t limit) override;
    StoreResult<std::vector<KioskRecord>> fleet() override;
    StoreResult<std::int64_t> countEvents() override;
    StoreResult<void> probeWrite() override;
    std::optional<WriterTime> writerTime() const override { return m_writes->writerTime(); }
    StoreResult<void> backupTo(const std::string& file) override;
    StoreResult<void> recordSources(const std::vector<SourceDelta>& deltas, std::int64_t nowMs) override;
    StoreResult<std::vector<SourceRecord>> sources(std::int64_t sinceMs) override;
    StoreResult<RetentionReport> applyRetention(const RetentionConfig& policy, std::int64_t nowMs) override;
    StoreResult<DataKeyStatus> dataKeyStatus() override;
    StoreResult<KeyRotationResult> rotateDataKey(const KeyRotationOptions& options,
                                                 const KeyRotationProgress& progress) override;
    CaseStore& cases() override { return m_cases; }
    FleetConfigStore& fleetConfig() override { return m_fleetConfig; }

    /// PostgreSQL: keeps the planner's table statistics current while tables grow (pg_statistics_keeper.hpp).
    void keepStatistics(std::unique_ptr<PostgresStatisticsKeeper> keeper) { m_statistics = std::move(keeper); }
    bool keepsStatistics() const { return m_statistics != nullptr; }

private:
    ConnectionPool::Lease acquire() { return m_pool->acquire(); }

    /// Runs `work` in a write transaction (see WriteStrategy::write); durable on return.
    template <class T, class F>
    StoreResult<T> write(F&& work);

    /// One ingest transaction for the messages of one or several requests.
    StoreResult<std::vector<ReceiptStatus>> ingestTransaction(SqlConnection& c,
                                                              const std::vector<const IngestMessage*>& messages,
                                                              const std::vector<const PreparedMessage*>& prepared,
                                                              IngestStats& stats);

    /// One audit row (HubStore::audit), inside the caller's transaction.
    StoreResult<void> insertAudit(SqlConnection& c, const TokenRecord& token, const std::string& route,
                                  const std::string& identifierType, const std::string& profileId, bool found,
                                  const std::string& detail = {});
    /// Erasure of one profile inside its transaction (sql_store_erase.cpp): false when there is no such profile.
    StoreResult<bool> erasePersonalData(SqlConnection& c, const std::string& profileId);
    /// A `Staff Lookup` event's payload without the looked-up identifier, which is kept only as a keyed tag
    /// in staff_lookups (sql_store_erase.cpp), so that an erasure can find and remove it.
    StoreResult<std::string> storeStaffLookup(SqlConnection& c, const IngestMessage& m);
    /// A message whose phone or e-mail the rules did not tie to its profile (a public source's refused claim)
    /// still carries them in its payload: their keyed tags go to identifier_mentions, so that erasing the
    /// person they belong to finds the message (sql_store_erase.cpp).
    StoreResult<void> recordUnlinkedMentions(SqlConnection& c, const IngestMessage& m, const Identifiers& ids);
    /// Removes properties.comment from the stored (sealed) payload of message `messageId` (retention).
    StoreResult<void> stripStoredComment(SqlConnection& c, const std::string& messageId);
    /// dataKeyStatus's counts, on a connection whose transaction holds one snapshot.
    StoreResult<DataKeyStatus> countKeyUse(SqlConnection& c);

    std::unique_ptr<ConnectionPool> m_pool;
    std::unique_ptr<WriteStrategy> m_writes;  ///< uses m_pool (PostgreSQL): declared after it
    HubConfig m_config;
    JourneyRules m_rules;
    AnswerWindows m_answerWindows;  ///< the stores' recent answers, for the alert rules
    FeedbackRules m_feedbackRules;
    const Clock& m_clock;
    privacy::DataKeys m_keys;
    privacy::FieldCipher m_cipher;  ///< seals and opens personal fields under m_keys
    SqlCaseStore m_cases;  ///< on m_pool, m_writes and m_cipher
    SqlFleetConfigStore m_fleetConfig;  ///< on m_pool and m_writes
    std::unique_ptr<PostgresStatisticsKeeper> m_statistics;  ///< its own connection; stopped first
};

template <class T, class F>
StoreResult<T> SqlHubStore::write(F&& work) {
    std::optional<T> out;
    auto r = m_writes->write([&](SqlConnection& c) -> StoreResult<void> {
        auto v = work(c);
        if (!v) return Fail(v.error());
        out = std::move(v).value();
        return {};
    });
    if (!r) return Fail(r.error());
    return std::move(*out);
}

}  // namespace touchpoint::hub
