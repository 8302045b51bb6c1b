// `touchpoint-bench config-poll`: what the kiosks' configuration poll costs the real hub process. A document
// is published for all stores (`touchpoint-hub publish`), then K kiosks, each with its own kiosk token and
// keep-alive connection, poll GET /v1/kiosk/config with the ETag they last got, as they do every few minutes:
// after each kiosk's first answer (200) every answer should be a 304 without a body, served from the hub's
// cache of assignments (hub/fleet/config_cache.hpp). Prints requests/s, the share of 304s and the hub's CPU
// time per request.

#include <httplib.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "bench_hub_load.hpp"
#include "bench_hub_process.hpp"
#include "hub_process.hpp"

namespace touchpoint::bench {

namespace {

using Clock = std::chrono::steady_clock;

nlohmann::json benchDocument() {
    return {{"format", 1},
            {"survey",
             {{"id", "bench"},
              {"version", 1},
              {"titleKey", "survey.bench.title"},
              {"steps",
               {{{"id", "nps"}, {"type", "nps"}, {"questionKey", "survey.q.nps"}},
                {{"id", "comment"}, {"type", "comment"}, {"questionKey", "survey.q.comment"}}}}}},
            {"texts",
             {{"en",
               {{"survey.bench.title", "Your visit"},
                {"survey.q.nps", "How likely are you to recommend us?"},
                {"survey.q.comment", "Anything else?"}}}}},
            {"settings", {{"languages", {"en"}}, {"defaultLanguage", "en"}}}};
}

/// `touchpoint-hub publish` of the bench's document for all stores; throws when it fails.
void publishForAll(const std::filesystem::path& exe, const HubProcess& hub) {
    const auto doc = hub.dir() / "bench-config.json";
    std::ofstream(doc) << benchDocument().dump();
    const auto out = hub.dir() / "publish.out", err = hub.dir() / "publish.err";
    const int code = hub::testing::waitExit(
        hub::testing::spawnProgram(exe.string(),
                                   {"publish", "--config", (hub.dir() / "hub" / "hub.toml").string(),
                                    "--name", "bench", "--file", doc.string(), "--scope", "all"},
                                   out, err));
    if (code != 0) {
        std::ifstream in(err);
        throw std::runtime_error(
            "touchpoint-hub publish failed: " +
            std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()));
    }
}

struct PollCounts {
    long ok200 = 0, notModified = 0, other = 0, failed = 0;
};

}  // namespace

