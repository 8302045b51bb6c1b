#pragma once
// A fixed set of threads with a bounded queue for request work (parse, unseal, store), so the event loop
// never waits on the store and a flood of requests is refused (503) instead of queued without end. The
// threads run `niceness` steps below the process's priority (server.worker_nice): when the cores are all
// busy, the store's one SQLite writer (store/writer_thread.hpp) and the event loop get them first.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace touchpoint::hub::http {

class WorkerPool {
public:
    /// `niceness` 0..19 is added to each thread's nice value (capped at 19).
    WorkerPool(std::size_t threads, std::size_t maxQueued, int niceness = 0);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    /// Queues the task; false when the queue is full or the pool is stopping (the caller answers 503).
    bool trySubmit(std::function<void()> task);
    /// Runs what is queued, then joins the threads. Idempotent.
    void stop();
    std::size_t queued() const;

private:
    void loop();
    void lowerPriority();

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<std::function<void()>> m_tasks;
    std::size_t m_maxQueued;
    int m_niceness;
    std::once_flag m_priorityWarning;
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};

}  // namespace touchpoint::hub::http
