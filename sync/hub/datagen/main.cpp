// touchpoint-datagen: loads a hub with weeks of realistic kiosk, web and app events (docs/DASHBOARD.md).
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "hub/datagen/scenario.hpp"
#include "hub/datagen/sender.hpp"

namespace {

constexpr const char* kUsage = R"(usage: touchpoint-datagen --hub https://HOST:PORT --token TOKEN --ca CERT.pem
                          --sealing-key BASE64 | --sealing-key-file FILE  [options]

Sends weeks of kiosk events (sealed like a kiosk seals them), web and app events to a hub's /v1/batch.
  --stores N          stores (default 5)              --kiosks N     kiosks per store (default 3)
  --days N            days of history up to now (28)  --seed N       random seed (1); same seed, same data
  --duplicates R      share re-sent (0.02)            --sessions R   mean sessions per kiosk and day (18)
  --now TIME          RFC 3339 end of the data (default: now); with --seed it makes a run repeatable
  --live SECONDS      afterwards keep sending heartbeats every SECONDS until stopped (Ctrl-C), so the fleet
                      page stays current; the quiet kiosk stays quiet and turns stale
  --dry-run           build the data and print counts, send nothing
  --ndjson FILE       also write every message (one JSON per line) to FILE
  --json              print the report as JSON
)";

struct Args {
    touchpoint::hub::datagen::ScenarioOptions scenario;
    touchpoint::hub::datagen::SendOptions send;
    bool dryRun = false;
    int liveSeconds = 0;
    bool json = false;
    std::string ndjson;
};

std::atomic<bool> g_stop{false};
extern "C" void onSignal(int) { g_stop = true; }

int fail(const std::string& message) {
    std::cerr << "touchpoint-datagen: " << message << "\n";
    return 2;
}

bool readFile(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream text;
    text << in.rdbuf();
    out = text.str();
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' ')) out.pop_back();
    return true;
}

template <class T>
bool number(const std::string& text, T& out) {
    try {
        std::size_t used = 0;
        if constexpr (std::is_floating_point_v<T>) {
            out = static_cast<T>(std::stod(text, &used));
        } else {
            out = static_cast<T>(std::stoll(text, &used));
        }
        return used == text.size();
    } catch (const std::exception&) {
        return false;
    }
}

}  // namespace

int main(int argc, char** argv) {
    using namespace touchpoint;
    Args a;
    a.scenario.nowMs = SystemClock::instance().utcMs();
    std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& flag = args[i];
        if (flag == "--help" || flag == "-h") {
            std::cout << kUsage;
            return 0;
        }
        if (flag == "--dry-run") { a.dryRun = true; continue; }
        if (flag == "--json") { a.json = true; continue; }
        if (i + 1 >= args.size()) return fail(flag + ": needs a value\n" + kUsage);
        const std::string& v = args[++i];
        bool ok = true;
        if (flag == "--hub") a.send.hubUrl = v;
        else if (flag == "--token") a.send.token = v;
        else if (flag == "--ca") a.send.caFile = v;
        else if (flag == "--sealing-key") a.scenario.sealingPublicKeyB64 = v;
        else if (flag == "--sealing-key-file") ok = readFile(v, a.scenario.sealingPublicKeyB64);
        else if (flag == "--stores") ok = number(v, a.scenario.stores);
        else if (flag == "--kiosks") ok = number(v, a.scenario.kiosksPerStore);
        else if (flag == "--days") ok = number(v, a.scenario.days);
        else if (flag == "--seed") ok = number(v, a.scenario.seed);
        else if (flag == "--duplicates") ok = number(v, a.scenario.duplicateRate);
        else if (flag == "--sessions") ok = number(v, a.scenario.sessionsPerKioskDay) && a.scenario.sessionsPerKioskDay > 0;
        else if (flag == "--now") ok = parseIsoUtcMs(v, a.scenario.nowMs);
        else if (flag == "--ndjson") a.ndjson = v;
        else if (flag == "--live") ok = number(v, a.liveSeconds) && a.liveSeconds >= 5;
        else return fail("unknown option " + flag + "\n" + kUsage);
        if (!ok) return fail(flag + ": cannot use '" + v + "'");
    }
    if (a.scenario.sealingPublicKeyB64.empty()) return fail("--sealing-key or --sealing-key-file is required");
    if (!a.dryRun) {
        if (a.send.hubUrl.empty()) return fail("--hub is required");
        if (a.send.token.empty()) return fail("--token is required");
        if (a.send.caFile.empty()) return fail("--ca is required (the hub's certificate)");
        std::string ca;
        if (!readFile(a.send.caFile, ca)) return fail("--ca: cannot read " + a.send.caFile);
    }

    auto scenario = hub::datagen::buildScenario(a.scenario);
    if (!scenario) return fail(scenario.error());

    if (!a.ndjson.empty()) {
        std::ofstream out(a.ndjson, std::ios::trunc);
        for (const auto& m : scenario->messages) out << m.message.dump() << "\n";
        if (!out) return fail("--ndjson: cannot write " + a.ndjson);
    }

    nlohmann::json report{{"messages", scenario->messages.size()}, {"byEvent", scenario->countsByEvent},
                          {"stores", scenario->storeIds}, {"kiosks", scenario->kioskIds.size()}};
    if (!a.dryRun) {
        auto sent = hub::datagen::sendScenario(*scenario, a.send);
        if (!sent) {
            std::cerr << "touchpoint-datagen: " << sent.error() << "\n";
            return 1;
        }
        report["batches"] = sent->batches;
        report["accepted"] = sent->accepted;
        report["duplicate"] = sent->duplicate;
        report["rejected"] = sent->rejected;
        report["rejectReasons"] = sent->rejectReasons;
        report["seconds"] = sent->seconds;
        report["eventsPerSecond"] = sent->seconds > 0 ? static_cast<double>(sent->messages) / sent->seconds : 0.0;
    }
    if (a.json) {
        std::cout << report.dump(2) << "\n";
    } else {
        std::cout << "messages: " << report["messages"] << " for " << scenario->storeIds.size() << " stores, "
                  << scenario->kioskIds.size() << " kiosks\n";
        for (const auto& [event, n] : scenario->countsByEvent) std::cout << "  " << event << ": " << n << "\n";
        if (!a.dryRun) {
            std::cout << "sent in " << report["batches"] << " batches: accepted " << report["accepted"] << ", duplicate "
                      << report["duplicate"] << ", rejected " << report["rejected"] << "\n";
            for (const auto& [reason, n] : report["rejectReasons"].items())
                std::cout << "  rejected " << n << ": " << reason << "\n";
        }
    }
    if (a.liveSeconds > 0 && !a.dryRun) {
        std::signal(SIGINT, onSignal);
        std::signal(SIGTERM, onSignal);
        std::cerr << "live: a heartbeat from every kiosk every " << a.liveSeconds << " s; Ctrl-C stops\n";
        while (!g_stop) {
            for (int i = 0; i < a.liveSeconds * 10 && !g_stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
            if (g_stop) break;
            auto beats = hub::datagen::liveHeartbeats(a.scenario, SystemClock::instance().utcMs());
            if (!beats) return fail(beats.error());
            hub::datagen::Scenario tick;
            tick.messages = std::move(*beats);
            auto sent = hub::datagen::sendScenario(tick, a.send);
            if (!sent) std::cerr << "touchpoint-datagen: live: " << sent.error() << " (will retry)\n";
        }
    }
    return 0;
}
