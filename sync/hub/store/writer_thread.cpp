#include "hub/store/writer_thread.hpp"

#include <pthread.h>

#include <stdexcept>

namespace touchpoint::hub {

WriterThread::WriterThread(const std::string& name) {
    m_thread = std::thread([this] { loop(); });
    pthread_setname_np(m_thread.native_handle(), name.substr(0, 15).c_str());
}

WriterThread::~WriterThread() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_asked.notify_all();
    m_thread.join();
}

void WriterThread::run(const std::function<void()>& task) {
    if (onThread()) throw std::logic_error("WriterThread::run called from the writer thread itself");
    Job job;
    job.task = &task;
    std::unique_lock lock(m_mutex);
    m_jobs.push_back(&job);
    m_asked.notify_one();
    m_finished.wait(lock, [&] { return job.done; });
    if (job.error) std::rethrow_exception(job.error);
}

void WriterThread::loop() {
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_asked.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
        if (m_jobs.empty()) return;  // stopping, and nothing left to run
        Job* job = m_jobs.front();
        m_jobs.pop_front();
        lock.unlock();
        try {
            (*job->task)();
        } catch (...) {
            job->error = std::current_exception();
        }
        lock.lock();
        job->done = true;
        m_finished.notify_all();
    }
}

}  // namespace touchpoint::hub
