#pragma once
// Background work (the welcome request, the uploader's status) reaches the UI thread through this queue:
// workers post callbacks, the UI drains once per frame. Drain swaps the pending list out under the lock and
// runs the callbacks with the lock released, so a callback may post again and a worker never waits on a frame.

#include <functional>
#include <mutex>
#include <vector>

namespace touchpoint::kiosk {

class RunQueue {
public:
    using Task = std::function<void()>;
    /// `wake` is called after every post (from the posting thread): the app passes glfwPostEmptyEvent so an
    /// idle loop blocked in glfwWaitEventsTimeout wakes up at once.
    explicit RunQueue(std::function<void()> wake = {}) : m_wake(std::move(wake)) {}

    /// For owners built before the window exists (staff mode's controller): sets or replaces the wake hook.
    void setWake(std::function<void()> wake) {
        std::lock_guard lock(m_mutex);
        m_wake = std::move(wake);
    }

    void post(Task task) {
        std::function<void()> wake;
        {
            std::lock_guard lock(m_mutex);
            m_tasks.push_back(std::move(task));
            wake = m_wake;  // copied under the lock: setWake may run on another thread
        }
        if (wake) wake();
    }

    /// Runs what was queued before the call; returns how many ran.
    std::size_t drain() {
        std::vector<Task> tasks;
        {
            std::lock_guard lock(m_mutex);
            tasks.swap(m_tasks);
        }
        for (auto& task : tasks) task();
        return tasks.size();
    }

    bool empty() const {
        std::lock_guard lock(m_mutex);
        return m_tasks.empty();
    }

private:
    std::function<void()> m_wake;
    mutable std::mutex m_mutex;
    std::vector<Task> m_tasks;
};

}  // namespace touchpoint::kiosk
