// `touchpoint-bench drain`: build a backlog in a temporary outbox and drain it into the in-process HTTPS hub
// receiver (real TLS, real gzip, real receipts) with the kiosk's uploader, printing events/s and wire bytes
// per event.

#include "bench_drain.hpp"
#include "bench_hub_process.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "common/clock.hpp"
#include "common/tls_cert.hpp"
#include "event/kiosk_events.hpp"
#include "event/sealing.hpp"
#include "outbox/outbox.hpp"
#include "protocol/gzip.hpp"
#include "protocol/hub_receiver.hpp"
#include "uploader/uploader.hpp"

namespace touchpoint::bench {

namespace {

using uploader::FlushResult;

/// A private temporary folder for the bench (removed afterwards unless --dir was given).
struct BenchDir {
    std::filesystem::path path;
    bool remove = true;
    ~BenchDir() {
        std::error_code ec;
        if (remove && !path.empty()) std::filesystem::remove_all(path, ec);
    }
};

}  // namespace

int runDrainBench(const DrainBenchOptions& options) {
    const std::int64_t n = options.n;
    const int gzipLevel = options.gzipLevel;
    const std::int64_t batchKb = options.batchKb;
    const auto& dirOption = options.dir;
    const bool json = options.json;

    BenchDir dir;
    if (dirOption) {
        dir.path = *dirOption;
        dir.remove = false;
        std::filesystem::create_directories(dir.path);
    } else {
        std::string tmpl = (std::filesystem::temp_directory_path() / "touchpoint-bench-drain-XXXXXX").string();
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("cannot create a temporary folder");
        dir.path = tmpl;
    }
    const auto dbPath = dir.path / "bench-outbox.db";
    auto removeDb = [](const std::filesystem::path& p) {
        std::error_code ec;
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(p.string() + suffix, ec);
    };
    removeDb(dbPath);

    // The backlog: realistic kiosk events (a feedback answer with a sealed comment) through the real outbox.
    // With synchronous=FULL a disk commits a few hundred rows a second when the machine is busy, so the
    // backlog is built on tmpfs (when there is one) and the closed file copied into the bench folder: the
    // drain itself then runs against the file on the bench folder's disk.
    const bool buildOnTmpfs = std::filesystem::is_directory("/dev/shm") && !dirOption;
    BenchDir buildDir;
    if (buildOnTmpfs) {
        std::string tmpl = "/dev/shm/touchpoint-bench-build-XXXXXX";
        if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("cannot create a tmpfs folder");
        buildDir.path = tmpl;
    }
    const auto buildPath = buildOnTmpfs ? buildDir.path / "bench-outbox.db" : dbPath;
    // Fresh keys for the run: the bench needs real sealing cost and size, not the kiosk's identity.
    auto sealer = event::Sealer::fromPublicKeyB64(event::generateSealingKeyPair().publicKeyB64);
    auto hasher = event::IdentityHasher::fromKeyB64(event::IdentityHasher::generateKeyB64());
    if (!sealer || !hasher) throw std::runtime_error("cannot make bench keys");
    event::DeviceIdentity device{"bench-store", "bench-kiosk", "UTC", "touchpointctl-bench", currentBootId()};
    const event::KioskEventFactory factory(device, sealer.value(), hasher.value(), SystemClock::instance());
    const auto buildStart = std::chrono::steady_clock::now();
    std::int64_t payloadBytes = 0;
    {
        outbox::OutboxOptions oo;
        oo.path = buildPath;
        auto opened = outbox::Outbox::open(oo);
        if (!opened) throw std::runtime_error("outbox: " + opened.error().message);
        auto& box = *opened.value();
        for (std::int64_t i = 0; i < n; ++i) {
            event::FeedbackAnswers answers;
            answers.surveyId = "store-visit";
            answers.nps = static_cast<int>(i % 11);
            answers.csat = static_cast<int>(1 + i % 5);
            answers.reasons = {"staff_helpful", "short_queue"};
            answers.comment = "Quick checkout today";
            auto message = factory.feedback("bench-session-" + std::to_string(i / 3), "en-US", answers, std::nullopt);
            auto r = box.enqueue(message);
            if (!r) throw std::runtime_error("enqueue: " + r.error().message);
            payloadBytes += static_cast<std::int64_t>(r->bytes);
        }
    }  // closed: SQLite checkpoints the WAL into the main file
    if (buildOnTmpfs) {
        for (const char* suffix : {"", "-wal"}) {
            const std::filesystem::path from = buildPath.string() + suffix;
            if (std::filesystem::exists(from)) {
                std::filesystem::copy_file(from, dbPath.string() + suffix, std::filesystem::copy_options::overwrite_existing);
            }
        }
    }
    const double buildSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - buildStart).count();

