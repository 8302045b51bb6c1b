#include "hub/privacy/retention_job.hpp"

#include <utility>

#include "common/log.hpp"

namespace touchpoint::hub::privacy {

RetentionJob::RetentionJob(Apply apply, Removed removed, const Clock& clock, RetentionConfig policy)
    : m_apply(std::move(apply)), m_removed(std::move(removed)), m_clock(clock), m_policy(policy) {}

RetentionJob::~RetentionJob() {
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stopping = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

StoreResult<RetentionReport> RetentionJob::runOnce() {
    auto report = m_apply(m_policy, m_clock.utcMs());
    if (!report) {
        log::warn("hub", "retention run failed", {{"error", report.error().message}});
        return report;
    }
    for (const auto& [kind, n] : report->removed) {
        m_removed(kind, n);
        if (n > 0) log::info("hub", "retention removed personal data", {{"kind", kind}, {"rows", std::to_string(n)}});
    }
    return report;
}

void RetentionJob::start(std::chrono::milliseconds firstDelay) {
    m_thread = std::thread([this, firstDelay] {
        std::unique_lock<std::mutex> lock(m_mutex);
        auto wait = firstDelay;
        // A stop wakes the wait at once; the run itself is a few short transactions.
        while (!m_cv.wait_for(lock, wait, [this] { return m_stopping; })) {
            lock.unlock();
            (void)runOnce();
            lock.lock();
            wait = std::chrono::seconds(m_policy.intervalSeconds);
        }
    });
}

}  // namespace touchpoint::hub::privacy
