#pragma once
// The retention job: each hub process runs HubStore::applyRetention on its own thread, first a few minutes
// after start and then every [retention] interval, and reports what it removed (the hub counts it in
// /metrics). The store's statements are idempotent, so several processes sharing a database may all run it.
// The job reaches the store and the counters only through the two functions it is given, so privacy/ needs
// neither store/ nor http/.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.hpp"
#include "hub/config/hub_config.hpp"
#include "hub/privacy/retention_report.hpp"
#include "hub/store_result.hpp"

namespace touchpoint::hub::privacy {

class RetentionJob {
public:
    /// Removes what `policy` no longer keeps at `nowMs` (the hub passes HubStore::applyRetention).
    using Apply =
        std::function<StoreResult<RetentionReport>(const RetentionConfig& policy, std::int64_t nowMs)>;
    /// Told, after each successful run, how many rows of each kind it removed (0 included).
    using Removed = std::function<void(const std::string& kind, std::int64_t rows)>;

    /// `clock` outlives the job; `apply` and `removed` are called on the job's thread until it is destroyed.
    RetentionJob(Apply apply, Removed removed, const Clock& clock, RetentionConfig policy);
    ~RetentionJob();
    RetentionJob(const RetentionJob&) = delete;
    RetentionJob& operator=(const RetentionJob&) = delete;

    /// Starts the thread: the first run after `firstDelay`, then every policy interval.
    void start(std::chrono::milliseconds firstDelay);
    /// One run now, on the caller's thread (the thread calls this); what it removed goes to `removed`.
    StoreResult<RetentionReport> runOnce();

private:
    Apply m_apply;
    Removed m_removed;
    const Clock& m_clock;
    RetentionConfig m_policy;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_stopping = false;
    std::thread m_thread;
};

}  // namespace touchpoint::hub::privacy