    // The hub side: certificates made now, the receiver on an ephemeral loopback port.
    tls::CertificateRequest caRequest;
    caRequest.commonName = "touchpointctl bench CA";
    caRequest.dnsNames.clear();
    caRequest.ipAddresses.clear();
    caRequest.isCa = true;
    auto ca = tls::makeCertificate(caRequest);
    if (!ca) throw std::runtime_error("certificate: " + ca.error());
    auto server = tls::makeCertificate(tls::CertificateRequest{}, ca.value());
    if (!server) throw std::runtime_error("certificate: " + server.error());
    const auto caFile = dir.path / "bench-ca.pem";
    if (auto w = tls::writeFileAtomically(caFile.string(), ca->certificate, 0644); !w) throw std::runtime_error(w.error());
    protocol::HubReceiverOptions ro;
    ro.serverCertificate = server.value();
    ro.token = "bench-token";
    auto receiver = protocol::HubReceiver::start(ro);
    if (!receiver) throw std::runtime_error(receiver.error());

    uploader::UploaderOptions uploaderOptions;
    uploaderOptions.http.baseUrl = (*receiver)->url();
    uploaderOptions.http.caFile = caFile;
    uploaderOptions.token = "bench-token";
    uploaderOptions.outboxPath = dbPath;
    uploaderOptions.gzipLevel = gzipLevel;
    uploaderOptions.maxBatchBytes = static_cast<std::size_t>(batchKb) * 1024;
    const uploader::CurlGlobal curl;
    auto created = uploader::Uploader::create(std::move(uploaderOptions));
    if (!created) throw std::runtime_error(created.error());
    auto up = std::move(created.value());

    const double cpu0 = processCpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    up->start();
    const FlushResult result = up->flush(std::chrono::minutes(30));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // Client and server run in this process, so this is the whole drain's CPU cost on both ends.
    const double cpuSeconds = processCpuSeconds() - cpu0;
    up->stop();
    const auto h = up->health();
    up.reset();  // closes the keep-alive connection so the receiver stops at once
    const auto hubStats = (*receiver)->stats();
    (*receiver)->stop();
    if (result != FlushResult::Empty || hubStats.accepted != n) {
        throw std::runtime_error("bench drain did not complete: " + h.cause + " (hub accepted " +
                           std::to_string(hubStats.accepted) + " of " + std::to_string(n) + ")");
    }

    const double perS = static_cast<double>(n) / seconds;
    const double wirePerEvent = static_cast<double>(h.bytesSent) / static_cast<double>(n);
    const double rawPerEvent = static_cast<double>(payloadBytes) / static_cast<double>(n);
    nlohmann::json j{{"benchmark", "drain"},
                     {"events", n},
                     {"seconds", seconds},
                     {"eventsPerS", perS},
                     {"wireBytesPerEvent", wirePerEvent},
                     {"payloadBytesPerEvent", rawPerEvent},
                     {"requests", h.requests},
                     {"batchKb", batchKb},
                     {"gzipLevel", gzipLevel},
                     {"hubAccepted", hubStats.accepted},
                     {"hubDuplicates", hubStats.duplicates},
                     {"backlogBuildSeconds", buildSeconds},
                     {"cpuSeconds", cpuSeconds},
                     {"eventsPerCpuSecond", static_cast<double>(n) / cpuSeconds},
                     {"loadAverage1m", loadAverage1m()},
                     {"outbox", dbPath.string()},
                     {"transport", "HTTPS (TLS, verified) on 127.0.0.1, gzip, one keep-alive connection"}};
    if (json) {
        std::printf("%s\n", j.dump(2).c_str());
    } else {
        std::printf("drained %lld events in %.2f s: %.0f events/s, %.1f wire bytes/event (%.1f before gzip), %lld requests\n",
                    static_cast<long long>(n), seconds, perS, wirePerEvent, rawPerEvent,
                    static_cast<long long>(h.requests));
    }
    return 0;
}

}  // namespace touchpoint::bench
