#pragma once
// PostgreSQL plans the hub's batched lookups (identifiers by keyed tag, events by message id, profiles by id)
// from each table's statistics. A table that grows from empty faster than autovacuum looks at it (every
// autovacuum_naptime, a minute by default) is planned as if it were still small: a lookup of 100 or more tags
// then reads every identifier of that kind instead of probing the index for each, and ingest slows as the
// table grows (measured: 3,590 events/s for a 100,000-event bench on a fresh database, 8,753 once the
// statistics kept up). The keeper runs ANALYZE itself on a table of the hub's schema once a fifth of it has
// changed since its last analysis (at least 1,000 rows), looking every `interval` on a connection of its own.
// With several hubs on one database, one pass runs at a time (an advisory lock); the others skip theirs.
// Internal to the hub library.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub {

class PostgresStatisticsKeeper {
public:
    static constexpr std::int64_t kMinChangedRows = 1000;

    /// Starts the keeper's thread on `connection` (a PostgreSQL connection only it uses).
    static std::unique_ptr<PostgresStatisticsKeeper> start(std::unique_ptr<SqlConnection> connection,
                                                            std::chrono::milliseconds interval);
    ~PostgresStatisticsKeeper();
    PostgresStatisticsKeeper(const PostgresStatisticsKeeper&) = delete;
    PostgresStatisticsKeeper& operator=(const PostgresStatisticsKeeper&) = delete;

    /// Tables analysed so far by this keeper (for tests and metrics).
    std::int64_t analyses() const;
    /// One pass now, on the caller's thread: the number of tables analysed (tests).
    StoreResult<std::int64_t> runPass();

private:
    PostgresStatisticsKeeper(std::unique_ptr<SqlConnection> connection, std::chrono::milliseconds interval);
    void loop();

    std::unique_ptr<SqlConnection> m_connection;
    std::chrono::milliseconds m_interval;
    mutable std::mutex m_mutex;  // guards m_stop, m_analyses and the connection
    std::condition_variable m_wake;
    bool m_stop = false;
    std::int64_t m_analyses = 0;
    std::thread m_thread;
};

}  // namespace touchpoint::hub
