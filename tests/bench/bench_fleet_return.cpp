// `touchpoint-bench fleet-return`: a fleet coming back after an outage. K kiosks, each with its own outbox file
// (the real sync/outbox, E kiosk-shaped events with sealed personal fields) and its own uploader (the real
// sync/uploader, its own HTTPS keep-alive connection), all flushed at once into the real hub process on
// SQLite. Prints events/s from the first start to the last receipt, then checks that the hub stored every
// message exactly once and that every outbox is empty.

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdio>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_set>
#include <vector>

#include "bench_hub_load.hpp"
#include "bench_hub_process.hpp"
#include "common/clock.hpp"
#include "common/sqlite.hpp"
#include "event/kiosk_events.hpp"
#include "event/sealing.hpp"
#include "kiosk_mix.hpp"
#include "outbox/outbox.hpp"
#include "uploader/uploader.hpp"

namespace touchpoint::bench {

namespace {

using Clock = std::chrono::steady_clock;
/// How long the whole drain may take, and the backoff before a failed flush is tried again (doubling from
/// the first pause up to the cap, with jitter, as the uploader's own backoff does: retrying at once turns a
/// slow hub into a storm of new connections).
constexpr auto kDrainDeadline = std::chrono::minutes(10);
constexpr std::chrono::milliseconds kRetryFirstPause{1000};
constexpr std::chrono::milliseconds kRetryMaxPause{30'000};

/// Where the kiosks' outboxes go: tmpfs when there is one (each kiosk has its own disk; what is measured
/// here is the hub, which keeps its store on the temporary folder's disk).
std::filesystem::path outboxFolder() {
    const bool tmpfs = std::filesystem::is_directory("/dev/shm");
    std::string tmpl = ((tmpfs ? std::filesystem::path("/dev/shm") : std::filesystem::temp_directory_path()) /
                        "touchpoint-bench-fleet-XXXXXX")
                           .string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("cannot create a folder for the outboxes");
    return tmpl;
}

/// Fills kiosk `k`'s outbox with kiosk-shaped traffic (kiosk_mix.hpp) from a population of `shoppers` who
/// visit any store; the message ids go to `ids`.
void buildOutbox(const std::filesystem::path& path, int k, int events, std::int64_t shoppers,
                 const std::string& sealingPublicKeyB64, const event::IdentityHasher& hasher,
                 std::vector<std::string>& ids) {
    const event::DeviceIdentity device{"store-" + std::to_string(k / 10), "kiosk-" + std::to_string(k), "UTC", "bench",
                                       currentBootId()};
    auto sealer = event::Sealer::fromPublicKeyB64(sealingPublicKeyB64);  // each kiosk its own session key
    if (!sealer) throw std::runtime_error("cannot make a kiosk's sealer: " + sealer.error());
    const event::KioskEventFactory factory(device, *sealer, hasher, SystemClock::instance());
    std::mt19937_64 rng(static_cast<std::uint64_t>(k) + 1);
    std::vector<event::Message> messages;
    for (int i = 0; i < events; ++i) {
        messages.push_back(kioskShapedMessage(factory, rng, i, shoppers));
        ids.push_back(messages.back().messageId);
    }
    outbox::OutboxOptions oo;
    oo.path = path;
    auto box = outbox::Outbox::open(oo);
    if (!box) throw std::runtime_error("outbox: " + box.error().message);
    if (auto r = (*box)->enqueueBatch(messages); !r) throw std::runtime_error("enqueue: " + r.error().message);
}

struct StoreCheck {
    std::int64_t rows = 0, distinct = 0, feedbackRows = 0, feedbackDistinct = 0, missing = 0;
};

/// What the hub stored, read from its SQLite file after it stopped.
StoreCheck checkStore(const std::filesystem::path& file, const std::vector<std::string>& expected) {
    auto db = sqlite::Database::open(file, false, true);
    if (!db) throw std::runtime_error("hub store: " + db.error().message);
    StoreCheck c;
    c.rows = db->queryInt("SELECT COUNT(*) FROM events").value();
    c.distinct = db->queryInt("SELECT COUNT(DISTINCT message_id) FROM events").value();
    c.feedbackRows = db->queryInt("SELECT COUNT(*) FROM feedback").value();
    c.feedbackDistinct = db->queryInt("SELECT COUNT(DISTINCT message_id) FROM feedback").value();
    std::unordered_set<std::string> stored;
    auto st = db->prepare("SELECT message_id FROM events");
    if (!st) throw std::runtime_error("hub store: " + st.error().message);
    while (st->step().value()) stored.insert(st->columnText(0));
    for (const auto& id : expected) c.missing += stored.count(id) == 0;
    return c;
}

}  // namespace

int runFleetReturnBench(const FleetReturnOptions& o) {
    const long fileLimit = raiseOpenFileLimit();
    // Loopback is one client address and one token serves every kiosk here: the bench's hub lets one address
    // hold the fleet's connections (twice over: a kiosk whose request timed out reconnects while the hub still
    // holds the old connection until its answer fails) and turns off the per-address and per-token request
    // rates (a real fleet has an address per store and a token per kiosk). Everything else is the default.
    const std::string limits = "[limits]\nmax_connections_per_address = " + std::to_string(2 * o.kiosks + 64) +
                               "\nper_address_per_second = 0\nper_token_per_second = 0\n";
    auto hub = HubProcess::start(hubExecutable(o.hub), limits);
    const auto folder = outboxFolder();
    struct RemoveFolder {
        std::filesystem::path p;
        ~RemoveFolder() {
            std::error_code ec;
            std::filesystem::remove_all(p, ec);
        }
    } removeFolder{folder};

    auto hasher = event::IdentityHasher::fromKeyB64(event::IdentityHasher::generateKeyB64());
    if (!hasher) throw std::runtime_error("cannot make the kiosks' keys");
    const auto buildStart = Clock::now();
    const std::int64_t shoppers = std::max<std::int64_t>(1000, static_cast<std::int64_t>(o.kiosks) * o.events / 8);
    std::vector<std::vector<std::string>> idsPerKiosk(static_cast<std::size_t>(o.kiosks));
    {
        std::atomic<int> next{0};
        std::vector<std::thread> builders;
        for (int t = 0; t < 2; ++t) {
            builders.emplace_back([&] {
                for (int k; (k = next.fetch_add(1)) < o.kiosks;) {
                    buildOutbox(folder / ("outbox-" + std::to_string(k) + ".db"), k, o.events, shoppers, hub->sealingPublicKeyB64(), *hasher,
                                idsPerKiosk[static_cast<std::size_t>(k)]);
                }
            });
        }
        for (auto& t : builders) t.join();
    }
    const double buildSeconds = secondsSince(buildStart);

    const uploader::CurlGlobal curl;
    std::vector<std::unique_ptr<uploader::Uploader>> fleet;
    for (int k = 0; k < o.kiosks; ++k) {
        uploader::UploaderOptions uo;
        uo.http.baseUrl = hub->url();
        uo.http.caFile = hub->caFile();
        uo.token = hub->kioskToken("store-" + std::to_string(k / 10), "kiosk-" + std::to_string(k));
        uo.outboxPath = folder / ("outbox-" + std::to_string(k) + ".db");
        uo.heartbeatInterval = std::chrono::milliseconds(0);
        auto created = uploader::Uploader::create(std::move(uo));
        if (!created) throw std::runtime_error("uploader: " + created.error());
        fleet.push_back(std::move(created.value()));
    }

    // All at once: each uploader's thread plus one thread waiting on its flush (which skips the recovery
    // wait and pacing an uploader applies after an outage: this measures what the hub can take).
    const long rssBefore = hub->residentKiB();
    const auto writerBefore = hub->writerFigures();
    std::vector<uploader::FlushResult> results(fleet.size(), uploader::FlushResult::NotRunning);
    std::vector<std::thread> flushers;
    const double hubCpu0 = hub->cpuSeconds();
    const double benchCpu0 = processCpuSeconds();
    const auto t0 = Clock::now();
    for (auto& up : fleet) up->start();
    std::atomic<int> retries{0}, finished{0};
    std::atomic<bool> hubGone{false};
    for (std::size_t k = 0; k < fleet.size(); ++k) {
        flushers.emplace_back([&results, &retries, &finished, &hubGone, k, u = fleet[k].get()] {
            // A flush ends at the first failed request (the hub did not answer in time, a handshake timed out);
            // the uploader would retry after a backoff, and the hub answers what it already stored as
            // duplicates, so the bench retries after a short pause until the outbox is empty or the deadline.
            const auto deadline = Clock::now() + kDrainDeadline;
            std::mt19937_64 jitter(k);
            auto pause = kRetryFirstPause;
            for (bool first = true; Clock::now() < deadline && !hubGone.load(); first = false) {
                if (!first) {
                    retries.fetch_add(1);
                    const auto wait = pause / 2 + std::chrono::milliseconds(jitter() % (pause.count() / 2 + 1));
                    for (auto until = Clock::now() + wait; Clock::now() < until && !hubGone.load();) {
                        std::this_thread::sleep_for(std::chrono::milliseconds(50));
                    }
                    pause = std::min(pause * 2, kRetryMaxPause);
                }
                results[k] = u->flush(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
                if (results[k] == uploader::FlushResult::Empty) break;
            }
            finished.fetch_add(1);
        });
    }
    while (finished.load() < o.kiosks && !hubGone.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (!hub->running()) hubGone.store(true);  // nothing to retry against: end the run
    }
    for (auto& t : flushers) t.join();
    const double seconds = secondsSince(t0);
    const double hubCpu = hub->cpuSeconds() - hubCpu0;
    const double benchCpu = processCpuSeconds() - benchCpu0;
    const long rssDuring = hub->residentKiB();
    const auto writerAfter = hub->writerFigures();
    const bool writerKnown = writerBefore.busySeconds >= 0 && writerAfter.busySeconds >= 0;
    const double writerBusy = writerKnown ? writerAfter.busySeconds - writerBefore.busySeconds : -1;
    const double writerCpu = writerKnown ? writerAfter.cpuSeconds - writerBefore.cpuSeconds : -1;
    const double writerTransactions = writerKnown ? writerAfter.transactions - writerBefore.transactions : -1;
    std::int64_t requests = 0;
    std::string firstCause;
    int emptied = 0;
    for (std::size_t k = 0; k < fleet.size(); ++k) {
        fleet[k]->stop();
        const auto h = fleet[k]->health();
        requests += h.requests;
        if (results[k] == uploader::FlushResult::Empty) ++emptied;
        else if (firstCause.empty()) firstCause = h.cause;
    }
    fleet.clear();

    std::int64_t pendingLeft = 0, deadLetters = 0;
    for (int k = 0; k < o.kiosks; ++k) {
        outbox::OutboxOptions oo;
        oo.path = folder / ("outbox-" + std::to_string(k) + ".db");
        auto box = outbox::Outbox::open(oo);
        if (!box) throw std::runtime_error("outbox: " + box.error().message);
        const auto s = (*box)->stats();
        if (!s) throw std::runtime_error("outbox: " + s.error().message);
        pendingLeft += s->pendingCount;
        deadLetters += s->deadLetterCount;
    }
    const bool hubUp = hub->running();
    const int exit = hub->stop();
    std::vector<std::string> expected;
    for (auto& ids : idsPerKiosk) expected.insert(expected.end(), ids.begin(), ids.end());
    const auto stored = checkStore(hub->storeFile(), expected);

    const std::int64_t total = static_cast<std::int64_t>(o.kiosks) * o.events;
    const std::int64_t doubled = (stored.rows - stored.distinct) + (stored.feedbackRows - stored.feedbackDistinct);
    const bool exact = stored.missing == 0 && doubled == 0 && stored.distinct == total;
    const bool complete = exact && emptied == o.kiosks && pendingLeft == 0 && deadLetters == 0 && hubUp;
    const double perS = static_cast<double>(total) / seconds;
    nlohmann::json j{{"benchmark", "fleet-return"},
                     {"kiosks", o.kiosks},
                     {"eventsPerKiosk", o.events},
                     {"events", total},
                     {"seconds", seconds},
                     {"eventsPerS", perS},
                     {"targetEventsPerS", 20000},
                     {"requests", requests},
                     {"uploadersEmptied", emptied},
                     {"flushRetries", retries.load()},
                     {"hubCpuSeconds", hubCpu},
                     {"hubCpuMicrosPerEvent", hubCpu * 1e6 / static_cast<double>(total)},
                     {"benchCpuSeconds", benchCpu},
                     // The SQLite writer's time in transactions during the drain, and its CPU in that time:
                     // busy near `seconds` means the writer set the pace; busy well above CPU, that it waited
                     // for a core or the disk.
                     {"writerBusySeconds", writerBusy},
                     {"writerCpuSeconds", writerCpu},
                     // How many transactions stored the drain (group commit: a transaction stores every
                     // request that reached the writer while the one before it ran).
                     {"writerTransactions", writerTransactions},
                     {"outboxPendingLeft", pendingLeft},
                     {"outboxDeadLetters", deadLetters},
                     {"storeEventRows", stored.rows},
                     {"storeDistinctIds", stored.distinct},
                     {"storeFeedbackRows", stored.feedbackRows},
                     {"lost", stored.missing},
                     {"doubled", doubled},
                     {"exactlyOnce", exact},
                     {"firstFailure", firstCause},
                     {"rssBeforeKiB", rssBefore},
                     {"rssDuringKiB", rssDuring},
                     {"hubExit", exit},
                     {"backlogBuildSeconds", buildSeconds},
                     {"benchOpenFileLimit", fileLimit}};
    return report(std::move(j), limits, complete, o.json, [&] {
        std::printf(
            "%d kiosks x %d events drained into the hub in %.2f s: %.0f events/s (target >= 20,000), %lld "
            "requests, %d flushes retried; hub CPU %.1f s (%.1f us/event), bench CPU %.1f s; the store's "
            "writer busy %.1f s, %.1f s of it on a core\n",
            o.kiosks, o.events, seconds, perS, static_cast<long long>(requests), retries.load(), hubCpu,
            hubCpu * 1e6 / static_cast<double>(total), benchCpu, writerBusy, writerCpu);
        std::printf("hub store: %lld rows, %lld distinct ids, %lld lost, %lld doubled; outboxes: %lld pending, %lld "
                    "dead letters, %d of %d emptied%s%s\n",
                    static_cast<long long>(stored.rows), static_cast<long long>(stored.distinct),
                    static_cast<long long>(stored.missing), static_cast<long long>(doubled),
                    static_cast<long long>(pendingLeft), static_cast<long long>(deadLetters), emptied, o.kiosks,
                    firstCause.empty() ? "" : "; first failure: ", firstCause.c_str());
    });
}

}  // namespace touchpoint::bench
