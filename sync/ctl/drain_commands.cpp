// `touchpointctl drain`: deliver the outbox to a hub now, with the same uploader the kiosk runs, and report
// what was sent and what the hub answered. (The drain bench is `touchpoint-bench drain`, tests/bench.)

#include <chrono>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "ctl/commands.hpp"
#include "uploader/uploader.hpp"

namespace touchpoint::ctl {

namespace {

using namespace std::chrono_literals;
using uploader::FlushResult;
using uploader::HealthSnapshot;
using uploader::UploaderState;

std::unique_ptr<uploader::Uploader> makeUploader(uploader::UploaderOptions options) {
    auto u = uploader::Uploader::create(std::move(options));
    if (!u) throw RuntimeError(u.error());
    return std::move(u.value());
}

/// The uploader's health names the hub's state; with nothing to send it never asked the hub, so its state
/// would still be the "offline / not_started" it begins with. Say what happened instead.
HealthSnapshot reportedHealth(HealthSnapshot h, std::int64_t pending) {
    if (h.requests == 0 && pending == 0) {
        h.causeCode = "outbox_empty";
        h.cause = "the outbox is empty: nothing to send";
    }
    return h;
}

std::string stateName(const HealthSnapshot& h) {
    return h.causeCode == "outbox_empty" ? "empty" : std::string(uploader::toString(h.state));
}

void printReport(const HealthSnapshot& h, std::int64_t pending, bool json, double seconds) {
    if (json) {
        auto j = h.toJson();
        j["state"] = stateName(h);
        j["pendingAfter"] = pending;
        j["seconds"] = seconds;
        std::printf("%s\n", j.dump(2).c_str());
        return;
    }
    std::printf("sent:        %lld events acknowledged (%lld duplicate), %lld refused and dead-lettered\n",
                static_cast<long long>(h.eventsSent), static_cast<long long>(h.eventsDuplicate),
                static_cast<long long>(h.eventsRejected));
    std::printf("requests:    %lld, %lld bytes on the wire, %.2f s\n", static_cast<long long>(h.requests),
                static_cast<long long>(h.bytesSent), seconds);
    std::printf("state:       %s (%s)\n", stateName(h).c_str(), h.cause.c_str());
    std::printf("pending:     %lld\n", static_cast<long long>(pending));
    std::printf("dead letters: %lld\n", static_cast<long long>(h.deadLetters));
}

struct DrainOptions {
    std::string hub;
    std::string token;
    std::string ca;
    bool untilEmpty = false;
    bool json = false;
};

int runDrain(Context& context, const DrainOptions& o) {
    const bool untilEmpty = o.untilEmpty;
    const bool json = o.json;
    auto& box = context.outbox();
    uploader::UploaderOptions options;
    options.http.baseUrl = o.hub;
    if (!o.ca.empty()) options.http.caFile = o.ca;
    options.token = o.token;
    options.outboxPath = box.path();
    options.recoveryDelayMax = 0ms;  // an operator asked for this drain; there is no fleet to spread
    const uploader::CurlGlobal curl;
    auto up = makeUploader(options);

    const auto t0 = std::chrono::steady_clock::now();
    up->start();
    FlushResult result = up->flush(std::chrono::minutes(10));
    std::int64_t pending = -1;
    auto pendingNow = [&] {
        auto s = box.stats();
        if (!s) throw RuntimeError("outbox: " + s.error().message);
        return s->pendingCount;
    };
    if (untilEmpty) {
        // Keep going through failures on the uploader's own backoff schedule; say what is wrong meanwhile.
        std::string lastCause;
        while ((pending = pendingNow()) > 0) {
            const auto h = up->health();
            if (h.causeCode != lastCause && h.state != UploaderState::Online) {
                std::fprintf(stderr, "touchpointctl: %s: %s (retrying)\n", std::string(uploader::toString(h.state)).c_str(),
                             h.cause.c_str());
                lastCause = h.causeCode;
            }
            std::this_thread::sleep_for(200ms);
        }
        result = FlushResult::Empty;
    } else {
        pending = pendingNow();
    }
    up->stop();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto h = reportedHealth(up->health(), pending);
    printReport(h, pending, json, seconds);
    if (result != FlushResult::Empty || pending > 0) {
        throw RuntimeError("drain stopped with " + std::to_string(pending) + " events pending: " + h.cause);
    }
    return 0;
}

}  // namespace

void drainCommands(CLI::App& app, Action& chosen) {
    auto* cmd = app.add_subcommand("drain", "deliver the outbox to the hub now and report what was sent and the receipts");
    auto o = std::make_shared<DrainOptions>();
    cmd->add_option("--hub", o->hub, "https://HOST:PORT")->required();
    cmd->add_option("--token", o->token, "the kiosk's ingest token")->required();
    cmd->add_option("--ca", o->ca, "the hub's certificate (default: the system's CAs)");
    cmd->add_flag("--until-empty", o->untilEmpty, "keep retrying (on the backoff schedule) until nothing is pending");
    cmd->add_flag("--json", o->json, "print the report as JSON");
    runs(cmd, chosen, [o](Context& context) { return runDrain(context, *o); });
}

}  // namespace touchpoint::ctl
