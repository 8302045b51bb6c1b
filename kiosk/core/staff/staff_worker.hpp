#pragma once
// One background thread for staff mode's slow work: PIN verification (Argon2id costs tens of milliseconds
// and tens of megabytes per slot) and hub lookups. Jobs run in order; results go back through a RunQueue.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace touchpoint::kiosk::staff {

class StaffWorker {
public:
    StaffWorker();
    /// Finishes the running job, drops queued ones, joins.
    ~StaffWorker();
    StaffWorker(const StaffWorker&) = delete;
    StaffWorker& operator=(const StaffWorker&) = delete;

    void post(std::function<void()> job);
    /// Blocks until every job posted before this call has run (tests and shutdown).
    void waitIdle();

private:
    void run();

    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::condition_variable m_idleCv;
    std::deque<std::function<void()>> m_jobs;
    bool m_busy = false;
    bool m_stop = false;
    std::thread m_thread;  // last: starts after the members it uses exist
};

}  // namespace touchpoint::kiosk::staff
