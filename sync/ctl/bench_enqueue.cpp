// `bench enqueue`: durable enqueue latency against the cost it cannot avoid — a bare SQLite single-row
// INSERT + COMMIT on a file with the same PRAGMAs (WAL, synchronous=FULL), the same row size, measured in the
// same run with the operations interleaved so both see the same disk and the same neighbours. With
// --backlog N a third outbox already holding N events joins the rotation, so the empty-vs-backlog ratio also
// comes from one run. With --while-retrying that backlog outbox also has the kiosk's real uploader thread
// running on its own connection, retrying against a hub that refuses connections (a bound, never-listening
// loopback port): each failed attempt reads a batch and records the attempt in a write transaction, which
// is what could make the UI's enqueue wait.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "common/sqlite.hpp"
#include "ctl/commands.hpp"
#include "uploader/uploader.hpp"

namespace touchpoint::ctl {

namespace {

using Micros = double;
constexpr int kWarmup = 50;
constexpr int kBusyTimeoutMs = 5000;

struct Percentiles {
    Micros p50 = 0;
    Micros p99 = 0;
};

Percentiles percentiles(std::vector<Micros> v) {
    if (v.empty()) return {};
    std::sort(v.begin(), v.end());
    auto at = [&](double q) {
        const auto idx = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1;
        return v[std::min(idx, v.size() - 1)];
    };
    return {at(0.50), at(0.99)};
}

void removeDb(const std::filesystem::path& p) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix);
}

/// The reference: what one durable row costs SQLite on this disk, with nothing of ours around it.
class BareTable {
public:
    explicit BareTable(const std::filesystem::path& path) {
        auto db = sqlite::Database::open(path);
        if (!db) throw RuntimeError(db.error().message);
        m_db.emplace(std::move(db.value()));
        sqlite3_busy_timeout(m_db->handle(), kBusyTimeoutMs);
        check(m_db->queryText("PRAGMA journal_mode = WAL"));
        check(m_db->exec("PRAGMA synchronous = FULL"));
        check(m_db->exec("CREATE TABLE bare_events (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)"));
        m_begin.emplace(take(m_db->prepare("BEGIN IMMEDIATE")));
        m_insert.emplace(take(m_db->prepare("INSERT INTO bare_events (payload) VALUES (?1)")));
        m_commit.emplace(take(m_db->prepare("COMMIT")));
    }
    void insert(const std::string& payload) {
        check(m_begin->run());
        m_insert->bind(1, payload);
        check(m_insert->run());
        check(m_commit->run());
    }

private:
    template <class T>
    static void check(const T& r) {
        if (!r) throw RuntimeError("bare sqlite: " + r.error().message);
    }
    static sqlite::Statement take(sqlite::SqlResult<sqlite::Statement> r) {
        check(r);
        return std::move(r.value());
    }
    std::optional<sqlite::Database> m_db;
    std::optional<sqlite::Statement> m_begin, m_insert, m_commit;
};

std::unique_ptr<outbox::Outbox> openBenchOutbox(const std::filesystem::path& path) {
    outbox::OutboxOptions o;
    o.path = path;
    o.byteBudget = 1LL << 42;  // the bench measures enqueue, not eviction
    o.busyTimeoutMs = kBusyTimeoutMs;
    auto r = outbox::Outbox::open(o);
    if (!r) throw RuntimeError(r.error().message);
    return std::move(r.value());
}

/// The traffic the kiosk produces: a third sign-ins by phone (sealed), the rest feedback, some with a comment.
event::Message realistic(const event::KioskEventFactory& f, std::size_t i) {
    if (i % 3 == 0) {
        return f.signin("bench-session", "en-US", event::SigninMethod::Phone,
                        event::Identity{event::Identity::Type::Phone, "+1212555" + std::to_string(1000 + i % 9000)},
                        false);
    }
    event::FeedbackAnswers a;
    a.surveyId = "store-visit";
    a.nps = static_cast<int>(i % 11);
    a.csat = static_cast<int>(1 + i % 5);
    a.reasons = {"friendly_staff"};
    if (i % 5 == 0) a.comment = "The staff were helpful and the queue moved quickly today.";
    return f.feedback("bench-session", "en-US", a, std::nullopt);
}

