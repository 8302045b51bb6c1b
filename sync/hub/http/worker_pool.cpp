#include "hub/http/worker_pool.hpp"

#include "common/log.hpp"

namespace touchpoint::hub::http {

WorkerPool::WorkerPool(std::size_t threads, std::size_t maxQueued) : m_maxQueued(maxQueued) {
    for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i) m_threads.emplace_back([this] { loop(); });
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
