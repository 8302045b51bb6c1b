// touchpoint-datagen: loads a hub with weeks of realistic kiosk, web and app events (docs/DASHBOARD.md).
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>

#include "common/cli.hpp"
#include "common/clock.hpp"
#include "hub/datagen/scenario.hpp"
#include "hub/datagen/sender.hpp"

namespace {

struct Args {
    touchpoint::hub::datagen::ScenarioOptions scenario;
    touchpoint::hub::datagen::SendOptions send;
    bool dryRun = false;
    bool listKiosks = false;
    std::string tokensFile;
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

}  // namespace

int main(int argc, char** argv) {
    using namespace touchpoint;
    Args a;
    a.scenario.nowMs = SystemClock::instance().utcMs();
    std::string sealingKeyFile;
    std::string now;
    CLI::App app{"Sends weeks of kiosk events (sealed like a kiosk seals them), web and app events to a hub's "
                 "/v1/batch (docs/DASHBOARD.md)",
                 "touchpoint-datagen"};
    app.add_option("--hub", a.send.hubUrl, "https://HOST:PORT of the hub");
    app.add_option("--token", a.send.token, "the token of any sender not named in --tokens");
    app.add_option("--tokens", a.tokensFile,
                   "FILE of \"SENDER TOKEN\" lines: each simulated kiosk's own kiosk token (SENDER its kiosk id), "
                   "and web / app write keys (docs/DASHBOARD.md)");
    app.add_flag("--list-kiosks", a.listKiosks, "print \"STORE KIOSK\" for every simulated kiosk, send nothing");
    app.add_option("--ca", a.send.caFile, "the hub's certificate (PEM)");
    auto* key = app.add_option("--sealing-key", a.scenario.sealingPublicKeyB64, "head office's sealing public key (base64)");
    app.add_option("--sealing-key-file", sealingKeyFile, "the same, read from a file")->excludes(key);
    app.add_option("--stores", a.scenario.stores, "stores")->check(CLI::Range(1, 1000))->capture_default_str();
    app.add_option("--kiosks", a.scenario.kiosksPerStore, "kiosks per store")->check(CLI::Range(1, 100))->capture_default_str();
    app.add_option("--days", a.scenario.days, "days of history up to now")->check(CLI::Range(1, 3660))->capture_default_str();
    app.add_option("--seed", a.scenario.seed, "random seed; same seed, same data")->capture_default_str();
    app.add_option("--duplicates", a.scenario.duplicateRate, "share re-sent")->check(CLI::Range(0.0, 1.0))->capture_default_str();
    app.add_option("--sessions", a.scenario.sessionsPerKioskDay, "mean sessions per kiosk and day")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    app.add_option("--now", now, "RFC 3339 end of the data (default: now); with --seed it makes a run repeatable");
    app.add_option("--live", a.liveSeconds,
                   "afterwards keep sending heartbeats every SECONDS until stopped (Ctrl-C), so the fleet page stays "
                   "current; the quiet kiosk stays quiet and turns stale")
        ->check(CLI::Range(5, 86400));
    app.add_flag("--dry-run", a.dryRun, "build the data and print counts, send nothing");
    app.add_option("--ndjson", a.ndjson, "also write every message (one JSON per line) to FILE");
    app.add_flag("--json", a.json, "print the report as JSON");
    if (auto exit = cli::parse(app, argc, argv)) return *exit;
    if (!sealingKeyFile.empty() && !readFile(sealingKeyFile, a.scenario.sealingPublicKeyB64)) {
        return fail("--sealing-key-file: cannot read " + sealingKeyFile);
    }
    if (!now.empty() && !parseIsoUtcMs(now, a.scenario.nowMs)) return fail("--now: cannot use '" + now + "'");
    if (a.scenario.sealingPublicKeyB64.empty()) return fail("--sealing-key or --sealing-key-file is required");
    if (!a.tokensFile.empty()) {
        auto tokens = hub::datagen::readSenderTokens(a.tokensFile);
        if (!tokens) return fail(tokens.error());
        a.send.senderTokens = std::move(tokens).value();
    }
    if (!a.dryRun && !a.listKiosks) {
        if (a.send.hubUrl.empty()) return fail("--hub is required");
        if (a.send.token.empty() && a.send.senderTokens.empty()) return fail("--token or --tokens is required");
        if (a.send.caFile.empty()) return fail("--ca is required (the hub's certificate)");
        std::string ca;
        if (!readFile(a.send.caFile, ca)) return fail("--ca: cannot read " + a.send.caFile);
    }

    auto scenario = hub::datagen::buildScenario(a.scenario);
    if (!scenario) return fail(scenario.error());

    if (a.listKiosks) {
        // What `touchpoint-hub token add --kind kiosk` needs for each simulated kiosk.
        std::set<std::string> listed;
        for (const auto& m : scenario->messages) {
            const auto context = m.message.value("context", nlohmann::json::object());
            const auto store = context.value("storeId", std::string());
            if (store.empty() || context.value("kioskId", std::string()) != m.sender || !listed.insert(m.sender).second) {
                continue;
            }
            std::cout << store << " " << m.sender << "\n";
        }
        return 0;
    }
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
