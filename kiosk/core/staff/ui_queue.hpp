#pragma once
// How background work reaches the UI thread: workers post callbacks, the UI drains them once per frame.
// drain() swaps the pending list out under the lock and runs the callbacks unlocked, so a callback may post
// again and a worker is never blocked behind a frame.

#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace touchpoint::kiosk::staff {

class UiQueue {
public:
    /// `wake` is called after each post (the app passes glfwPostEmptyEvent so a waiting frame loop wakes).
    void setWake(std::function<void()> wake) {
        std::lock_guard lock(m_mutex);
        m_wake = std::move(wake);
    }

    void post(std::function<void()> fn) {
        std::function<void()> wake;
        {
            std::lock_guard lock(m_mutex);
            m_pending.push_back(std::move(fn));
            wake = m_wake;
        }
        if (wake) wake();
    }

    /// Runs everything posted so far on the calling thread; returns how many ran.
    std::size_t drain() {
        std::vector<std::function<void()>> batch;
        {
            std::lock_guard lock(m_mutex);
            batch.swap(m_pending);
        }
        for (auto& fn : batch) fn();
        return batch.size();
    }

private:
    std::mutex m_mutex;
    std::vector<std::function<void()>> m_pending;
    std::function<void()> m_wake;
};

}  // namespace touchpoint::kiosk::staff
