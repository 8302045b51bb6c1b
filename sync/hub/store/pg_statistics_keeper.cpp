#include "hub/store/pg_statistics_keeper.hpp"

#include <string>
#include <vector>

#include "common/log.hpp"

namespace touchpoint::hub {

namespace {

constexpr std::int64_t kAdvisoryLock = 4242003;  // 4242001: schema migration

// Tables of the hub's own schema where a fifth of the rows (at least kMinChangedRows) changed since their last
// analysis, by this keeper or by autovacuum. relid::regclass prints the name quoted as ANALYZE needs it.
constexpr const char* kDueTablesSql =
    "SELECT relid::regclass::text FROM pg_stat_user_tables "
    "WHERE schemaname = ANY (current_schemas(false)) AND n_mod_since_analyze >= ? "
    "AND n_mod_since_analyze >= 0.2 * n_live_tup ORDER BY n_mod_since_analyze DESC";

}  // namespace

std::unique_ptr<PostgresStatisticsKeeper> PostgresStatisticsKeeper::start(std::unique_ptr<SqlConnection> connection,
                                                                          std::chrono::milliseconds interval) {
    std::unique_ptr<PostgresStatisticsKeeper> keeper(new PostgresStatisticsKeeper(std::move(connection), interval));
    keeper->m_thread = std::thread([k = keeper.get()] { k->loop(); });
    return keeper;
}

PostgresStatisticsKeeper::PostgresStatisticsKeeper(std::unique_ptr<SqlConnection> connection,
                                                   std::chrono::milliseconds interval)
    : m_connection(std::move(connection)), m_interval(interval) {}

PostgresStatisticsKeeper::~PostgresStatisticsKeeper() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

std::int64_t PostgresStatisticsKeeper::analyses() const {
    std::lock_guard lock(m_mutex);
    return m_analyses;
}

StoreResult<std::int64_t> PostgresStatisticsKeeper::runPass() {
    std::lock_guard lock(m_mutex);
    SqlConnection& c = *m_connection;
    auto locked = c.query("SELECT pg_try_advisory_lock(?)", {kAdvisoryLock});
    if (!locked) return Fail(locked.error());
    if (locked->text(0, 0) != "t" && locked->text(0, 0) != "true" && locked->integer(0, 0) != 1) {
        return std::int64_t{0};  // another hub's keeper is in its pass
    }
    std::int64_t analysed = 0;
    StoreResult<void> failed;
    auto due = c.query(kDueTablesSql, {kMinChangedRows});
    // A sample of 3,000 rows (300 per unit of target) rather than the default 30,000: the lookups these
    // statistics are for need each table's size and its key columns' distinct counts, which a small sample
    // gives, and the full sample cost the server about 9% of its CPU during an ingest. Autovacuum's own
    // analyses still use the server's default.
    if (due && !due->empty()) {
        if (auto r = c.script("SET default_statistics_target = 10"); !r) due = Fail(r.error());
    }
    if (!due) {
        failed = Fail(due.error());
    } else {
        for (std::size_t i = 0; i < due->size(); ++i) {
            const std::string table = due->text(i, 0);
            if (auto r = c.script("ANALYZE " + table); !r) {
                failed = Fail(r.error());
                break;
            }
            ++analysed;
        }
    }
    (void)c.query("SELECT pg_advisory_unlock(?)", {kAdvisoryLock});
    m_analyses += analysed;
    if (!failed) return Fail(failed.error());
    return analysed;
}

void PostgresStatisticsKeeper::loop() {
    bool warned = false;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            if (m_wake.wait_for(lock, m_interval, [this] { return m_stop; })) return;
        }
        auto r = runPass();
        if (!r && !warned) {  // a database failover or restart: the next pass reconnects and tries again
            log::warn("hub", "statistics: pass failed", {{"error", r.error().message}});
            warned = true;
        } else if (r) {
            warned = false;
        }
    }
}

}  // namespace touchpoint::hub
