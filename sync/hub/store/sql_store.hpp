#pragma once
// SqlHubStore: HubStore written once over SqlConnection. Internal to the hub library.

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "hub/store/hub_store.hpp"
#include "hub/journey/loyalty.hpp"

namespace touchpoint::hub {

/// A profile row while a message is applied to it (loaded FOR UPDATE on PostgreSQL).
struct ProfileRow {
    std::string id;
    std::int64_t createdMs = 0;
    std::string memberId;
    std::string firstInitial;
    std::string stage;
    std::int64_t points = 0;
    std::optional<std::int64_t> latestNps, latestNpsAtMs, lastCheckinMs;
    bool velocityFlag = false;
    ProfileFacts facts;
    bool operator==(const ProfileRow&) const = default;
};

class SqlHubStore final : public HubStore {
public:
    /// `writer` (SQLite): the one connection every write transaction uses, so its page cache stays warm —
    /// SQLite drops a connection's cache whenever another connection has committed. Without one, writes
    /// borrow from the pool (PostgreSQL, where transactions run side by side).
    /// `walSync` (SQLite, with a writer opened SqliteCommitSync::ByCaller): makes each write durable.
    SqlHubStore(std::vector<std::unique_ptr<SqlConnection>> connections, HubConfig config,
                std::unique_ptr<SqlConnection> writer = nullptr, std::unique_ptr<WalSync> walSync = nullptr,
                std::unique_ptr<WalCheckpointer> checkpointer = nullptr);

    StoreResult<void> migrate();

    StoreResult<std::vector<ReceiptStatus>> ingest(const std::vector<const IngestMessage*>& messages,
                                                   IngestStats& stats) override;
    StoreResult<std::optional<ProfileView>> findProfile(const std::string& kind, const std::string& value) override;
    StoreResult<void> audit(const std::string& tokenName, const std::string& identifierType,
                            const std::string& profileId, bool found) override;
    StoreResult<std::vector<AuditEntry>> recentAudit(std::size_t limit) override;
    StoreResult<bool> eraseProfile(const std::string& profileId) override;
    StoreResult<std::optional<Timeline>> timeline(const std::string& profileId, std::size_t limit) override;
    StoreResult<void> importMember(const MemberImport& member) override;
    StoreResult<void> addToken(const std::string& hash, const std::string& name, const std::string& scope) override;
    StoreResult<bool> revokeToken(const std::string& name) override;
    StoreResult<std::vector<TokenRecord>> listTokens() override;
    StoreResult<std::optional<TokenRecord>> findToken(const std::string& hash) override;
    StoreResult<StatsData> statsData(const std::string& fromDay, const std::string& toDay,
                                     const std::string& store) override;
    StoreResult<std::vector<nlohmann::json>> exportPage(const std::string& kind, const std::string& fromDay,
                                                        const std::string& toDay, const std::string& store,
                                                        std::string& cursor, std::size_t limit) override;
    StoreResult<nlohmann::json> fleet() override;
    StoreResult<std::int64_t> countEvents() override;

private:
    /// Borrows a connection for one operation; returns it on destruction.
    class Lease {
    public:
        Lease(SqlHubStore& store, std::unique_ptr<SqlConnection> c) : m_store(store), m_conn(std::move(c)) {}
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        SqlConnection& operator*() { return *m_conn; }
        SqlConnection* operator->() { return m_conn.get(); }

    private:
        SqlHubStore& m_store;
        std::unique_ptr<SqlConnection> m_conn;
    };
    Lease acquire() { return Lease(*this, takeFree()); }
    std::unique_ptr<SqlConnection> takeFree();

    /// Runs `work` in a transaction, retrying when another writer conflicted (busy, deadlock, race on a
    /// unique key). SQLite writers also queue on a process mutex so they do not spin on SQLITE_BUSY.
    /// The result is durable on return, unless `durable` is false: then the caller must call makeDurable()
    /// before telling anyone (the ingest group flushes the log while the next group is being written).
    template <class T, class F>
    StoreResult<T> write(F&& work, bool durable = true);
    StoreResult<void> makeDurable() { return m_walSync ? m_walSync->flush() : StoreResult<void>{}; }

    /// (kind, value) pairs a message names, normalised (E.164 phones, lower-cased e-mails). Pure: computed
    /// by each request's own thread before it joins a write group, so the single writer does not.
    using Identifiers = std::vector<std::pair<std::string, std::string>>;

    /// One transaction for the messages of one or several requests.
    StoreResult<std::vector<ReceiptStatus>> ingestOnce(const std::vector<const IngestMessage*>& messages,
                                                       const std::vector<const Identifiers*>& identifiers,
                                                       IngestStats& stats, bool durable = true);

