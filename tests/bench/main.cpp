// touchpoint-bench: figures for the README's "Measured figures" table that need test support.
//   touchpoint-bench hub-ingest [--store sqlite|postgres] [--pg-url URL] [--senders 4] [--n 200000] [--dir /tmp] [--json]
//   touchpoint-bench drain [--n 100000] [--gzip-level 1] [--batch-kb 500] [--dir DIR] [--json]
// (`touchpointctl bench enqueue` stays in touchpointctl: it measures the kiosk's own outbox file.)

#include <exception>
#include <iostream>

#include "bench_drain.hpp"
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

    if (auto exit = touchpoint::cli::parse(app, argc, argv)) return *exit;
    try {
        if (*hubIngest) return runIngestBench(ingest, std::cout, std::cerr);
        return runDrainBench(drain);
    } catch (const std::exception& e) {
        std::cerr << "touchpoint-bench: " << e.what() << "\n";
        return 1;
    }
}
