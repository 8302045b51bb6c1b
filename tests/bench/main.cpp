// touchpoint-bench: figures for the README's "Measured figures" table that need test support.
//   touchpoint-bench hub-ingest [--store sqlite|postgres] [--pg-url URL] [--senders 4] [--n 200000] [--dir /tmp] [--json] [--log-pages]
//   touchpoint-bench drain [--n 100000] [--gzip-level 1] [--batch-kb 500] [--dir DIR] [--json]
//   touchpoint-bench idle-conns [--n 10000] [--json]                    (the real hub process, bench_hub_load.hpp)
//   touchpoint-bench flood [--slowloris 1000] [--bombs 4] [--batches 200] [--json]
//   touchpoint-bench fleet-return [--kiosks 500] [--events 500] [--json]
//   touchpoint-bench config-poll [--kiosks 100] [--polls 200] [--threads 4] [--json]
//   touchpoint-bench ha-drain [--events 200000] [--hubs 2] [--kill-every 3] [--failover] [--json]  (bench_ha_drain.hpp)
// (`touchpointctl bench enqueue` stays in touchpointctl: it measures the kiosk's own outbox file.)

#include <exception>
#include <iostream>

#include "bench_drain.hpp"
#include "bench_ha_drain.hpp"
#include "bench_hub_load.hpp"
#include "bench_ingest.hpp"
#include "common/cli.hpp"