    // Group commit (SQLite): requests that arrive while a batch transaction is running are stored together in
    // the next one, so one fsync covers several senders' batches.
    struct GroupJob {
        const std::vector<const IngestMessage*>* messages = nullptr;
        const std::vector<Identifiers>* identifiers = nullptr;  ///< one per message
        bool taken = false;  ///< a leader is storing it
        bool done = false;
        std::optional<StoreResult<std::vector<ReceiptStatus>>> result;
    };
    std::mutex m_groupMutex;
    std::condition_variable m_groupCv;
    std::vector<GroupJob*> m_groupQueue;
    bool m_groupLeaderActive = false;

    /// What one ingest transaction has read and changed so far. A shopper's several events in one batch (a
    /// kiosk session's sign-in, consent and feedback usually travel together) cost one read and one write of
    /// their profile, and each (profile, channel) is upserted once, when the batch is flushed.
    struct BatchState {
        bool hasTombstones = false;
        std::int64_t merges = 0;
        std::unordered_map<std::string, ProfileRow> profiles;
        std::unordered_set<std::string> dirty;  ///< ids in `profiles` changed since they were read
        std::map<std::pair<std::string, std::string>, std::string> identifiers;  ///< (kind, value) → profile id
        std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::int64_t>> channels;  ///< first, last
    };

    // Ingest helpers (sql_store_ingest.cpp, sql_store_journey.cpp); all run inside the batch transaction.
    StoreResult<ProfileRow*> batchProfile(SqlConnection& c, BatchState& b, const std::string& id);
    /// Writes changed profiles and seen channels.
    StoreResult<void> flushBatch(SqlConnection& c, BatchState& b);
    /// (kind, value) pairs a message names, normalised; see Identifiers.
    Identifiers messageIdentifiers(const IngestMessage& m) const;
    StoreResult<std::optional<std::string>> resolveProfile(SqlConnection& c, const IngestMessage& m,
                                                           const Identifiers& known, BatchState& b);
    StoreResult<std::optional<ProfileRow>> loadProfile(SqlConnection& c, const std::string& id);
    StoreResult<void> saveProfile(SqlConnection& c, const ProfileRow& row);
    StoreResult<void> mergeInto(SqlConnection& c, ProfileRow& winner, const std::string& loserId);
    StoreResult<void> becomeMember(SqlConnection& c, ProfileRow& row);
    /// Records a check-in; true when it earned points.
    StoreResult<bool> checkin(SqlConnection& c, ProfileRow& row, const IngestMessage& m);
    StoreResult<void> applyMessage(SqlConnection& c, BatchState& b, const IngestMessage& m,
                                   const std::optional<std::string>& profile,
                                   bool tombstoned);

    std::mutex m_poolMutex;
    std::condition_variable m_poolCv;
    std::vector<std::unique_ptr<SqlConnection>> m_free;
    std::mutex m_writeMutex;
    std::unique_ptr<SqlConnection> m_writer;  ///< guarded by m_writeMutex
    Dialect m_dialect;
    HubConfig m_config;
    std::unique_ptr<WalSync> m_walSync;              ///< SQLite only
    std::unique_ptr<WalCheckpointer> m_checkpointer;  ///< SQLite only
};

template <class T, class F>
StoreResult<T> SqlHubStore::write(F&& work, bool durable) {
    constexpr int kAttempts = 20;
    StoreError last{"no attempt made", false};
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        std::unique_lock<std::mutex> writeLock(m_writeMutex, std::defer_lock);
        std::optional<Lease> lease;
        SqlConnection* conn = nullptr;
        if (m_writer) {
            writeLock.lock();
            conn = m_writer.get();
        } else {
            lease.emplace(*this, takeFree());
            conn = &**lease;
        }
        if (auto b = conn->begin(); !b) {
            last = b.error();
        } else {
            StoreResult<T> r = work(*conn);
            auto c = r ? conn->commit() : StoreResult<void>(Fail(r.error()));
            if (c) {
                if (!durable) return r;
                if (writeLock.owns_lock()) writeLock.unlock();  // the next writer need not wait for the disk
                if (auto d = makeDurable(); !d) return Fail(d.error());
                return r;
            }
            last = c.error();
            conn->rollback();
        }
        if (!last.retryable) return Fail(last);
        if (writeLock.owns_lock()) writeLock.unlock();
        // Back off a little longer each time so two hubs that keep colliding drift apart.
        std::this_thread::sleep_for(std::chrono::milliseconds(2 * (attempt + 1)));
    }
    return Fail(StoreError{"gave up after repeated conflicts: " + last.message, true});
}

}  // namespace touchpoint::hub
