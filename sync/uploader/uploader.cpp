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

namespace touchpoint::uploader {

namespace {
constexpr std::string_view kLog = "uploader";
// The wrapper around the payloads: {"batch":[...],"sentAt":"2026-11-23T03:40:45.123Z"} plus commas.
constexpr std::size_t kBatchOverhead = 64;
constexpr std::size_t kRequestsPerRead = 4;
}  // namespace

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
    void finishFlush(FlushResult r);
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
    cv.wait_for(lock, d, [&] { return stopRequested || wake || getRequested || flushRequested > flushServed; });
    wake = false;
    return !stopRequested;
}

void Uploader::Worker::finishFlush(FlushResult r) {
    {
        std::lock_guard lock(mutex);
        if (flushRequested <= flushServed) return;
        flushServed = flushRequested;
        lastFlushResult = r;
    }
    flushCv.notify_all();
}

void Uploader::Worker::maybeHeartbeat() {
    if (opt.heartbeatFactory == nullptr || opt.heartbeatInterval.count() <= 0) return;
    const std::int64_t now = clock.monotonicMs();
    if (now < nextHeartbeatMono) return;
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
        {
            std::lock_guard lock(mutex);
            if (stopRequested) return;
            flushing = flushRequested > flushServed;
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
            finishFlush(FlushResult::Failed);
            continue;
        }
        if (batch->empty()) {
            if (pacer.active()) {
                pacer.stop();
                updateHealth([](HealthSnapshot& h) { h.draining = false; });
            }
            refreshStats(true);
            finishFlush(FlushResult::Empty);
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
        if (c.verdict != Verdict::Delivered) finishFlush(FlushResult::Failed);
    }
}

Classification Uploader::Worker::deliver(std::vector<outbox::PendingEvent>& batch) {
    // A payload that is not a JSON object would break the whole batch body: it is poison, found locally.
    std::vector<std::string> bad;
    std::erase_if(batch, [&](const outbox::PendingEvent& e) {
        if (protocol::checkPayload(e.payload)) return false;
        bad.push_back(e.messageId);
        return true;
    });
    if (!bad.empty()) {
        if (auto r = outbox->deadLetter(bad, "invalid_payload", 0); !r) {
            log::error(kLog, "cannot dead-letter invalid payloads", {{"error", r.error().message}});
        } else {
            log::warn(kLog, "invalid payloads dead-lettered", {{"count", std::to_string(bad.size())}});
            updateHealth([&](HealthSnapshot& h) { h.eventsRejected += static_cast<std::int64_t>(bad.size()); });
        }
    }
    if (batch.empty()) {
        Classification c;
        c.verdict = Verdict::Delivered;
        c.causeCode = "ok";
        return c;
    }

    // The batch read may hold several requests' worth. Cut it into requests by bytes, and while one request
    // is in flight compress the next on a helper thread: the hub's work and ours overlap. (Its sentAt is then
    // stamped a request earlier than it leaves, which the hub's skew correction tolerates.)
    std::vector<std::pair<std::size_t, std::size_t>> chunks;
    std::size_t chunkStart = 0;
    std::size_t bytes = kBatchOverhead;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        bytes += batch[i].payload.size() + 1;
        if (i > chunkStart && (bytes > opt.maxBatchBytes || i - chunkStart >= std::max<std::size_t>(1, opt.maxBatchEvents))) {
            chunks.emplace_back(chunkStart, i);
            chunkStart = i;
            bytes = kBatchOverhead + batch[i].payload.size() + 1;
        }
    }
    chunks.emplace_back(chunkStart, batch.size());

    std::size_t chunkBase = 0;
    auto send = [&](std::size_t begin, std::size_t end) { return sendRange(batch, chunkBase + begin, chunkBase + end); };
    auto poison = [&](std::size_t relative, const Classification& why) {
        const auto& e = batch[chunkBase + relative];
        auto r = outbox->deadLetter({e.messageId}, why.causeCode, why.httpStatus);
        if (!r) {
            log::error(kLog, "cannot dead-letter a refused message", {{"error", r.error().message}});
            return false;
        }
        log::warn(kLog, "message refused by the hub dead-lettered",
                  {{"messageId", e.messageId}, {"status", std::to_string(why.httpStatus)}, {"cause", why.cause}});
        updateHealth([](HealthSnapshot& h) { ++h.eventsRejected; });
        return true;
    };
    SplitOutcome out;
    for (std::size_t ci = 0; ci < chunks.size(); ++ci) {
        const auto [cb, ce] = chunks[ci];
        chunkBase = cb;
        std::future<Prepared> next;
        if (ci + 1 < chunks.size()) {
            const auto [nb, ne] = chunks[ci + 1];
            next = std::async(std::launch::async, [this, &batch, nb = nb, ne = ne] { return prepare(batch, nb, ne); });
        }
        out = deliverSplitting(ce - cb, send, poison);
        if (next.valid()) {
            ready = next.get();  // waits for the helper; a failed chunk below simply drops it
        }
        if (out.last.verdict != Verdict::Delivered) break;
    }
    ready.reset();
    if (out.last.verdict != Verdict::Delivered && out.last.verdict != Verdict::Aborted && out.last.requestSent) {
        std::vector<std::int64_t> rows;
        rows.reserve(batch.size());
        for (const auto& e : batch) rows.push_back(e.rowId);
        if (auto r = outbox->noteAttempt(rows); !r) {
            log::warn(kLog, "cannot record the failed attempt", {{"error", r.error().message}});
        }
    }
    return out.last;
}

