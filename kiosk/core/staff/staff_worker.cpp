#include "staff/staff_worker.hpp"

#include <exception>

#include "common/log.hpp"

namespace touchpoint::kiosk::staff {

StaffWorker::StaffWorker() : m_thread([this] { run(); }) {}

StaffWorker::~StaffWorker() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_jobs.clear();
    }
    m_cv.notify_all();
    m_thread.join();
}

void StaffWorker::post(std::function<void()> job) {
    {
        std::lock_guard lock(m_mutex);
        m_jobs.push_back(std::move(job));
    }
    m_cv.notify_one();
}

void StaffWorker::waitIdle() {
    std::unique_lock lock(m_mutex);
    m_idleCv.wait(lock, [this] { return m_stop || (m_jobs.empty() && !m_busy); });
}

void StaffWorker::run() {
    for (;;) {
        std::function<void()> job;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stop || !m_jobs.empty(); });
            if (m_stop) break;
            job = std::move(m_jobs.front());
            m_jobs.pop_front();
            m_busy = true;
        }
        // A thread boundary: nothing may escape it, or the kiosk would terminate.
        try {
            job();
        } catch (const std::exception& e) {
            log::error("staff", "background job failed", {{"error", e.what()}});
        } catch (...) {
            log::error("staff", "background job failed", {{"error", "unknown exception"}});
        }
        {
            std::lock_guard lock(m_mutex);
            m_busy = false;
        }
        m_idleCv.notify_all();
    }
    m_idleCv.notify_all();
}

}  // namespace touchpoint::kiosk::staff
