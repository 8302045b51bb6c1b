#include "hub/http/worker_pool.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/log.hpp"

namespace touchpoint::hub::http {

WorkerPool::WorkerPool(std::size_t threads, std::size_t maxQueued, int niceness)
    : m_maxQueued(maxQueued), m_niceness(std::clamp(niceness, 0, 19)) {
    for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i) {
        m_threads.emplace_back([this] {
            lowerPriority();
            loop();
        });
        pthread_setname_np(m_threads.back().native_handle(), "tp-worker");  // visible in top -H, perf and gdb
    }
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::trySubmit(std::function<void()> task) {
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || m_tasks.size() >= m_maxQueued) return false;
        m_tasks.push_back(std::move(task));
    }
    m_wake.notify_one();
    return true;
}

void WorkerPool::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    for (auto& t : m_threads) {
        if (t.joinable()) t.join();
    }
}

std::size_t WorkerPool::queued() const {
    std::lock_guard lock(m_mutex);
    return m_tasks.size();
}

void WorkerPool::lowerPriority() {
    if (m_niceness == 0) return;
    // On Linux a nice value belongs to each thread: PRIO_PROCESS with a thread id sets that thread's only.
    // Any thread may lower its own priority; raising it back would need CAP_SYS_NICE, so the pool never does.
    const auto self = static_cast<id_t>(::gettid());
    errno = 0;
    const int current = ::getpriority(PRIO_PROCESS, self);
    const int error = errno;
    if (error == 0 && ::setpriority(PRIO_PROCESS, self, std::min(19, current + m_niceness)) == 0) return;
    const int cause = error != 0 ? error : errno;
    std::call_once(m_priorityWarning, [cause] {
        log::warn("http", "request workers keep the process's priority", {{"error", std::strerror(cause)}});
    });
}

void WorkerPool::loop() {
    for (;;) {
        std::function<void()> task;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_tasks.empty(); });
            if (m_tasks.empty()) return;  // stopping and drained
            task = std::move(m_tasks.front());
            m_tasks.pop_front();
        }
        // A task is a request; its own failure must not end the thread that serves everyone else.
        try {
            task();
        } catch (const std::exception& e) {
            log::error("http", "worker task failed", {{"what", e.what()}});
        } catch (...) {
            log::error("http", "worker task failed");
        }
    }
}

}  // namespace touchpoint::hub::http