/// Back-fill without sealing (member sign-ins and comment-free feedback), in big transactions: only the
/// size and shape of the backlog matter for the measurement, not how it got there.
double fillBacklog(outbox::Outbox& box, const event::KioskEventFactory& f, std::int64_t count) {
    const auto start = std::chrono::steady_clock::now();
    constexpr std::int64_t kChunk = 10000;
    std::vector<event::Message> chunk;
    for (std::int64_t done = 0; done < count;) {
        chunk.clear();
        const std::int64_t n = std::min(kChunk, count - done);
        for (std::int64_t i = 0; i < n; ++i) {
            const auto k = static_cast<std::size_t>(done + i);
            if (k % 3 == 0) {
                chunk.push_back(f.signin("fill", "en-US", event::SigninMethod::Card,
                                         event::Identity{event::Identity::Type::Member, "M" + std::to_string(k)}, false));
            } else {
                event::FeedbackAnswers a;
                a.surveyId = "store-visit";
                a.nps = static_cast<int>(k % 11);
                a.csat = static_cast<int>(1 + k % 5);
                a.reasons = {"friendly_staff"};
                chunk.push_back(f.feedback("fill", "en-US", a, std::nullopt));
            }
        }
        auto r = box.enqueueBatch(chunk);
        if (!r) throw RuntimeError("backlog fill: " + r.error().message);
        done += n;
        if (done % 100000 == 0 || done == count) {
            std::fprintf(stderr, "touchpointctl bench: backlog %lld / %lld\n", static_cast<long long>(done),
                         static_cast<long long>(count));
        }
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// A loopback port that refuses connections for as long as this lives: bound (so nobody else takes it) but
/// never listening, so a connect gets ECONNREFUSED at once, like a hub host whose service is down.
class RefusingPort {
public:
    RefusingPort() : m_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof addr;
        if (m_fd < 0 || ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
            ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
            throw RuntimeError("cannot reserve a loopback port for the dead hub");
        }
        m_port = ntohs(addr.sin_port);
    }
    ~RefusingPort() { ::close(m_fd); }
    RefusingPort(const RefusingPort&) = delete;
    RefusingPort& operator=(const RefusingPort&) = delete;
    int port() const { return m_port; }

private:
    int m_fd;
    int m_port = 0;
};

/// The kiosk's uploader on its own connection to `outboxPath`, pointed at the dead hub, retrying on a
/// backoff of `retryMs` (base and cap: it retries every retryMs x U(0,1), far more often than a kiosk's
/// 1 s doubling to 5 min, so the bench sees many more attempts than a kiosk would).
std::unique_ptr<uploader::Uploader> startRetryingUploader(const std::filesystem::path& outboxPath, int port,
                                                          std::int64_t retryMs) {
    uploader::UploaderOptions o;
    o.http.baseUrl = "https://127.0.0.1:" + std::to_string(port);
    o.http.proxy = "none";
    o.http.connectTimeout = std::chrono::milliseconds(2000);
    o.token = "bench-token";
    o.outboxPath = outboxPath;
    o.backoffBase = uploader::Millis(retryMs);
    o.backoffCap = uploader::Millis(retryMs);
    o.heartbeatInterval = uploader::Millis(0);
    auto u = uploader::Uploader::create(std::move(o));
    if (!u) throw RuntimeError(u.error());
    u.value()->start();
    return std::move(u.value());
}

struct BenchEnqueueOptions {
    std::string dir;
    std::int64_t n = 5000;
    std::int64_t backlog = 0;  // kRetryingBacklog when --while-retrying comes without --backlog
    bool whileRetrying = false;
    std::int64_t retryMs = 50;
    bool json = false;
};

/// --while-retrying's backlog when none is given: the retrying uploader needs rows to retry on.
constexpr std::int64_t kRetryingBacklog = 100'000;

int runBenchEnqueue(const BenchEnqueueOptions& o) {
    const std::int64_t n = o.n;
    const std::int64_t backlog = o.backlog;
    const bool whileRetrying = o.whileRetrying;
    const std::int64_t retryMs = o.retryMs;
    const bool json = o.json;
    if (whileRetrying && backlog == 0) throw UsageError("--while-retrying needs a backlog (--backlog N, N > 0)");
    const std::filesystem::path dir = o.dir;
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw RuntimeError("cannot create " + dir.string() + ": " + ec.message());

    const auto barePath = dir / "bench-bare.db";
    const auto emptyPath = dir / "bench-outbox.db";
    const auto backlogPath = dir / "bench-backlog.db";
    for (const auto& p : {barePath, emptyPath, backlogPath}) removeDb(p);

    const event::KeyPair keys = event::generateSealingKeyPair();
    const event::KioskEventFactory factory(
        event::DeviceIdentity{"bench-store", "bench-kiosk", "UTC", "bench", currentBootId()},
        event::Sealer::fromPublicKeyB64(keys.publicKeyB64).value(),
        event::IdentityHasher::fromKeyB64(event::IdentityHasher::generateKeyB64()).value(), SystemClock::instance());

    BareTable bare(barePath);
    auto empty = openBenchOutbox(emptyPath);
    std::unique_ptr<outbox::Outbox> full;
    double fillSeconds = 0;
    if (backlog > 0) {
        full = openBenchOutbox(backlogPath);
        fillSeconds = fillBacklog(*full, factory, backlog);
    }
    std::optional<RefusingPort> deadHub;
    std::unique_ptr<uploader::Uploader> retrying;
    if (whileRetrying) {
        deadHub.emplace();
        retrying = startRetryingUploader(backlogPath, deadHub->port(), retryMs);
        // Let it fail a few times first, so the timed part runs while it is deep in its retry loop.
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
        while (retrying->health().consecutiveFailures < 3 && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }

    // Messages are built (and sealed) before timing: capture happens before enqueue in the kiosk too.
    const auto total = static_cast<std::size_t>(n + kWarmup);
    std::vector<event::Message> forEmpty, forBacklog;
    std::vector<std::string> barePayloads;
    std::size_t payloadBytes = 0;
    for (std::size_t i = 0; i < total; ++i) {
        forEmpty.push_back(realistic(factory, i));
        event::Message probe = forEmpty.back();
        probe.context.sequence = static_cast<std::int64_t>(i + 1);
        barePayloads.push_back(event::toJson(probe).dump());
        payloadBytes += barePayloads.back().size();
        if (full) forBacklog.push_back(realistic(factory, i));
    }

    std::vector<Micros> bareUs, emptyUs, backlogUs;
    const int targets = full ? 3 : 2;
    for (std::size_t i = 0; i < total; ++i) {
        // Rotate which target goes first so none always runs right after another's checkpoint.
        for (int k = 0; k < targets; ++k) {
            const int which = static_cast<int>((i + static_cast<std::size_t>(k)) % static_cast<std::size_t>(targets));
            const auto t0 = std::chrono::steady_clock::now();
            if (which == 0) {
                bare.insert(barePayloads[i]);
            } else {
                auto& box = which == 1 ? *empty : *full;
                auto& msg = which == 1 ? forEmpty[i] : forBacklog[i];
                auto r = box.enqueue(msg);
                if (!r) throw RuntimeError("enqueue: " + r.error().message);
            }
            const Micros us = std::chrono::duration<Micros, std::micro>(std::chrono::steady_clock::now() - t0).count();
            if (i < static_cast<std::size_t>(kWarmup)) continue;
            (which == 0 ? bareUs : which == 1 ? emptyUs : backlogUs).push_back(us);
        }
    }

    uploader::HealthSnapshot retryHealth;
    if (retrying) {
        retryHealth = retrying->health();
        retrying->stop();
    }

    const Percentiles b = percentiles(bareUs);
    const Percentiles e = percentiles(emptyUs);
    auto round2 = [](double v) { return std::round(v * 100.0) / 100.0; };
    nlohmann::json out;
    out["benchmark"] = "enqueue";
    out["n"] = n;
    out["dir"] = dir.string();
    out["sqlite"] = sqlite3_libversion();
    out["pragmas"] = "journal_mode=WAL synchronous=FULL busy_timeout=5000";
    out["payload_bytes_avg"] = payloadBytes / total;
    out["bare_commit_us"] = {{"p50", round2(b.p50)}, {"p99", round2(b.p99)}};
    out["enqueue_us"] = {{"p50", round2(e.p50)}, {"p99", round2(e.p99)}};
    out["ratio_p50"] = round2(e.p50 / b.p50);
    out["ratio_p99"] = round2(e.p99 / b.p99);
    out["target_ratio_p50"] = 1.3;
    if (full) {
        const Percentiles f = percentiles(backlogUs);
        out["backlog"] = backlog;
        out["backlog_fill_s"] = round2(fillSeconds);
        out["backlog_enqueue_us"] = {{"p50", round2(f.p50)}, {"p99", round2(f.p99)}};
        out["backlog_vs_empty_ratio_p50"] = round2(f.p50 / e.p50);
        out["backlog_vs_bare_ratio_p50"] = round2(f.p50 / b.p50);
        out["target_backlog_ratio_p50"] = 1.2;
    }
    if (retrying) {
        const Percentiles f = percentiles(backlogUs);
        out["while_retrying"] = {{"hub", "refused connection on 127.0.0.1"},
                                 {"retry_ms", retryMs},
                                 {"uploader_requests", retryHealth.requests},
                                 {"uploader_consecutive_failures", retryHealth.consecutiveFailures},
                                 {"uploader_cause", retryHealth.causeCode}};
        out["retrying_enqueue_us"] = {{"p50", round2(f.p50)}, {"p99", round2(f.p99)}};
        out["retrying_vs_bare_ratio_p99"] = round2(f.p99 / b.p99);
        out["target_retrying_ratio_p99"] = 1.5;
    }
    if (json) {
        std::printf("%s\n", out.dump().c_str());
    } else {
        std::printf("%s\n", out.dump(2).c_str());
    }
    return 0;
}

}  // namespace

void benchEnqueueCommand(CLI::App& bench, Action& chosen) {
    auto* cmd = bench.add_subcommand(
        "enqueue", "enqueue p50/p99 against a bare SQLite INSERT+COMMIT with the same PRAGMAs, same run; with "
                   "--backlog, also against an outbox already holding N events (whose uploader retries against "
                   "a dead hub meanwhile with --while-retrying)");
    auto o = std::make_shared<BenchEnqueueOptions>();
    cmd->add_option("--dir", o->dir, "a folder on the disk to measure")->required();
    cmd->add_option("--n", o->n, "enqueues measured")
        ->check(CLI::Range(std::int64_t{10}, std::int64_t{10'000'000}))
        ->capture_default_str();
    auto* backlog = cmd->add_option("--backlog", o->backlog,
                                    "events already pending in the third outbox (default 100000 with "
                                    "--while-retrying)")
                        ->check(CLI::Range(std::int64_t{0}, std::int64_t{100'000'000}))
                        ->capture_default_str();
    auto* whileRetrying = cmd->add_flag("--while-retrying", o->whileRetrying,
                                        "run the kiosk's uploader on the backlog outbox meanwhile, retrying "
                                        "against a dead hub (a refusing loopback port)");
    cmd->add_option("--retry-ms", o->retryMs, "the retrying uploader's backoff (base and cap)")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{600'000}))
        ->capture_default_str()
        ->needs(whileRetrying);
    cmd->add_flag("--json", o->json, "print one line of JSON");
    runs(cmd, chosen, [o, backlog](Context&) {
        if (o->whileRetrying && backlog->count() == 0) o->backlog = kRetryingBacklog;
        return runBenchEnqueue(*o);
    });
}

}  // namespace touchpoint::ctl