int main(int argc, char** argv) {
    using namespace touchpoint::bench;
    CLI::App app{"Touchpoint benchmarks that run an in-process hub or fake hub; each prints its figures",
                 "touchpoint-bench"};
    app.require_subcommand(1);

    IngestBenchOptions ingest;
    auto* hubIngest = app.add_subcommand(
        "hub-ingest", "an in-process hub on an ephemeral port, N HTTPS keep-alive senders posting gzip batches of "
                      "kiosk-shaped messages: events/s");
    hubIngest->add_option("--store", ingest.store, "sqlite or postgres")
        ->check(CLI::IsMember({"sqlite", "postgres"}))
        ->capture_default_str();
    hubIngest->add_option("--pg-url", ingest.postgresUrl, "PostgreSQL to use (default: a temporary cluster)");
    hubIngest->add_option("--senders", ingest.senders, "concurrent senders")->check(CLI::Range(1, 256))->capture_default_str();
    hubIngest->add_option("--n", ingest.messages, "messages to send")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{100'000'000}))
        ->capture_default_str();
    hubIngest->add_option("--dir", ingest.dir, "where the store and certificates go (the disk being measured)")
        ->capture_default_str();
    hubIngest->add_flag("--json", ingest.json, "print one JSON object");
    hubIngest->add_flag("--log-pages", ingest.logPages,
                        "SQLite: after the run, the write-ahead log's frames by the table or index they belong to");
    hubIngest->add_flag("--rules", ingest.feedbackRules,
                        "alert rules (unhappy share, detractor run, frequent reason) and a comment-words case rule on "
                        "top of the default contact-request rule");

    DrainBenchOptions drain;
    auto* drainCmd = app.add_subcommand(
        "drain", "drain a backlog into an in-process HTTPS hub receiver: events/s, wire bytes/event");
    drainCmd->add_option("--n", drain.n, "events in the backlog")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{10'000'000}))
        ->capture_default_str();
    drainCmd->add_option("--gzip-level", drain.gzipLevel, "gzip level of request bodies")
        ->check(CLI::Range(0, 9))
        ->capture_default_str();
    drainCmd->add_option("--batch-kb", drain.batchKb, "batch size limit in KiB")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{500}))
        ->capture_default_str();
    drainCmd->add_option("--dir", drain.dir, "keep the outbox and CA here (default: a removed temporary folder)");
    drainCmd->add_flag("--json", drain.json, "print one JSON object");

    const std::string hubHelp = "touchpoint-hub executable (default: the one built with this bench)";
    IdleConnsOptions idle;
    auto* idleCmd = app.add_subcommand(
        "idle-conns", "the real hub process holding N idle TLS keep-alive connections: its memory per connection");
    idleCmd->add_option("--n", idle.n, "connections to hold")->check(CLI::Range(1, 100'000))->capture_default_str();
    idleCmd->add_option("--openers", idle.openers, "threads opening them")->check(CLI::Range(1, 64))->capture_default_str();
    idleCmd->add_option("--hub", idle.hub, hubHelp);
    idleCmd->add_flag("--json", idle.json, "print one JSON object");

    FloodOptions flood;
    auto* floodCmd = app.add_subcommand(
        "flood", "the real hub process under slowloris connections and chunked/gzip-bomb bodies while a kiosk "
                 "posts batches: time to receipt p50/p99/max, /healthz answer times");
    floodCmd->add_option("--slowloris", flood.slowloris, "connections trickling a header a byte at a time")
        ->check(CLI::Range(0, 20'000))
        ->capture_default_str();
    floodCmd->add_option("--bombs", flood.bombs, "connections at a time sending chunked bodies and gzip bombs")
        ->check(CLI::Range(0, 256))
        ->capture_default_str();
    floodCmd->add_option("--batches", flood.batches, "kiosk batches to time")->check(CLI::Range(1, 100'000))->capture_default_str();
    floodCmd->add_option("--batch-events", flood.batchEvents, "events per kiosk batch")
        ->check(CLI::Range(1, 500))
        ->capture_default_str();
    floodCmd->add_option("--hub", flood.hub, hubHelp);
    floodCmd->add_flag("--json", flood.json, "print one JSON object");

    FleetReturnOptions fleet;
    auto* fleetCmd = app.add_subcommand(
        "fleet-return", "K kiosk uploaders, each with its own outbox of E events and its own connection, all "
                        "started at once against the real hub process: events/s, 0 lost, 0 double");
    fleetCmd->add_option("--kiosks", fleet.kiosks, "uploaders")->check(CLI::Range(1, 5000))->capture_default_str();
    fleetCmd->add_option("--events", fleet.events, "events in each outbox")->check(CLI::Range(1, 100'000))->capture_default_str();
    fleetCmd->add_option("--hub", fleet.hub, hubHelp);
    fleetCmd->add_flag("--json", fleet.json, "print one JSON object");

    ConfigPollOptions poll;
    auto* pollCmd = app.add_subcommand(
        "config-poll", "K kiosks polling GET /v1/kiosk/config with If-None-Match against the real hub process: "
                       "requests/s, the share of 304s, hub CPU per request");
    pollCmd->add_option("--kiosks", poll.kiosks, "kiosk tokens, one keep-alive connection each")
        ->check(CLI::Range(1, 2000))
        ->capture_default_str();
    pollCmd->add_option("--polls", poll.polls, "polls per kiosk")->check(CLI::Range(1, 100'000))->capture_default_str();
    pollCmd->add_option("--threads", poll.threads, "client threads")->check(CLI::Range(1, 64))->capture_default_str();
    pollCmd->add_option("--hub", poll.hub, hubHelp);
    pollCmd->add_flag("--json", poll.json, "print one JSON object");

    HaDrainOptions ha;
    auto* haCmd = app.add_subcommand(
        "ha-drain", "4 kiosk uploaders draining through HAProxy into 1 and N real hub processes on one PostgreSQL, "
                    "then N with one killed every few seconds (and with --failover, on a pg_auto_failover cluster "
                    "whose primary is lost): events/s, 0 lost, 0 double, derived state equal to the fault-free run");
    haCmd->add_option("--events", ha.events, "events in all, split over the kiosks")
        ->check(CLI::Range(std::int64_t{100}, std::int64_t{10'000'000}))
        ->capture_default_str();
    haCmd->add_option("--kiosks", ha.kiosks, "kiosks (uploaders)")->check(CLI::Range(1, 64))->capture_default_str();
    haCmd->add_option("--hubs", ha.hubs, "hub processes behind HAProxy")->check(CLI::Range(2, 16))->capture_default_str();
    haCmd->add_option("--kill-every", ha.killEverySeconds, "seconds between hub kills")
        ->check(CLI::Range(0.5, 600.0))
        ->capture_default_str();
    haCmd->add_option("--batch-events", ha.batchEvents, "events per request")->check(CLI::Range(1, 5000))->capture_default_str();
    haCmd->add_flag("--failover", ha.failover, "also lose the primary of a pg_auto_failover cluster mid-drain");
    haCmd->add_option("--hub", ha.hub, hubHelp);
    haCmd->add_flag("--json", ha.json, "print one JSON object");

    if (auto exit = touchpoint::cli::parse(app, argc, argv)) return *exit;
    try {
        if (*hubIngest) return runIngestBench(ingest, std::cout, std::cerr);
        if (*idleCmd) return runIdleConnsBench(idle);
        if (*floodCmd) return runFloodBench(flood);
        if (*fleetCmd) return runFleetReturnBench(fleet);
        if (*pollCmd) return runConfigPollBench(poll);
        if (*haCmd) return runHaDrainBench(ha);
        return runDrainBench(drain);
    } catch (const std::exception& e) {
        std::cerr << "touchpoint-bench: " << e.what() << "\n";
        return 1;
    }
}
