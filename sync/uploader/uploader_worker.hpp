#pragma once
// The uploader's worker thread: its state and steps (uploader.cpp runs the loop, health and chores;
// uploader_send.cpp reads, encodes and sends batches). Private to the uploader library.

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "outbox/outbox.hpp"
#include "uploader/delivery.hpp"
#include "uploader/uploader.hpp"

namespace touchpoint::uploader {

inline constexpr std::string_view kLog = "uploader";
// The wrapper around the payloads: {"batch":[...],"sentAt":"2026-11-23T03:40:45.123Z"} plus commas.
inline constexpr std::size_t kBatchOverhead = 64;
inline constexpr std::size_t kRequestsPerRead = 4;

struct Uploader::Worker {
    explicit Worker(UploaderOptions o)
        : opt(std::move(o)),
          clock(opt.clock != nullptr ? *opt.clock : SystemClock::instance()),
          backoff(opt.backoffBase, opt.backoffCap, opt.random01) {}

    UploaderOptions opt;
    const Clock& clock;
    Backoff backoff;
    DrainPacer pacer;
    std::unique_ptr<outbox::Outbox> outbox;
    std::unique_ptr<HttpsClient> client;
    std::thread thread;
    std::atomic<bool> abort{false};

    // Control, guarded by `mutex`. `cv` wakes the worker; `flushCv` wakes flush() callers.
    std::mutex mutex;
    std::condition_variable cv;
    std::condition_variable flushCv;
    bool running = false;
    bool stopRequested = false;
    bool wake = false;
    bool getRequested = false;
    bool heartbeatRequested = false;
    std::uint64_t flushRequested = 0;
    std::uint64_t flushServed = 0;
    FlushResult lastFlushResult = FlushResult::Empty;

    // The published snapshot, guarded by its own small mutex: readers copy it, nobody holds it during I/O.
    mutable std::mutex healthMutex;
    HealthSnapshot health;
    std::function<void(const HealthSnapshot&)> onChanged;

    // Worker-thread state.
    int failures = 0;
    std::int64_t nextAttemptMono = 0;
    std::int64_t nextStatsMono = 0;
    std::int64_t nextHeartbeatMono = 0;
    std::int64_t nextGetMono = 0;
    /// A request body made ready ahead of time (encoded and gzipped) for batch[begin, end).
    struct Prepared {
        std::size_t begin = 0;
        std::size_t end = 0;
        std::vector<std::string> ids;
        std::int64_t sentAt = 0;
        std::string gz;
        std::string error;
    };
    std::optional<Prepared> ready;

    void run();
    void loop();
    /// Waits up to `d` or until stop / wake / flush. Returns false if stop was requested.
    bool waitFor(Millis d);
    /// Answers the flushes asked for before `requestedBefore` was read (all of them by default).
    void finishFlush(FlushResult r, std::uint64_t requestedBefore = UINT64_MAX);
    void maybeHeartbeat();
    bool periodicGetEnabled() const { return !opt.periodicGet.path.empty() && opt.periodicGet.onResult != nullptr; }
    void maybePeriodicGet();
    /// How long the worker may sleep before a heartbeat or periodic GET is due (at most `cap`).
    Millis untilChores(std::int64_t now, Millis cap) const;
    void refreshStats(bool force);
    Classification deliver(std::vector<outbox::PendingEvent>& batch);
    Classification sendRange(const std::vector<outbox::PendingEvent>& batch, std::size_t begin, std::size_t end);
    /// Encodes and gzips batch[begin, end) (trimmed to maxBatchBytes). Thread-safe: reads only.
    Prepared prepare(const std::vector<outbox::PendingEvent>& batch, std::size_t begin, std::size_t end) const;
    void noteOutcome(const Classification& c, std::size_t events);

    template <class F>
    void updateHealth(F&& f) {
        HealthSnapshot copy;
        {
            std::lock_guard lock(healthMutex);
            f(health);
            copy = health;
        }
        if (onChanged) onChanged(copy);
    }
};

}  // namespace touchpoint::uploader
