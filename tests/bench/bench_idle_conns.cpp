// `touchpoint-bench idle-conns`: the real hub process holds N TLS keep-alive connections that each finished a
// handshake and one request and then sit idle; its resident memory before and with all of them held gives
// the cost of one idle connection. /healthz must still answer while they are held.

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "bench_hub_load.hpp"
#include "bench_hub_process.hpp"
#include "raw_tls_client.hpp"

namespace touchpoint::bench {

namespace {

using hub::testing::RawTlsClient;

/// The "Max open files" soft limit of process `pid` as /proc shows it.
std::string openFileLimitOf(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("Max open files", 0) == 0) {
            std::istringstream fields(line.substr(14));
            std::string soft;
            fields >> soft;
            return soft;
        }
    }
    return "?";
}

/// A keep-alive connection that has done its handshake and one request; nullptr when either failed.
std::unique_ptr<RawTlsClient> openIdle(int port) {
    auto c = std::make_unique<RawTlsClient>();
    if (!c->connect(port)) return nullptr;
    if (!c->send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")) return nullptr;
    auto r = c->read(std::chrono::seconds(10));
    if (!r || r->status != 200) return nullptr;
    return c;
}

}  // namespace

int runIdleConnsBench(const IdleConnsOptions& o) {
    const long clientLimit = raiseOpenFileLimit();
    if (clientLimit >= 0 && clientLimit < o.n + 64) {
        std::fprintf(stderr, "idle-conns: this process may open only %ld files; %d connections need more (ulimit -Hn)\n",
                     clientLimit, o.n);
        return 1;
    }
    // Loopback is one client address, and opening 10,000 connections takes longer than the default idle
    // timeout: the bench's hub lets one address hold them all, without its request rate limit, and keeps
    // idle connections for 10 minutes. Everything else is the default.
    const std::string limits = "[limits]\nmax_connections = " + std::to_string(std::max(20'000, o.n + 1000)) +
                               "\nmax_connections_per_address = " + std::to_string(o.n + 64) +
                               "\nper_address_per_second = 0\nidle_timeout_ms = 600000\n";
    auto hub = HubProcess::start(hubExecutable(o.hub), limits);
    // Warm the hub up (first TLS session, worker threads, allocator) before the baseline.
    for (int i = 0; i < 20; ++i) healthzMillis(*hub);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const long before = hub->residentKiB();

    std::vector<std::unique_ptr<RawTlsClient>> held;
    std::mutex heldMutex;
    std::atomic<int> next{0}, failed{0};
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> openers;
    for (int t = 0; t < std::max(1, o.openers); ++t) {
        openers.emplace_back([&] {
            std::vector<std::unique_ptr<RawTlsClient>> mine;
            while (next.fetch_add(1) < o.n && failed.load() < 100) {
                if (auto c = openIdle(hub->port())) mine.push_back(std::move(c));
                else failed.fetch_add(1);
            }
            std::lock_guard lock(heldMutex);
            for (auto& c : mine) held.push_back(std::move(c));
        });
    }
    for (auto& t : openers) t.join();
    const double openSeconds = secondsSince(t0);
    std::this_thread::sleep_for(std::chrono::seconds(1));  // let the hub's allocator settle
    const long after = hub->residentKiB();

    std::vector<double> health;
    for (int i = 0; i < 5; ++i) health.push_back(healthzMillis(*hub));
    const bool healthy = std::none_of(health.begin(), health.end(), [](double ms) { return ms < 0; });
    // Still held: the hub has neither closed nor answered anything on them.
    const auto stillOpen = std::count_if(held.begin(), held.end(),
                                         [](const auto& c) { return !c->readable(std::chrono::milliseconds(0)); });
    const bool hubUp = hub->running();
    const std::string hubLimit = hubUp ? openFileLimitOf(hub->pid()) : "?";
    const double perConnection = stillOpen > 0 ? static_cast<double>(after - before) / static_cast<double>(stillOpen) : 0;
    held.clear();
    const int exit = hub->stop();

    const bool complete = stillOpen == o.n && healthy && hubUp;
    nlohmann::json j{{"benchmark", "idle-conns"},
                     {"connectionsAsked", o.n},
                     {"connectionsHeld", stillOpen},
                     {"connectionsFailed", failed.load()},
                     {"openSeconds", openSeconds},
                     {"rssBeforeKiB", before},
                     {"rssAfterKiB", after},
                     {"kibPerIdleConnection", perConnection},
                     {"targetKibPerIdleConnection", 40},
                     {"healthzWhileHeldMs", quantile(health, 1.0)},
                     {"healthzWhileHeldOk", healthy},
                     {"hubOpenFileLimit", hubLimit},
                     {"hubExit", exit},
                     {"benchOpenFileLimit", clientLimit}};
    return report(std::move(j), limits, complete, o.json, [&] {
        std::printf("held %ld of %d idle TLS keep-alive connections (opened in %.1f s); hub RSS %ld KiB before, %ld KiB "
                    "with them held: %.1f KiB per idle connection (target <= 40); /healthz while held: %s (max %.1f ms); "
                    "hub open-file limit %s\n",
                    static_cast<long>(stillOpen), o.n, openSeconds, before, after, perConnection,
                    healthy ? "ok" : "FAILED", quantile(health, 1.0), hubLimit.c_str());
    });
}

}  // namespace touchpoint::bench
