#include "bench_ingest.hpp"
#include "bench_hub_process.hpp"

#include <httplib.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <variant>

#include "common/tls_cert.hpp"
#include "event/kiosk_events.hpp"
#include "hub/admin/hub_admin.hpp"
#include "hub/http/hub_server.hpp"
#include "hub/pg_cluster.hpp"
#include "kiosk_mix.hpp"
#include "protocol/gzip.hpp"
#include "sqlite_log_pages.hpp"

namespace touchpoint::bench {

using namespace touchpoint::hub;

namespace {

using nlohmann::json;

constexpr int kBenchKiosks = 40;

/// A kiosk-shaped mix: sign-ins and consents with sealed phones, feedback (some with sealed comments),
/// abandoned surveys, heartbeats; shoppers come back, so the identity graph and cooldowns do real work.
/// Each batch is one kiosk's (kiosk index, gzip body): a kiosk token speaks for its own kiosk only.
std::vector<std::pair<std::size_t, std::string>> makeBatches(const IngestBenchOptions& o, const std::string& publicKey,
                                                             std::int64_t nowMs) {
    auto hasher = event::IdentityHasher::fromKeyB64(event::IdentityHasher::generateKeyB64());
    ManualClock clock(nowMs - 3'600'000);
    std::mt19937_64 rng(42);
    std::vector<event::KioskEventFactory> kiosks;
    for (int k = 0; k < kBenchKiosks; ++k) {
        event::DeviceIdentity d{"store-" + std::to_string(k / 4), "kiosk-" + std::to_string(k), "America/New_York",
                                "0.1.0", "boot"};
        // Each kiosk seals under its own session key, as kiosks do (the bench's 5 messages a second per kiosk
        // stay within one session's hour of simulated time).
        auto sealer = event::Sealer::fromPublicKeyB64(publicKey);
        if (!sealer) throw std::runtime_error("bench: " + sealer.error());
        kiosks.emplace_back(d, *sealer, *hasher, clock);
    }
    const std::int64_t shoppers = std::max<std::int64_t>(1000, o.messages / 8);
    std::vector<std::pair<std::size_t, std::string>> batches;
    json batch = json::array();
    std::int64_t seq = 0;
    for (std::int64_t i = 0; i < o.messages; ++i) {
        const std::size_t kiosk = batches.size() % kiosks.size();
        auto& f = kiosks[kiosk];
        clock.advanceMs(5);
        event::Message m = kioskShapedMessage(f, rng, i, shoppers);
        m.context.sequence = ++seq;
        batch.push_back(event::toJson(m, clock.utcMs()));
        if (batch.size() == o.batchMessages || i + 1 == o.messages) {
            json body = {{"batch", std::move(batch)}, {"sentAt", formatIsoUtcMs(clock.utcMs())}};
            batches.emplace_back(kiosk, protocol::gzipCompress(body.dump()).value());
            batch = json::array();
        }
    }
    return batches;
}

}  // namespace

int runIngestBench(const IngestBenchOptions& o, std::ostream& out, std::ostream& err) {
    if (o.store != "sqlite" && o.store != "postgres") {
        err << "bench: --store must be sqlite or postgres\n";
        return 2;
    }
    if (o.senders < 1 || o.messages < 1) {
        err << "bench: --senders and --n must be positive\n";
        return 2;
    }
    std::string templ = o.dir + "/touchpoint-bench-XXXXXX";
    if (!::mkdtemp(templ.data())) {
        err << "bench: cannot create a directory in " << o.dir << "\n";
        return 1;
    }
    const std::filesystem::path dir = templ;
    struct Cleanup {
        std::filesystem::path dir;
        ~Cleanup() {
            std::error_code ec;
            std::filesystem::remove_all(dir, ec);
        }
    } cleanup{dir};

    std::optional<TempPostgres> pg;
    HubConfig config;
    config.port = 0;
    config.workerThreads = o.senders + 2;
    config.storeConnections = o.senders + 1;
    if (o.store == "sqlite") {
        config.storeUrl = "sqlite://" + (dir / "hub.db").string();
    } else if (!o.postgresUrl.empty()) {
        config.storeUrl = o.postgresUrl;
    } else {
        auto started = TempPostgres::start();
        if (!started) {
            err << "bench: " << started.error() << "\n";
            return 1;
        }
        pg.emplace(std::move(started).value());
        config.storeUrl = pg->url();
    }
    auto pem = tls::makeCertificate(tls::CertificateRequest{});
    if (!pem) {
        err << "bench: " << pem.error() << "\n";
        return 1;
    }
    config.tlsCertFile = (dir / "cert.pem").string();
    config.tlsKeyFile = (dir / "key.pem").string();
    (void)tls::writeFileAtomically(config.tlsCertFile, pem->certificate, 0644);
    (void)tls::writeFileAtomically(config.tlsKeyFile, pem->privateKey, 0600);
    const auto keys = event::generateSealingKeyPair();
    config.sealingSecretKeyFiles = {(dir / "sealing.key").string()};
    (void)tls::writeFileAtomically(config.sealingSecretKeyFiles[0], keys.secretKeyB64, 0600);

    if (o.feedbackRules) {
        AlertRule share;
        share.name = "unhappy-share";
        AlertRule run = share;
        run.name = "detractor-run";
        run.kind = AlertKind::DetractorRun;
        run.windowMinutes = 60;
        AlertRule reason = share;
        reason.name = "frequent-reason";
        reason.kind = AlertKind::FrequentReason;
        config.cases.alerts = {share, run, reason};
        CaseRule words;
        words.name = "words";
        words.kind = CaseKind::CommentWords;
        words.words = {"rude", "call me"};
        config.cases.rules.push_back(words);
    }
    auto server = HubServer::create(config);
    if (!server) {
        err << "bench: " << server.error() << "\n";
        return 1;
    }
    std::vector<std::string> tokens;  // one per simulated kiosk, as makeBatches names them
    for (int k = 0; k < kBenchKiosks; ++k) {
        const auto kioskId = "kiosk-" + std::to_string(k);
        auto token = createToken(*(*server)->context().store,
                                 {"bench-" + kioskId, "kiosk", "store-" + std::to_string(k / 4), kioskId, ""});
        if (!token) {
            err << "bench: " << token.error() << "\n";
            return 1;
        }
        tokens.push_back(*token);
    }
    auto port = (*server)->start();
    if (!port) {
        err << "bench: " << port.error() << "\n";
        return 1;
    }
    err << "bench: preparing " << o.messages << " messages...\n";
    const auto batches = makeBatches(o, keys.publicKeyB64, SystemClock::instance().utcMs());

    std::atomic<std::size_t> next{0};
    std::atomic<std::int64_t> accepted{0}, other{0}, failures{0};
    HubStore& store = *(*server)->context().store;
    const auto writerStart = store.writerTime();  // SQLite's one writer; none for PostgreSQL
    const double cpuStart = processCpuSeconds();
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> senders;
    for (int s = 0; s < o.senders; ++s) {
        senders.emplace_back([&] {
            httplib::SSLClient client("127.0.0.1", *port);
            client.set_ca_cert_path(config.tlsCertFile.c_str());
            client.enable_server_certificate_verification(true);
            client.set_keep_alive(true);
            client.set_tcp_nodelay(true);
            client.set_read_timeout(120, 0);
            for (std::size_t i = next++; i < batches.size(); i = next++) {
                const httplib::Headers headers{{"Content-Encoding", "gzip"},
                                               {"Authorization", "Bearer " + tokens[batches[i].first]}};
                auto res = client.Post("/v1/batch", headers, batches[i].second, "application/json");
                if (!res || res->status != 200) {
                    ++failures;
                    continue;
                }
                const auto body = json::parse(res->body, nullptr, false);
                if (!body.is_object() || !body["receipts"].is_array()) {
                    ++failures;
                    continue;
                }
                for (const auto& r : body["receipts"]) (r["status"] == "accepted" ? accepted : other) += 1;
            }
        });
    }
    for (auto& t : senders) t.join();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    // Both sides' CPU (the senders run in this process too): a figure that does not depend on what else the
    // machine was doing, unlike the rate.
    const double events = static_cast<double>(std::max<std::int64_t>(1, accepted.load()));
    const double cpuUsPerEvent = (processCpuSeconds() - cpuStart) * 1e6 / events;
    // The writer's share of the run and its time per event: at a share near 1 the writer sets the rate, which
    // then cannot pass one event per writerMicrosecondsPerEvent (docs/OPERATIONS.md "Capacity").
    std::optional<WriterTime> writer;
    if (const auto writerEnd = store.writerTime(); writerStart && writerEnd) {
        writer = WriterTime{writerEnd->busySeconds - writerStart->busySeconds,
                            writerEnd->cpuSeconds - writerStart->cpuSeconds,
                            writerEnd->transactions - writerStart->transactions};
    }
    json logPages;
    if (o.logPages && o.store == "sqlite") {
        // Before the hub stops: closing the last connection checkpoints the log away.
        auto read = readLogPages(dir / "hub.db");
        if (auto* error = std::get_if<std::string>(&read)) {
            err << "bench: " << *error << "\n";
        } else {
            const auto& pages = std::get<LogPages>(read);
            json trees = json::array();
            for (std::size_t i = 0; i < pages.byTree.size() && i < 16; ++i) {
                const auto& t = pages.byTree[i];
                trees.push_back(
                    {{"name", t.name},
                     {"frames", t.frames},
                     {"share", static_cast<double>(t.frames) /
                                   static_cast<double>(std::max<std::int64_t>(1, pages.frames))}});
            }
            logPages = {
                {"frames", pages.frames},
                {"commits", pages.commits},
                {"framesPerCommit", static_cast<double>(pages.frames) /
                                        static_cast<double>(std::max<std::int64_t>(1, pages.commits))},
                {"byTree", trees}};
        }
    }
    (*server)->stop();
    const double rate = static_cast<double>(accepted.load()) / took.count();
    if (o.json) {
        json result{{"store", o.store},
                    {"dir", o.dir},
                    {"senders", o.senders},
                    {"messages", o.messages},
                    {"batchMessages", o.batchMessages},
                    {"accepted", accepted.load()},
                    {"notAccepted", other.load()},
                    {"failedRequests", failures.load()},
                    {"seconds", took.count()},
                    {"eventsPerSecond", rate},
                    {"cpuMicrosecondsPerEvent", cpuUsPerEvent}};
        if (writer) {
            result["writerBusyShare"] = writer->busySeconds / took.count();
            result["writerMicrosecondsPerEvent"] = writer->busySeconds * 1e6 / events;
            result["writerCpuMicrosecondsPerEvent"] = writer->cpuSeconds * 1e6 / events;
            result["writerTransactions"] = writer->transactions;
        }
        if (!logPages.is_null()) result["logPages"] = logPages;
        out << result.dump() << "\n";
    } else {
        out << "store=" << o.store << " senders=" << o.senders << " accepted=" << accepted
            << " other=" << other << " failed_requests=" << failures << " seconds=" << took.count()
            << " events_per_second=" << rate << " cpu_us_per_event=" << cpuUsPerEvent << "\n";
        if (writer) {
            out << "writer busy_share=" << writer->busySeconds / took.count()
                << " us_per_event=" << writer->busySeconds * 1e6 / events
                << " cpu_us_per_event=" << writer->cpuSeconds * 1e6 / events << " transactions=" << writer->transactions
                << "\n";
        }
        if (!logPages.is_null()) {
            out << "log frames=" << logPages["frames"] << " commits=" << logPages["commits"] << "\n";
            for (const auto& t : logPages["byTree"]) {
                char share[16];
                std::snprintf(share, sizeof share, "%.1f%%", t["share"].get<double>() * 100);
                out << "  " << t["name"].get<std::string>() << " " << t["frames"] << " (" << share << ")\n";
            }
        }
    }
    return failures == 0 && accepted == o.messages ? 0 : 1;
}

}  // namespace touchpoint::bench
