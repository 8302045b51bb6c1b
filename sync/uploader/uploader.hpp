#pragma once
// The background uploader: drains the outbox to the hub's POST /v1/batch, oldest first, in gzip batches
// sized in bytes, over one reused HTTPS connection. The loop reads like snowplow's emitter:
//   read batch -> send -> classify -> delete / dead-letter in one transaction -> back off on an
//   interruptible wait.
// Delivery is at-least-once; the hub deduplicates on messageId, so the effect is exactly once.
//
// Threads: start() runs one worker thread with its own Outbox connection and its own HttpsClient.
// health(), flush(), notify() and stop() may be called from any thread.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "uploader/backoff.hpp"
#include "uploader/health.hpp"
#include "uploader/https_client.hpp"

namespace touchpoint::event {
class KioskEventFactory;
}
namespace touchpoint::outbox {
class Outbox;
}

namespace touchpoint::uploader {

/// A small GET the worker makes on its own connection between batches: the kiosk asks for head office's
/// document this way (GET /v1/kiosk/config). The uploader knows nothing of what the answer means; a slow or
/// failing answer delays uploads by at most `timeout` and changes nothing in the uploader's health.
struct PeriodicGet {
    std::string path;                     ///< empty: no request
    Millis interval{5 * 60 * 1000};       ///< also made at start and whenever requestPeriodicGet() asks
    Millis timeout{15'000};
    std::size_t maxResponseBytes = 256 * 1024;
    /// Extra header lines for the next request ("If-None-Match: ..."), asked on the worker thread.
    std::function<std::vector<std::string>()> headers;
    /// The answer or the transport error, on the worker thread with no lock held.
    std::function<void(const HttpResult&)> onResult;
};

struct UploaderOptions {
    HttpsClientOptions http;
    std::string token;                       ///< the kiosk's bearer token
    std::filesystem::path outboxPath;        ///< the uploader opens its own connection to this file
    std::size_t maxBatchBytes = 500 * 1024;  ///< request body before compression (the hub refuses more)
    std::size_t maxBatchEvents = 5000;
    int gzipLevel = 1;
    Millis backoffBase{1000};
    Millis backoffCap{5 * 60 * 1000};
    Millis retryAfterCap{24 * 3600 * 1000};
    /// After an outage: a random wait in [0, recoveryDelayMax] before draining, then at most drainRatePerS.
    Millis recoveryDelayMax{30'000};
    double drainRatePerS = 5000.0;
    Millis idlePoll{2000};                   ///< how often an empty queue is re-read (notify() wakes sooner)
    Millis statsRefresh{1000};               ///< queue depth etc. are re-read at most this often while sending
    Millis heartbeatInterval{5 * 60 * 1000}; ///< 0: no heartbeat
    const event::KioskEventFactory* heartbeatFactory = nullptr;  ///< builds the heartbeat; nullptr: none
    /// Adds properties to each heartbeat's health object (the kiosk's applied config version); worker thread.
    std::function<void(nlohmann::json&)> heartbeatExtras;
    PeriodicGet periodicGet;
    std::int64_t clockSkewLimitMs = 5 * 60 * 1000;  ///< beyond this the state is clock-wrong
    const Clock* clock = nullptr;            ///< nullptr: SystemClock (tests pass a ManualClock for backoff maths)
    std::function<double()> random01;        ///< jitter source; nullptr: seeded PRNG (tests make it fixed)
};

/// What a flush achieved.
enum class FlushResult { Empty, Failed, TimedOut, NotRunning };

class Uploader {
public:
    /// Opens its own Outbox connection and the HTTPS client. Fails with a plain message (bad URL, outbox).
    static Result<std::unique_ptr<Uploader>, std::string> create(UploaderOptions options);
    ~Uploader();  ///< stop()s
    Uploader(const Uploader&) = delete;
    Uploader& operator=(const Uploader&) = delete;

    void start();
    /// Stops the worker; a transfer in flight is aborted within about a second. Idempotent.
    void stop();
    /// Sends now, skipping any backoff, recovery wait or pacing, until the queue is empty or an attempt
    /// fails; waits at most `timeout`.
    FlushResult flush(Millis timeout);
    /// Something was enqueued: wake an idle worker now instead of at the next poll.
    void notify();
    /// Makes the periodic GET at the worker's next turn (staff "sync now"); does not wait.
    void requestPeriodicGet();
    /// Makes a heartbeat at the worker's next turn, whatever the interval says (the kiosk has just applied
    /// a new document and head office should see it now, not a heartbeat interval later); does not wait.
    void requestHeartbeat();

    HealthSnapshot health() const;
    /// Called from the worker thread after the snapshot changed (no lock held): the kiosk posts an empty
    /// GLFW event so the UI redraws. Set before start().
    void setOnHealthChanged(std::function<void(const HealthSnapshot&)> callback);

private:
    struct Worker;
    explicit Uploader(std::unique_ptr<Worker> worker);
    std::unique_ptr<Worker> m_worker;
};

}  // namespace touchpoint::uploader
