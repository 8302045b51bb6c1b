// `touchpoint-bench flood`: the real hub process while an attacker holds slowloris connections (headers
// trickled a byte at a time, reopened whenever the hub's deadlines close them) and floods it with chunked
// bodies and gzip bombs, with and without a valid token; meanwhile a normal kiosk posts real kiosk batches
// (gzip, valid token, sealed personal fields) on one keep-alive connection and times each batch to its receipt,
// and /healthz is timed on fresh connections.

#include <httplib.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "bench_hub_load.hpp"
#include "bench_hub_process.hpp"
#include "common/clock.hpp"
#include "event/kiosk_events.hpp"
#include "event/sealing.hpp"
#include "kiosk_mix.hpp"
#include "protocol/gzip.hpp"
#include "protocol/wire.hpp"
#include "raw_tls_client.hpp"

namespace touchpoint::bench {

namespace {

using hub::testing::gzipOfZeros;
using hub::testing::RawTlsClient;
using Clock = std::chrono::steady_clock;

struct KioskBatch {
    std::string gzipBody;
    std::vector<std::string> ids;
};

/// Real kiosk traffic (kiosk_mix.hpp, personal fields sealed to the hub's key), `perBatch` to a gzip batch.
std::vector<KioskBatch> makeKioskBatches(const std::string& publicKey, int batches, int perBatch) {
    auto sealer = event::Sealer::fromPublicKeyB64(publicKey);
    auto hasher = event::IdentityHasher::fromKeyB64(event::IdentityHasher::generateKeyB64());
    if (!sealer || !hasher) throw std::runtime_error("cannot make the kiosk's keys");
    const event::DeviceIdentity device{"store-flood", "kiosk-flood", "UTC", "bench", currentBootId()};
    const event::KioskEventFactory factory(device, *sealer, *hasher, SystemClock::instance());
    std::mt19937_64 rng(7);
    std::vector<KioskBatch> out;
    std::int64_t i = 0;
    for (int b = 0; b < batches; ++b) {
        KioskBatch batch;
        nlohmann::json messages = nlohmann::json::array();
        for (int k = 0; k < perBatch; ++k) {
            auto m = kioskShapedMessage(factory, rng, i++, 1000);
            batch.ids.push_back(m.messageId);
            messages.push_back(event::toJson(m, SystemClock::instance().utcMs()));
        }
        const nlohmann::json body{{"batch", std::move(messages)}, {"sentAt", formatIsoUtcMs(SystemClock::instance().utcMs())}};
        batch.gzipBody = protocol::gzipCompress(body.dump()).value();
        out.push_back(std::move(batch));
    }
    return out;
}

/// The attacker's slow connections: each gets one more header byte per round (a round takes ~1 s), so only
/// the hub's request deadline ends them; a closed one is reopened.
class Slowloris {
public:
    Slowloris(int port, int n) : m_port(port), m_clients(static_cast<std::size_t>(n)) {}

    void run(const std::atomic<bool>& stop) {
        const std::string head = "POST /v1/batch HTTP/1.1\r\nHost: localhost\r\nX-Slow: ";
        std::vector<std::size_t> sent(m_clients.size(), 0);
        while (!stop.load()) {
            const auto roundStart = Clock::now();
            for (std::size_t i = 0; i < m_clients.size() && !stop.load(); ++i) {
                auto& c = m_clients[i];
                if (c && c->open() && !c->readable(std::chrono::milliseconds(0))) {
                    const char byte = sent[i] < head.size() ? head[sent[i]] : 'a';
                    if (c->send(std::string(1, byte))) {
                        ++sent[i];
                        continue;
                    }
                }
                // Closed by the hub (its deadline answered 408) or never opened: open it (again).
                if (c) m_reopened.fetch_add(1);
                c = std::make_unique<RawTlsClient>();
                if (!c->connect(m_port)) {
                    c.reset();
                    m_failedOpens.fetch_add(1);
                }
                sent[i] = 0;
            }
            std::this_thread::sleep_until(roundStart + std::chrono::seconds(1));
        }
    }

