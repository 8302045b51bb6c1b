// The request workers' pool: its threads run below the process's priority, so that on busy cores the store's
// writer and the event loop go first (server.worker_nice), and are named for top -H, perf and gdb.

#include "hub/http/worker_pool.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace touchpoint::hub::http {
namespace {

struct Seen {
    pid_t tid = 0;
    int nice = 0;
    std::string name;
};

/// Runs `tasks` tasks on `pool`, each held until all have started (so each ends on a different thread when
/// there are as many threads), and returns what each saw of its thread.
std::vector<Seen> runOnEveryThread(WorkerPool& pool, std::size_t tasks) {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<Seen> seen;
    std::size_t finished = 0;
    for (std::size_t i = 0; i < tasks; ++i) {
        EXPECT_TRUE(pool.trySubmit([&] {
            Seen s;
            s.tid = ::gettid();
            s.nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(s.tid));
            char name[16] = {};
            pthread_getname_np(pthread_self(), name, sizeof name);
            s.name = name;
            std::unique_lock lock(mutex);
            seen.push_back(s);
            cv.notify_all();
            cv.wait(lock, [&] { return seen.size() == tasks; });
            ++finished;
            cv.notify_all();
        }));
    }
    // Until every task is past its last use of what lives on this stack.
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return finished == tasks; });
    return seen;
}

int myNice() {
    return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
}

TEST(WorkerPool, ItsThreadsRunTheGivenStepsBelowTheProcess) {
    WorkerPool pool(3, 16, 5);
    const auto seen = runOnEveryThread(pool, 3);
    std::set<pid_t> threads;
    for (const auto& s : seen) {
        threads.insert(s.tid);
        EXPECT_NE(s.tid, ::gettid());
        EXPECT_EQ(s.nice, std::min(19, myNice() + 5));
        EXPECT_EQ(s.name, "tp-worker");
    }
    EXPECT_EQ(threads.size(), 3u);
    pool.stop();
}

TEST(WorkerPool, ItsThreadsStopAtTheLowestPriority) {
    WorkerPool pool(1, 16, 19);
    for (const auto& s : runOnEveryThread(pool, 1)) EXPECT_EQ(s.nice, 19);
}

TEST(WorkerPool, WithoutStepsItsThreadsKeepTheProcesssPriority) {
    WorkerPool pool(2, 16, 0);
    for (const auto& s : runOnEveryThread(pool, 2)) EXPECT_EQ(s.nice, myNice());
}

}  // namespace
}  // namespace touchpoint::hub::http
