#pragma once
// One thread that runs the SQLite store's write transactions, one at a time, for whichever thread asks.
//
// Why a thread of its own: the one writer sets the ingest rate (docs/OPERATIONS.md, "Capacity"), and on a
// busy machine it shares the cores with the request workers that parse and unseal the next batches. Those
// run at a lower priority (server.worker_nice), so when both want a core the writer gets it; the writer must
// therefore not be one of them. It keeps the priority of the thread that created it.

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace touchpoint::hub {

class WriterThread {
public:
    /// Starts the thread, named `name` (at most 15 characters; visible in top -H, perf and gdb).
    explicit WriterThread(const std::string& name);
    /// Runs what was already asked, then joins.
    ~WriterThread();
    WriterThread(const WriterThread&) = delete;
    WriterThread& operator=(const WriterThread&) = delete;

    /// Runs `task` on the thread and returns when it has finished; what it throws is thrown here. Callers on
    /// several threads take turns in the order they asked. Must not be called from the thread itself.
    void run(const std::function<void()>& task);

    /// True on the writer thread itself.
    bool onThread() const { return std::this_thread::get_id() == m_thread.get_id(); }

private:
    struct Job {
        const std::function<void()>* task = nullptr;
        std::exception_ptr error;
        bool done = false;
    };

    void loop();

    std::mutex m_mutex;
    std::condition_variable m_asked;
    std::condition_variable m_finished;
    std::deque<Job*> m_jobs;
    bool m_stopping = false;
    std::thread m_thread;
};

}  // namespace touchpoint::hub