int runConfigPollBench(const ConfigPollOptions& o) {
    raiseOpenFileLimit();
    // Loopback is one client address: the bench's hub lets it hold every kiosk's connection and turns off the
    // per-address request rate, which would otherwise answer with 429 (the point is what a poll costs).
    const std::string limits = "[limits]\nmax_connections_per_address = " + std::to_string(o.kiosks + 64) +
                               "\nper_address_per_second = 0\n";
    const auto exe = hubExecutable(o.hub);
    auto hub = HubProcess::start(exe, limits);
    publishForAll(exe, *hub);
    std::vector<std::string> tokens;
    tokens.reserve(static_cast<std::size_t>(o.kiosks));
    for (int k = 0; k < o.kiosks; ++k) {
        tokens.push_back(hub->kioskToken("store-" + std::to_string(k % 50), "kiosk-" + std::to_string(k)));
    }

    std::vector<PollCounts> counts(static_cast<std::size_t>(o.threads));
    std::atomic<long> firstWasNot200{0};
    const double hubCpu0 = hub->cpuSeconds();
    const double benchCpu0 = processCpuSeconds();
    const auto t0 = Clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < o.threads; ++t) {
        threads.emplace_back([&, t] {
            PollCounts& n = counts[static_cast<std::size_t>(t)];
            // This thread's kiosks, each on its own keep-alive connection with the ETag it last got.
            struct Kiosk {
                std::unique_ptr<httplib::SSLClient> client;
                std::string etag;
            };
            std::vector<Kiosk> kiosks;
            for (int k = t; k < o.kiosks; k += o.threads) {
                auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", hub->port());
                c->set_ca_cert_path(hub->caFile().c_str());
                c->enable_server_certificate_verification(true);
                c->set_keep_alive(true);
                c->set_read_timeout(30, 0);
                c->set_bearer_token_auth(tokens[static_cast<std::size_t>(k)].c_str());
                kiosks.push_back({std::move(c), ""});
            }
            for (int round = 0; round < o.polls; ++round) {
                for (auto& kiosk : kiosks) {
                    httplib::Headers headers;
                    if (!kiosk.etag.empty()) headers.emplace("If-None-Match", kiosk.etag);
                    auto r = kiosk.client->Get("/v1/kiosk/config", headers);
                    if (!r) {
                        ++n.failed;
                        continue;
                    }
                    if (r->status == 200) {
                        ++n.ok200;
                        kiosk.etag = r->get_header_value("ETag");
                    } else if (r->status == 304) {
                        ++n.notModified;
                    } else {
                        ++n.other;
                    }
                    if (round == 0 && r->status != 200) firstWasNot200.fetch_add(1);
                }
            }
        });
    }
    for (auto& th : threads) th.join();
    const double seconds = secondsSince(t0);
    const double hubCpu = hub->cpuSeconds() - hubCpu0;
    const double benchCpu = processCpuSeconds() - benchCpu0;

    PollCounts total;
    for (const auto& n : counts) {
        total.ok200 += n.ok200;
        total.notModified += n.notModified;
        total.other += n.other;
        total.failed += n.failed;
    }
    const long requests = total.ok200 + total.notModified + total.other + total.failed;
    const long expected = static_cast<long>(o.kiosks) * o.polls;
    // Complete: every poll answered; each kiosk's first with the document, every later one with a 304.
    const bool complete = hub->running() && requests == expected && total.failed == 0 && total.other == 0 &&
                          firstWasNot200.load() == 0 && total.ok200 == o.kiosks;
    const double perS = seconds > 0 ? static_cast<double>(requests) / seconds : 0;
    const double share304 =
        requests > 0 ? static_cast<double>(total.notModified) / static_cast<double>(requests) : 0;
    const double hubCpuUsPerRequest = requests > 0 ? hubCpu * 1e6 / static_cast<double>(requests) : 0;
    nlohmann::json figures{{"kiosks", o.kiosks},
                           {"pollsPerKiosk", o.polls},
                           {"threads", o.threads},
                           {"requests", requests},
                           {"answered200", total.ok200},
                           {"answered304", total.notModified},
                           {"answeredOther", total.other},
                           {"failed", total.failed},
                           {"seconds", seconds},
                           {"requestsPerS", perS},
                           {"share304", share304},
                           {"hubCpuSeconds", hubCpu},
                           {"hubCpuUsPerRequest", hubCpuUsPerRequest},
                           {"benchCpuSeconds", benchCpu},
                           {"hubRssKiB", hub->residentKiB()}};
    const int code = report(figures, limits, complete, o.json, [&] {
        std::printf(
            "config-poll: %d kiosks x %d polls (keep-alive, If-None-Match) in %.2f s: %.0f requests/s\n",
            o.kiosks, o.polls, seconds, perS);
        std::printf("  answers: %ld x 200, %ld x 304 (%.1f%%), %ld other, %ld failed\n", total.ok200,
                    total.notModified, share304 * 100, total.other, total.failed);
        std::printf(
            "  hub CPU %.2f s = %.1f us per request; the bench's own client %.2f s on the same cores\n",
            hubCpu, hubCpuUsPerRequest, benchCpu);
        std::printf("  load average (1 min) %.2f\n", loadAverage1m());
    });
    hub->stop();
    return code;
}

}  // namespace touchpoint::bench
