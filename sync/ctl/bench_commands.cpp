// `touchpointctl bench <what> ...`: the benchmarks that measure the kiosk's outbox on this machine. Each prints
// one JSON object with its figures so runs can be compared; none of them asserts a number. The benches that
// need an in-process hub or the fake hub receiver are `touchpoint-bench` (tests/bench), built with the tests.

#include "ctl/commands.hpp"

namespace touchpoint::ctl {

void benchCommands(CLI::App& app, Action& chosen) {
    auto* bench = app.add_subcommand("bench", "benchmarks of the outbox (the drain and hub ingest benches are "
                                              "touchpoint-bench, built with the tests)");
    bench->require_subcommand(1);
    // Add a benchmark here: its file adds its own subcommand of `bench`.
    benchEnqueueCommand(*bench, chosen);
}

}  // namespace touchpoint::ctl
