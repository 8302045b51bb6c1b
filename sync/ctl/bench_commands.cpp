// `touchpointctl bench <what> ...`: the benchmarks that measure the design's performance targets. Each prints
// one JSON object with its figures (with --json) so runs can be compared; none of them asserts a number.

#include <string_view>

#include "ctl/commands.hpp"

namespace touchpoint::ctl {

namespace {

struct Benchmark {
    std::string_view name;
    int (*run)(Context&, Args&);
};

// Add a benchmark here (and its usage line below).
constexpr Benchmark kBenchmarks[] = {
    {"enqueue", runBenchEnqueue},
    {"drain", runBenchDrain},
};

}  // namespace

CommandGroup benchCommands() {
    return {"bench",
            "  bench enqueue --dir DIR [--n 5000] [--backlog N] [--while-retrying [--retry-ms 50]] [--json]\n"
            "                 enqueue p50/p99 against a bare SQLite INSERT+COMMIT with the same PRAGMAs, same run;\n"
            "                 with --backlog, also against an outbox already holding N events (default 100000\n"
            "                 with --while-retrying, whose uploader then retries against a dead hub meanwhile)\n"
            "  bench drain [--n 100000] [--gzip-level 1] [--batch-kb 500] [--dir DIR] [--json]\n"
            "                 drain a backlog into an in-process HTTPS hub receiver: events/s, wire bytes/event\n",
            [](Context& context, Args& args) {
                auto what = args.positional();
                if (!what) throw UsageError("bench needs a benchmark name");
                for (const Benchmark& b : kBenchmarks) {
                    if (b.name == *what) return b.run(context, args);
                }
                throw UsageError("unknown benchmark '" + *what + "'");
            }};
}

}  // namespace touchpoint::ctl