    long held() const {
        long n = 0;
        for (const auto& c : m_clients) n += c && c->open() ? 1 : 0;
        return n;
    }
    long reopened() const { return m_reopened.load(); }
    long failedOpens() const { return m_failedOpens.load(); }

private:
    int m_port;
    std::vector<std::unique_ptr<RawTlsClient>> m_clients;
    std::atomic<long> m_reopened{0}, m_failedOpens{0};
};

/// One attack request on a new connection; the status the hub answered (0: none, the connection was cut).
int sendBomb(int port, int kind, const std::string& token, const std::string& gzipBomb) {
    RawTlsClient c;
    if (!c.connect(port)) return 0;
    const bool withToken = kind % 2 == 1;
    const bool chunked = kind < 2;
    std::string head = "POST /v1/batch HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                       "Content-Encoding: gzip\r\n";
    if (withToken) head += "Authorization: Bearer " + token + "\r\n";
    if (chunked) {
        head += "Transfer-Encoding: chunked\r\n\r\n";
        if (!c.send(head)) return 0;
        // Up to 8 MB in 64 KB chunks; the hub answers (401 on the headers, 413 at the body cap) and stops
        // reading long before, so the sends start failing.
        const std::string piece(64 * 1024, 'x');
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
        for (int i = 0; i < 128; ++i) {
            if (c.readable(std::chrono::milliseconds(0)) || !c.send(size + piece + "\r\n")) break;
        }
    } else {
        head += "Content-Length: " + std::to_string(gzipBomb.size()) + "\r\n\r\n";
        if (!c.send(head) || !c.send(gzipBomb)) {
            auto r = c.read(std::chrono::seconds(2));
            return r ? r->status : 0;
        }
    }
    auto r = c.read(std::chrono::seconds(5));
    return r ? r->status : 0;
}

}  // namespace

int runFloodBench(const FloodOptions& o) {
    raiseOpenFileLimit();
    // Loopback is one client address: the bench's hub lets it hold the attack's connections and turns off the
    // per-address request rate (which would otherwise answer the flood, and the kiosk, with 429 before any
    // body is read: the point is what the bodies cost). Deadlines and body caps are the defaults.
    const std::string limits = "[limits]\nmax_connections_per_address = " + std::to_string(o.slowloris + o.bombs + 256) +
                               "\nper_address_per_second = 0\n";
    auto hub = HubProcess::start(hubExecutable(o.hub), limits);
    const auto batches = makeKioskBatches(hub->sealingPublicKeyB64(), o.batches, o.batchEvents);
    // 200 MB of zeros in ~200 KB: under the 500 KB body cap, far over the inflated cap.
    const std::string bomb = gzipOfZeros(200u * 1024 * 1024);
    const long rssBefore = hub->residentKiB();
    // Attacker, kiosk and hub share this machine's cores: both sides' CPU time shows how much the attack's
    // own client took from the hub.
    const double hubCpu0 = hub->cpuSeconds();
    const double benchCpu0 = processCpuSeconds();
    const auto floodStart = Clock::now();

    std::atomic<bool> stop{false};
    Slowloris slow(hub->port(), o.slowloris);
    std::thread slowThread([&] { slow.run(stop); });

    std::mutex bombMutex;
    std::map<std::string, std::map<int, long>> bombStatuses;  // kind -> status -> count
    const char* kindNames[] = {"chunked-no-token", "chunked-token", "gzip-bomb-no-token", "gzip-bomb-token"};
    std::vector<std::thread> bombers;
    for (int b = 0; b < o.bombs; ++b) {
        bombers.emplace_back([&, b] {
            for (int k = b; !stop.load(); ++k) {
                const int kind = k % 4;
                const int status = sendBomb(hub->port(), kind, hub->ingestToken(), bomb);
                std::lock_guard lock(bombMutex);
                ++bombStatuses[kindNames[kind]][status];
            }
        });
    }

    std::vector<double> health;
    long healthFailures = 0;
    std::thread healthThread([&] {
        while (!stop.load()) {
            const double ms = healthzMillis(*hub);
            if (ms < 0) ++healthFailures;
            else health.push_back(ms);
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
    });

    // Let the slowloris connections open and the flood start before the kiosk's first batch.
    const auto warmup = Clock::now();
    while (slow.held() < o.slowloris && Clock::now() - warmup < std::chrono::seconds(60)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const long slowHeldAtStart = slow.held();

    httplib::SSLClient kiosk("127.0.0.1", hub->port());
    kiosk.set_ca_cert_path(hub->caFile().c_str());
    kiosk.enable_server_certificate_verification(true);
    kiosk.set_keep_alive(true);
    kiosk.set_tcp_nodelay(true);
    kiosk.set_connection_timeout(5, 0);
    kiosk.set_read_timeout(10, 0);
    kiosk.set_bearer_token_auth(hub->ingestToken().c_str());
    const httplib::Headers gzipHeader{{"Content-Encoding", "gzip"}};
    std::vector<double> latency;
    long receipted = 0, accepted = 0;
    std::map<int, long> kioskStatuses;
    for (const auto& batch : batches) {
        const auto t0 = Clock::now();
        auto r = kiosk.Post("/v1/batch", gzipHeader, batch.gzipBody, "application/json");
        const double ms = secondsSince(t0) * 1000.0;
        ++kioskStatuses[r ? r->status : 0];
        if (r && r->status == 200) {
            if (auto receipts = protocol::parseReceipts(r->body, batch.ids, r->get_header_value("Content-Type"))) {
                ++receipted;
                latency.push_back(ms);
                for (const auto& m : receipts->receipts) accepted += m.status == protocol::ReceiptStatus::Accepted;
            }
        }
        // A kiosk posts now and then, not flat out; at this pace the default 200 batches outlast the hub's
        // 15 s request deadline, so the slowloris connections are closed and reopened while batches are timed.
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const long slowHeldAtEnd = slow.held();
    const long rssDuring = hub->residentKiB();
    const double hubCpu = hub->cpuSeconds() - hubCpu0;
    const double benchCpu = processCpuSeconds() - benchCpu0;
    const double seconds = secondsSince(floodStart);
    stop.store(true);
    slowThread.join();
    for (auto& t : bombers) t.join();
    healthThread.join();
    const bool hubUp = hub->running();
    const int exit = hub->stop();

    const bool complete = receipted == o.batches && accepted == static_cast<long>(o.batches) * o.batchEvents &&
                          healthFailures == 0 && hubUp;
    std::vector<double> l = latency;
    nlohmann::json bombsJson = nlohmann::json::object();
    for (const auto& [kind, statuses] : bombStatuses) {
        for (const auto& [status, n] : statuses) bombsJson[kind][std::to_string(status)] = n;
    }
    nlohmann::json kioskJson = nlohmann::json::object();
    for (const auto& [status, n] : kioskStatuses) kioskJson[std::to_string(status)] = n;
    nlohmann::json j{{"benchmark", "flood"},
                     {"batches", o.batches},
                     {"eventsPerBatch", o.batchEvents},
                     {"batchesWithReceipt", receipted},
                     {"eventsAccepted", accepted},
                     {"kioskStatuses", kioskJson},
                     {"receiptMsP50", quantile(l, 0.50)},
                     {"receiptMsP99", quantile(l, 0.99)},
                     {"receiptMsMax", quantile(l, 1.0)},
                     {"targetReceiptMsP99", 100},
                     {"healthzAnswered", health.size()},
                     {"healthzFailed", healthFailures},
                     {"healthzMsP50", quantile(health, 0.5)},
                     {"healthzMsMax", quantile(health, 1.0)},
                     {"slowloris", o.slowloris},
                     {"slowlorisHeldAtStart", slowHeldAtStart},
                     {"slowlorisHeldAtEnd", slowHeldAtEnd},
                     {"slowlorisReopened", slow.reopened()},
                     {"slowlorisFailedOpens", slow.failedOpens()},
                     {"bombConnections", o.bombs},
                     {"bombStatuses", bombsJson},
                     {"rssBeforeKiB", rssBefore},
                     {"rssDuringKiB", rssDuring},
                     {"seconds", seconds},
                     {"hubCpuSeconds", hubCpu},
                     {"benchCpuSeconds", benchCpu},
                     {"hubExit", exit}};
    return report(std::move(j), limits, complete, o.json, [&] {
        std::printf("%ld of %d kiosk batches got their receipt (%ld events accepted): time to receipt p50 %.1f ms, "
                    "p99 %.1f ms, max %.1f ms (target p99 <= 100 ms)\n",
                    receipted, o.batches, accepted, quantile(l, 0.5), quantile(l, 0.99), quantile(l, 1.0));
        std::printf("while %ld slowloris connections were held (%ld reopened after the hub's deadline) and %d bomb "
                    "connections flooded: %s\n",
                    slowHeldAtEnd, slow.reopened(), o.bombs, bombsJson.dump().c_str());
        std::printf("/healthz answered %zu times (p50 %.1f ms, max %.1f ms), failed %ld; hub RSS %ld -> %ld KiB; in %.1f s "
                    "the hub used %.1f s of CPU, this bench (attacker and kiosk) %.1f s\n",
                    health.size(), quantile(health, 0.5), quantile(health, 1.0), healthFailures, rssBefore, rssDuring,
                    seconds, hubCpu, benchCpu);
    });
}

}  // namespace touchpoint::bench