Uploader::Worker::Prepared Uploader::Worker::prepare(const std::vector<outbox::PendingEvent>& batch, std::size_t begin,
                                                    std::size_t end) const {
    Prepared p;
    p.begin = begin;
    std::vector<std::string_view> payloads;
    payloads.reserve(end - begin);
    p.ids.reserve(end - begin);
    std::size_t bytes = kBatchOverhead;
    for (std::size_t i = begin; i < end; ++i) {
        // readBatch bounds the payload bytes; the commas and the wrapper must fit too.
        bytes += batch[i].payload.size() + 1;
        if (bytes > opt.maxBatchBytes && !payloads.empty()) {
            end = i;
            break;
        }
        payloads.push_back(batch[i].payload);
        p.ids.push_back(batch[i].messageId);
    }
    p.end = end;
    std::string body;
    p.sentAt = clock.utcMs();
    protocol::encodeBatch(payloads, p.sentAt, body);
    auto gz = protocol::gzipCompress(body, opt.gzipLevel);
    if (gz) {
        p.gz = std::move(gz.value());
    } else {
        p.error = gz.error();
    }
    return p;
}

Classification Uploader::Worker::sendRange(const std::vector<outbox::PendingEvent>& batch, std::size_t begin,
                                           std::size_t end) {
    Prepared p;
    if (ready && ready->begin == begin && ready->end == end) {
        p = std::move(*ready);
    } else {
        p = prepare(batch, begin, end);
    }
    ready.reset();
    if (!p.error.empty()) {
        Classification c;
        c.verdict = Verdict::Retry;
        c.causeCode = "gzip_error";
        c.cause = p.error;
        return c;
    }
    const auto& ids = p.ids;
    const std::int64_t sentAt = p.sentAt;
    const Prepared& gzHolder = p;
    static const std::vector<std::string> kHeaders{"Content-Type: application/json", "Content-Encoding: gzip"};
    const auto result = client->post(protocol::kBatchPath, gzHolder.gz, kHeaders, opt.token);
    const std::int64_t receivedAt = clock.utcMs();
    Classification c = classifyResponse(result, ids, receivedAt);

    std::optional<std::int64_t> offset;
    if (c.verdict == Verdict::Delivered && c.receipts.serverTimeMs) {
        offset = *c.receipts.serverTimeMs - (sentAt + receivedAt) / 2;
    } else if (c.serverDateMs) {
        offset = *c.serverDateMs + 500 - receivedAt;  // Date has whole seconds: assume the middle
    }
    std::int64_t acknowledged = 0;
    std::int64_t duplicates = 0;
    std::int64_t rejected = 0;
    if (c.verdict == Verdict::Delivered) {
        std::vector<outbox::Receipt> receipts;
        receipts.reserve(c.receipts.receipts.size());
        for (const auto& r : c.receipts.receipts) {
            outbox::Receipt o;
            o.messageId = r.messageId;
            o.reason = r.reason;
            switch (r.status) {
            case protocol::ReceiptStatus::Accepted: o.status = outbox::Receipt::Status::Accepted; ++acknowledged; break;
            case protocol::ReceiptStatus::Duplicate: o.status = outbox::Receipt::Status::Duplicate; ++acknowledged; ++duplicates; break;
            case protocol::ReceiptStatus::Rejected: o.status = outbox::Receipt::Status::Rejected; ++rejected; break;
            }
            receipts.push_back(std::move(o));
        }
        if (auto r = outbox->applyReceipts(receipts, 200); !r) {
            // The hub has the batch; the rows stay pending and the next attempt gets "duplicate" receipts.
            c.verdict = Verdict::Retry;
            c.causeCode = "outbox_error";
            c.cause = "cannot record the hub's receipt: " + r.error().message;
            acknowledged = duplicates = rejected = 0;
        }
    }
    const std::int64_t wire = result.ok() ? result->bytesUploaded : 0;
    updateHealth([&](HealthSnapshot& h) {
        ++h.requests;
        h.bytesSent += wire;
        h.eventsSent += acknowledged;
        h.eventsDuplicate += duplicates;
        h.eventsRejected += rejected;
        h.lastAttemptMs = receivedAt;
        h.lastHttpStatus = c.httpStatus;
        if (offset) h.clockOffsetMs = offset;
    });
    log::debug(kLog, "batch attempt",
               {{"events", std::to_string(ids.size())}, {"bytes", std::to_string(gzHolder.gz.size())},
                {"verdict", std::string(toString(c.verdict))}, {"status", std::to_string(c.httpStatus)}});
    return c;
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
