#pragma once
// How the store's write transactions reach the database and the disk. SQLite has one writer: one connection,
// group commit, commits written with synchronous=NORMAL and made durable by the group's leader before any
// receipt, a checkpointer thread (sqlite_write_strategy.hpp). PostgreSQL runs pooled transactions side by side
// and retries on conflict (pooledWrites). The store's SQL is the same for both. Internal to the hub library.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hub/ingest/batch_parser.hpp"
#include "hub/journey/journey_repository.hpp"
#include "hub/store/connection_pool.hpp"
#include "hub/store/hub_store.hpp"

namespace touchpoint::hub {

/// What the store works out for a message before its transaction, on the request's own thread rather than in
/// the writers' critical section: the identifiers the journey rules read, and the message sealed as it is
/// stored. `sealedPayload` is empty when only the transaction can tell what to store (a contact consent or a
/// staff lookup keeps less than arrived); a message from an erased person is sealed again without its
/// personal fields in the transaction, which is the first to know.
struct PreparedMessage {
    Identifiers identifiers;
    /// identifiers[i]'s keyed tags under every data key, current first (DataKeys::identifierTags): what the
    /// transaction looks them up and stores them by, made here so the one writer computes none of them.
    std::vector<std::vector<std::string>> identifierTags;
    std::string sealedPayload;
};

class WriteStrategy {
public:
    /// The body of one transaction; an error rolls it back (and a retryable one runs it again).
    using Work = std::function<StoreResult<void>(SqlConnection&)>;
    /// The body of an ingest transaction over the messages of one or several requests, each with what was
    /// prepared for it.
    using IngestWork = std::function<StoreResult<std::vector<ReceiptStatus>>(
        SqlConnection&, const std::vector<const IngestMessage*>&, const std::vector<const PreparedMessage*>&)>;

    virtual ~WriteStrategy() = default;

    /// Runs `work` in a transaction, again when another writer conflicted (busy, deadlock, a race on a unique
    /// key). Durable on return.
    virtual StoreResult<void> write(const Work& work) = 0;
    /// Stores one request's messages (`prepared`: one per message) with `work`, possibly in one transaction
    /// with other requests' messages. One status per message, in order; durable on return.
    virtual StoreResult<std::vector<ReceiptStatus>> ingest(const std::vector<const IngestMessage*>& messages,
                                                           const std::vector<PreparedMessage>& prepared,
                                                           const IngestWork& work) = 0;
    /// After an erasure: leaves no copy of what was written before in the database's own log. SQLite copies the
    /// write-ahead log into the database and truncates it to nothing; PostgreSQL has nothing to do here (its
    /// WAL and dead row versions are the server's: docs/OPERATIONS.md, VACUUM).
    virtual StoreResult<void> truncateLog() { return {}; }
    /// SQLite: the writer's time in its transactions so far (hub_store.hpp, WriterTime). PostgreSQL runs
    /// transactions side by side: none.
    virtual std::optional<WriterTime> writerTime() const { return std::nullopt; }

protected:
    /// Calls `attempt` until it succeeds, fails for good, or has conflicted too often; backs off a little longer
    /// each time so two hubs that keep colliding drift apart.
    static StoreResult<void> retrying(const std::function<StoreResult<void>()>& attempt);
    /// BEGIN, `work`, COMMIT on `conn`; rolled back on failure.
    static StoreResult<void> transactOnce(SqlConnection& conn, const Work& work);
};

/// PostgreSQL: each transaction on a connection borrowed from `pool` (which outlives the strategy).
std::unique_ptr<WriteStrategy> pooledWrites(ConnectionPool& pool);

}  // namespace touchpoint::hub
