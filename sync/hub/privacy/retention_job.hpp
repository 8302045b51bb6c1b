#pragma once
// The retention job: each hub process runs HubStore::applyRetention on its own thread, first a few minutes
// after start and then every [retention] interval, and counts what it removed in /metrics. The store's
// statements are idempotent, so several processes sharing a database may all run it.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "common/clock.hpp"
#include "hub/config/hub_config.hpp"
#include "hub/http/metrics.hpp"
#include "hub/store/hub_store.hpp"

namespace touchpoint::hub::privacy {

class RetentionJob {
public:
    /// `store`, `metrics` and `clock` outlive the job.
    RetentionJob(HubStore& store, Metrics& metrics, const Clock& clock, RetentionConfig policy);
    ~RetentionJob();
    RetentionJob(const RetentionJob&) = delete;
    RetentionJob& operator=(const RetentionJob&) = delete;

    /// Starts the thread: the first run after `firstDelay`, then every policy interval.
    void start(std::chrono::milliseconds firstDelay);
    /// One run now, on the caller's thread (the thread calls this); what it removed is counted in `metrics`.
    StoreResult<RetentionReport> runOnce();

private:
    HubStore& m_store;
    Metrics& m_metrics;
    const Clock& m_clock;
    RetentionConfig m_policy;
    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_stopping = false;
    std::thread m_thread;
};

}  // namespace touchpoint::hub::privacy
