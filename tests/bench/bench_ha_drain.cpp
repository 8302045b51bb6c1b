#include "bench_ha_drain.hpp"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "bench_hub_process.hpp"
#include "hub/haproxy.hpp"
#include "hub/hub_fleet.hpp"
#include "hub/kiosk_drain.hpp"
#include "hub/pg_auto_failover.hpp"
#include "hub/pg_cluster.hpp"
#include "temp_dir.hpp"

namespace touchpoint::bench {

namespace {

using hub::DrainOptions;
using hub::DrainResult;
using hub::HubFleet;
using hub::KioskTraffic;

/// Loopback is every client's address and the balancer's (see tests/hub/store/ha_drain_test.cpp).
const std::string kLimits =
    "[limits]\ntrusted_proxies = [\"127.0.0.1\"]\nmax_connections_per_address = 512\n"
    "per_address_per_second = 0\nper_token_per_second = 0\n";

template <class T>
T need(Result<T, std::string> r, const char* what) {
    if (!r) throw std::runtime_error(std::string(what) + ": " + r.error());
    return std::move(r).value();
}

std::vector<std::string> tokensFor(const HubFleet& fleet, const KioskTraffic& traffic) {
    std::vector<std::string> tokens;
    for (std::size_t k = 0; k < traffic.kioskIds.size(); ++k) {
        tokens.push_back(need(fleet.kioskToken(traffic.storeIds[k], traffic.kioskIds[k]), "token"));
    }
    return tokens;
}

struct Run {
    std::string name;
    int hubs = 0;
    DrainResult drain;
    int kills = 0;
    double failedOverAt = -1;
    hub::ExactlyOnce once;
    bool sameDerivedState = true;
    bool compared = false;  ///< false for the first run, which has nothing to be compared with
    double loadAverage = 0;
    double eventsPerS() const {
        return drain.seconds > 0 ? static_cast<double>(once.expected) / drain.seconds : 0;
    }
};

bool sameDerived(const hub::StoredState& a, const hub::StoredState& b) {
    return a.checkinRows == b.checkinRows && a.transitionRows == b.transitionRows &&
           a.signinRows == b.signinRows && a.feedback == b.feedback && a.kiosks == b.kiosks &&
           a.profiles == b.profiles;
}

/// One drain of `traffic` through HAProxy into `hubs` processes on `storeUrl`; `tick` injects faults.
Run drainThroughBalancer(const std::string& name, const std::filesystem::path& exe,
                         const std::string& storeUrl, int hubs, const KioskTraffic& traffic,
                         const HubFleet* keysFrom, const HaDrainOptions& o,
                         const std::filesystem::path& folder,
                         const std::function<void(HubFleet&, Run&, double, std::int64_t)>& tick) {
    auto fleet = need(HubFleet::start({exe, storeUrl, hubs, kLimits, keysFrom}), "hubs");
    std::vector<int> ports;
    for (int i = 0; i < hubs; ++i) ports.push_back(fleet->port(i));
    auto balancer =
        need(hub::Haproxy::start({ports, fleet->certFile(), fleet->keyFile(), fleet->certFile()}), "haproxy");
    Run run;
    run.name = name;
    run.hubs = hubs;
    DrainOptions d{folder / name, o.batchEvents, std::chrono::seconds(1800), nullptr};
    if (tick) d.tick = [&](double s, std::int64_t n) { tick(*fleet, run, s, n); };
    run.drain =
        need(hub::drainKiosks(traffic, {balancer->url(), fleet->certFile(), tokensFor(*fleet, traffic)}, d),
             name.c_str());
    run.loadAverage = loadAverage1m();
    return run;
}

}  // namespace

int runHaDrainBench(const HaDrainOptions& o) {
    const auto exe = hubExecutable(o.hub);
    auto pg = need(hub::TempPostgres::start(), "postgres");
    const touchpoint::testing::TempDir folder;
    // The sealing key of the first fleet seals every run's traffic; later fleets copy it.
    auto keys = need(HubFleet::start({exe, need(pg.createDatabase("keys"), "createdb"), 1, kLimits, nullptr}),
                     "hubs");
    const int perKiosk = static_cast<int>(o.events / o.kiosks);
    const auto traffic = hub::makeKioskTraffic(o.kiosks, perKiosk, keys->sealingPublicKeyB64());

    std::vector<Run> runs;
    std::vector<hub::StoredState> states;
    const auto finish = [&](Run run, const std::string& url) {
        auto state = need(hub::readStoredState(url), "read back");
        run.once = hub::checkExactlyOnce(traffic, state);
        // Compared with the fault-free N-hub run (the one-hub run, itself fault-free, is compared with
        // nothing and the N-hub run with it).
        if (!states.empty()) {
            run.sameDerivedState = sameDerived(state, states[states.size() > 1 ? 1 : 0]);
            run.compared = true;
        }
        states.push_back(std::move(state));
        runs.push_back(std::move(run));
        std::fprintf(stderr, "%s done in %.1f s\n", runs.back().name.c_str(), runs.back().drain.seconds);
    };
    {
        const auto url = need(pg.createDatabase("one_hub"), "createdb");
        finish(drainThroughBalancer("one-hub", exe, url, 1, traffic, keys.get(), o, folder.path(), nullptr),
               url);
    }
    {
        const auto url = need(pg.createDatabase("n_hubs"), "createdb");
        finish(
            drainThroughBalancer("n-hubs", exe, url, o.hubs, traffic, keys.get(), o, folder.path(), nullptr),
            url);
    }
    {
        const auto url = need(pg.createDatabase("n_hubs_killed"), "createdb");
        int victim = -1;
        double killedAt = 0;
        const auto tick = [&](HubFleet& fleet, Run& run, double s, std::int64_t) {
            if (victim >= 0 && s - killedAt >= 0.5) {
                if (auto r = fleet.restart(victim); !r) throw std::runtime_error("restart: " + r.error());
                victim = -1;
            } else if (victim < 0 && s >= (run.kills + 1) * o.killEverySeconds) {
                victim = run.kills % fleet.size();
                fleet.kill(victim);
                killedAt = s;
                ++run.kills;
            }
        };
        finish(drainThroughBalancer("n-hubs-killed", exe, url, o.hubs, traffic, keys.get(), o, folder.path(),
                                    tick),
               url);
    }
    std::string clusterState;
    if (o.failover) {
        auto cluster = need(hub::PgAutoFailover::start(), "pg_auto_failover");
        const auto url = need(cluster->createDatabase("failover"), "createdb");
        const auto tick = [&](HubFleet&, Run& run, double s, std::int64_t acknowledged) {
            if (run.failedOverAt < 0 && acknowledged >= traffic.total() / 4) {
                cluster->killNode(0);
                run.failedOverAt = s;
            }
        };
        finish(
            drainThroughBalancer("failover", exe, url, o.hubs, traffic, keys.get(), o, folder.path(), tick),
            url);
        clusterState = cluster->showState();
    }

    bool complete = true;
    nlohmann::json j{{"benchmark", "ha-drain"},
                     {"events", traffic.total()},
                     {"kiosks", o.kiosks},
                     {"batchEvents", o.batchEvents},
                     {"killEverySeconds", o.killEverySeconds}};
    for (const auto& r : runs) {
        complete =
            complete && r.drain.emptied && r.once.ok() && r.sameDerivedState && r.drain.deadLetters == 0;
        j["runs"].push_back({{"run", r.name},
                             {"hubs", r.hubs},
                             {"seconds", r.drain.seconds},
                             {"eventsPerS", r.eventsPerS()},
                             {"requests", r.drain.requests},
                             {"duplicatesAnswered", r.drain.duplicates},
                             {"kills", r.kills},
                             {"primaryKilledAtS", r.failedOverAt},
                             {"longestSecondsWithoutReceipt", r.drain.longestGapSeconds},
                             {"emptied", r.drain.emptied},
                             {"lost", r.once.lost},
                             {"doubled", r.once.doubled},
                             {"derivedStateEqualsControl", r.compared ? nlohmann::json(r.sameDerivedState) : nlohmann::json(nullptr)},
                             {"loadAverage1mAfter", r.loadAverage}});
    }
    return report(std::move(j), kLimits, complete, o.json, [&] {
        std::printf(
            "ha-drain: %lld events from %d kiosks (real outboxes and uploaders, %d events a request) through "
            "HAProxy into touchpoint-hub processes on one PostgreSQL\n",
            static_cast<long long>(traffic.total()), o.kiosks, o.batchEvents);
        for (const auto& r : runs) {
            std::printf("  %-14s %d hub(s): %7.1f s, %8.0f events/s, %lld requests, %lld duplicates answered",
                        r.name.c_str(), r.hubs, r.drain.seconds, r.eventsPerS(),
                        static_cast<long long>(r.drain.requests), static_cast<long long>(r.drain.duplicates));
            if (r.kills > 0) std::printf(", %d hub kills", r.kills);
            if (r.failedOverAt >= 0) std::printf(", primary killed at %.1f s", r.failedOverAt);
            std::printf(
                ", longest without a receipt %.1f s; %lld lost, %lld doubled, derived state %s; load %.2f\n",
                r.drain.longestGapSeconds, static_cast<long long>(r.once.lost),
                static_cast<long long>(r.once.doubled),
                r.sameDerivedState ? "equal to the control (n-hubs)" : "DIFFERENT from the control",
                r.loadAverage);
        }
        if (!clusterState.empty()) std::printf("  cluster after the failover:\n%s\n", clusterState.c_str());
    });
}

}  // namespace touchpoint::bench
