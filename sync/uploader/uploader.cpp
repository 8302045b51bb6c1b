#include "uploader/uploader.hpp"

#include <pthread.h>

#include <algorithm>
#include <cstdlib>
#include <future>
#include <stdexcept>

#include "common/log.hpp"
#include "event/kiosk_events.hpp"
#include "outbox/outbox.hpp"
#include "protocol/gzip.hpp"
#include "protocol/wire.hpp"
#include "uploader/delivery.hpp"
#include "uploader/uploader_worker.hpp"

namespace touchpoint::uploader {

Result<std::unique_ptr<Uploader>, std::string> Uploader::create(UploaderOptions options) {
    auto w = std::make_unique<Worker>(std::move(options));
    try {
        w->client = std::make_unique<HttpsClient>(w->opt.http);
    } catch (const std::exception& e) {
        return Fail(std::string("uploader: ") + e.what());
    }
    w->client->setAbortFlag(&w->abort);
    outbox::OutboxOptions oo;
    oo.path = w->opt.outboxPath;
    oo.clock = w->opt.clock;
    auto ob = outbox::Outbox::open(oo);
    if (!ob) return Fail("uploader: cannot open the outbox: " + ob.error().message);
    w->outbox = std::move(ob.value());
    return std::unique_ptr<Uploader>(new Uploader(std::move(w)));
}

Uploader::Uploader(std::unique_ptr<Worker> worker) : m_worker(std::move(worker)) {}

Uploader::~Uploader() { stop(); }

void Uploader::start() {
    std::lock_guard lock(m_worker->mutex);
    if (m_worker->running) return;
    m_worker->running = true;
    m_worker->stopRequested = false;
    m_worker->abort = false;
    m_worker->thread = std::thread([w = m_worker.get()] { w->run(); });
}

void Uploader::stop() {
    {
        std::lock_guard lock(m_worker->mutex);
        if (!m_worker->running) return;
        m_worker->stopRequested = true;
    }
    // The abort flag reaches a transfer in flight through curl's progress callback (called at least about
    // once a second even when no bytes move); the condition variable reaches a worker that is waiting.
    m_worker->abort = true;
    m_worker->cv.notify_all();
    if (m_worker->thread.joinable()) m_worker->thread.join();
    {
        std::lock_guard lock(m_worker->mutex);
        m_worker->running = false;
    }
    m_worker->flushCv.notify_all();
}

FlushResult Uploader::flush(Millis timeout) {
    std::unique_lock lock(m_worker->mutex);
    if (!m_worker->running) return FlushResult::NotRunning;
    const std::uint64_t generation = ++m_worker->flushRequested;
    m_worker->cv.notify_all();
    const bool done = m_worker->flushCv.wait_for(lock, timeout, [&] {
        return m_worker->flushServed >= generation || m_worker->stopRequested;
    });
    if (!done) return FlushResult::TimedOut;
    if (m_worker->flushServed < generation) return FlushResult::NotRunning;
    return m_worker->lastFlushResult;
}

void Uploader::notify() {
    {
        std::lock_guard lock(m_worker->mutex);
        m_worker->wake = true;
    }
    m_worker->cv.notify_all();
}

HealthSnapshot Uploader::health() const {
    std::lock_guard lock(m_worker->healthMutex);
    return m_worker->health;
}

void Uploader::requestPeriodicGet() {
    {
        std::lock_guard lock(m_worker->mutex);
        m_worker->getRequested = true;
    }
    m_worker->cv.notify_all();
}

void Uploader::requestHeartbeat() {
    {
        std::lock_guard lock(m_worker->mutex);
        m_worker->heartbeatRequested = true;
    }
    m_worker->cv.notify_all();
}

void Uploader::setOnHealthChanged(std::function<void(const HealthSnapshot&)> callback) {
    m_worker->onChanged = std::move(callback);
}

// ---- worker ----

void Uploader::Worker::run() {
    pthread_setname_np(pthread_self(), "tp-uploader");  // visible in top -H, perf and gdb
    try {
        loop();
    } catch (const std::exception& e) {
        // A thread boundary: turn the surprise into status instead of terminating the kiosk.
        log::error(kLog, "uploader stopped by an internal error", {{"what", e.what()}});
        updateHealth([&](HealthSnapshot& h) {
            h.state = UploaderState::Offline;
            h.causeCode = "internal_error";
            h.cause = std::string("the uploader stopped after an internal error: ") + e.what();
        });
    }
    finishFlush(FlushResult::Failed);
}

bool Uploader::Worker::waitFor(Millis d) {
    std::unique_lock lock(mutex);
    cv.wait_for(lock, d, [&] {
        return stopRequested || wake || getRequested || heartbeatRequested || flushRequested > flushServed;
    });
    wake = false;
    return !stopRequested;
}

void Uploader::Worker::finishFlush(FlushResult r, std::uint64_t requestedBefore) {
    {
        std::lock_guard lock(mutex);
        const std::uint64_t upTo = std::min(flushRequested, requestedBefore);
        if (upTo <= flushServed) return;
        flushServed = upTo;
        lastFlushResult = r;
    }
    flushCv.notify_all();
}

void Uploader::Worker::maybeHeartbeat() {
    bool asked = false;
    {
        std::lock_guard lock(mutex);
        asked = heartbeatRequested;
        heartbeatRequested = false;
    }
    if (opt.heartbeatFactory == nullptr || opt.heartbeatInterval.count() <= 0) return;
    const std::int64_t now = clock.monotonicMs();
    if (!asked && now < nextHeartbeatMono) return;
    nextHeartbeatMono = now + opt.heartbeatInterval.count();
    refreshStats(true);
    nlohmann::json j;
    {
        std::lock_guard lock(healthMutex);
        j = health.toJson();
    }
    std::error_code ec;
    const auto space = std::filesystem::space(opt.outboxPath.parent_path().empty() ? "." : opt.outboxPath.parent_path(), ec);
    j["freeDiskBytes"] = ec ? nlohmann::json(nullptr) : nlohmann::json(static_cast<std::int64_t>(space.available));
    if (opt.heartbeatExtras) opt.heartbeatExtras(j);
    auto message = opt.heartbeatFactory->heartbeat(j);
    if (auto r = outbox->enqueue(message); !r) {
        log::warn(kLog, "heartbeat not enqueued", {{"error", r.error().message}});
    }
}

Millis Uploader::Worker::untilChores(std::int64_t now, Millis cap) const {
    std::int64_t wait = cap.count();
    if (opt.heartbeatFactory != nullptr && opt.heartbeatInterval.count() > 0) {
        wait = std::min(wait, std::max<std::int64_t>(0, nextHeartbeatMono - now));
    }
    if (periodicGetEnabled()) wait = std::min(wait, std::max<std::int64_t>(0, nextGetMono - now));
    return Millis(wait);
}

void Uploader::Worker::maybePeriodicGet() {
    if (!periodicGetEnabled()) return;
    bool asked = false;
    {
        std::lock_guard lock(mutex);
        asked = getRequested;
        getRequested = false;
    }
    const std::int64_t now = clock.monotonicMs();
    if (!asked && now < nextGetMono) return;
    const auto& g = opt.periodicGet;
    nextGetMono = now + std::max<std::int64_t>(1000, g.interval.count());
    const std::vector<std::string> headers = g.headers ? g.headers() : std::vector<std::string>{};
    const auto result = client->get(g.path, headers, opt.token, g.timeout, g.maxResponseBytes);
    if (!result && result.error().kind == TransportErrc::Aborted) return;  // stopping
    try {
        g.onResult(result);
    } catch (const std::exception& e) {
        log::error(kLog, "the periodic request's handler failed", {{"path", g.path}, {"what", e.what()}});
    }
}

void Uploader::Worker::refreshStats(bool force) {
    const std::int64_t now = clock.monotonicMs();
    if (!force && now < nextStatsMono) return;
    nextStatsMono = now + opt.statsRefresh.count();
    auto s = outbox->stats();
    if (!s) {
        log::warn(kLog, "outbox stats unavailable", {{"error", s.error().message}});
        return;
    }
    const std::int64_t utc = clock.utcMs();
    updateHealth([&](HealthSnapshot& h) {
        h.queueDepth = s->pendingCount;
        h.queueBytes = s->pendingBytes;
        h.oldestPendingAgeMs = s->oldestPendingMs ? std::optional<std::int64_t>(std::max<std::int64_t>(0, utc - *s->oldestPendingMs))
                                                  : std::nullopt;
        h.deadLetters = s->deadLetterCount;
        h.deadLettersByReason = s->deadLettersByReason;
        h.drops = s->counters;
    });
}

void Uploader::Worker::loop() {
    nextHeartbeatMono = clock.monotonicMs() + opt.heartbeatInterval.count();
    nextGetMono = clock.monotonicMs();  // at start: a kiosk that just booted asks for its document at once
    refreshStats(true);
    for (;;) {
        bool flushing = false;
        // A flush asked for while this turn runs is answered by a later turn: a failure noted here must not
        // answer a flush that came after it (the caller saw the failure and asked for a fresh attempt).
        std::uint64_t requestedBefore = 0;
        {
            std::lock_guard lock(mutex);
            if (stopRequested) return;
            flushing = flushRequested > flushServed;
            requestedBefore = flushRequested;
        }
        maybeHeartbeat();
        maybePeriodicGet();
        const std::int64_t now = clock.monotonicMs();
        if (!flushing && nextAttemptMono > now) {
            if (!waitFor(untilChores(now, Millis(nextAttemptMono - now)))) return;
            continue;
        }

        // Up to kRequestsPerRead requests' worth per read, so the next body can be compressed while one is
        // in flight (rows stay pending until their receipt, so a read never overlaps a request).
        // While probing after a failure or pacing a post-outage drain, one request at a time.
        const std::size_t perRead = (failures > 0 || pacer.active()) ? 1 : kRequestsPerRead;
        auto batch = outbox->readBatch(perRead * (std::max(opt.maxBatchBytes, 2 * kBatchOverhead) - kBatchOverhead),
                                       perRead * std::max<std::size_t>(1, opt.maxBatchEvents));
        if (!batch) {
            Classification c;
            c.verdict = Verdict::Retry;
            c.causeCode = "outbox_error";
            c.cause = "cannot read the outbox: " + batch.error().message;
            noteOutcome(c, 0);
            finishFlush(FlushResult::Failed, requestedBefore);
            continue;
        }
        if (batch->empty()) {
            if (pacer.active()) {
                pacer.stop();
                updateHealth([](HealthSnapshot& h) { h.draining = false; });
            }
            refreshStats(true);
            finishFlush(FlushResult::Empty, requestedBefore);
            if (!waitFor(untilChores(clock.monotonicMs(), opt.idlePoll))) return;
            continue;
        }
        const std::size_t events = batch->size();
        Classification c = deliver(*batch);
        if (c.verdict == Verdict::Aborted) {
            std::lock_guard lock(mutex);
            if (stopRequested) return;
        }
        noteOutcome(c, events);
        refreshStats(false);
        if (c.verdict != Verdict::Delivered) finishFlush(FlushResult::Failed, requestedBefore);
    }
}

void Uploader::Worker::noteOutcome(const Classification& c, std::size_t events) {
    const std::int64_t monoNow = clock.monotonicMs();
    const std::int64_t utcNow = clock.utcMs();
    std::optional<std::int64_t> offset;
    {
        std::lock_guard lock(healthMutex);
        offset = health.clockOffsetMs;
    }
    const bool clockOff = offset && std::llabs(*offset) > opt.clockSkewLimitMs;
    const std::string clockCause =
        clockOff ? "this kiosk's clock differs from the hub's by " + std::to_string(std::llabs(*offset) / 60000) +
                       " min: set the time (NTP)"
                 : std::string();

    if (c.verdict == Verdict::Delivered) {
        const bool recovering = failures > 0;
        failures = 0;
        nextAttemptMono = 0;
        if (recovering) {
            // Back after an outage: every kiosk in the region sees the hub return at about the same moment.
            // Spread the drain: a random pause first, then at most drainRatePerS.
            nextAttemptMono = monoNow + backoff.uniform(opt.recoveryDelayMax).count();
            pacer.start(opt.drainRatePerS);
            log::info(kLog, "hub reachable again; pacing the backlog", {{"rate", std::to_string(opt.drainRatePerS)}});
        } else if (pacer.active()) {
            pacer.consumed(static_cast<std::int64_t>(events), monoNow);
            nextAttemptMono = monoNow + pacer.waitBefore(monoNow).count();
        }
        UploaderState previous = UploaderState::Offline;
        updateHealth([&](HealthSnapshot& h) {
            previous = h.state;
            h.state = clockOff ? UploaderState::ClockWrong : UploaderState::Online;
            h.causeCode = clockOff ? "clock_skew" : "ok";
            h.cause = clockOff ? clockCause : "connected to the hub";
            h.lastSuccessMs = utcNow;
            h.nextRetryMs.reset();
            h.consecutiveFailures = 0;
            h.draining = pacer.active();
        });
        if (previous != UploaderState::Online) log::info(kLog, "uploads flowing");
        return;
    }
    if (c.verdict == Verdict::Aborted) return;

    ++failures;
    Millis delay = backoff.next(failures);
    if (c.retryAfter) delay = std::min(*c.retryAfter, opt.retryAfterCap);
    if (c.verdict == Verdict::Misconfigured) delay = std::max(delay, backoff.ceiling(failures));
    nextAttemptMono = monoNow + delay.count();
    pacer.stop();

    UploaderState state = UploaderState::Offline;
    std::string causeCode = c.causeCode;
    std::string cause = c.cause;
    switch (c.verdict) {
    case Verdict::AuthError: state = UploaderState::AuthError; break;
    case Verdict::ClockWrong: state = UploaderState::ClockWrong; break;
    case Verdict::TlsError:
        // An expired certificate seen from a kiosk whose clock is known to be far off is a clock problem.
        state = clockOff ? UploaderState::ClockWrong : UploaderState::TlsError;
        if (clockOff) cause = clockCause + " (" + c.cause + ")";
        break;
    default: state = UploaderState::Offline; break;
    }
    UploaderState previous = UploaderState::Offline;
    updateHealth([&](HealthSnapshot& h) {
        previous = h.state;
        h.state = state;
        h.causeCode = causeCode;
        h.cause = cause;
        h.nextRetryMs = utcNow + delay.count();
        h.consecutiveFailures = failures;
        h.draining = false;
    });
    if (previous != state || failures == 1) {
        log::warn(kLog, "upload failed", {{"state", std::string(toString(state))}, {"cause", causeCode},
                                          {"retryInMs", std::to_string(delay.count())}});
    }
}

}  // namespace touchpoint::uploader
