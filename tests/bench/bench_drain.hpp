#pragma once
// `touchpoint-bench drain`: the kiosk's uploader draining a backlog into the scriptable fake hub over HTTPS.

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/gzip.hpp"

namespace touchpoint::bench {

struct DrainBenchOptions {
    std::int64_t n = 100'000;           ///< events in the backlog
    int gzipLevel = protocol::kDefaultGzipLevel;
    std::int64_t batchKb = 500;         ///< the uploader's batch size limit
    std::optional<std::string> dir;     ///< kept afterwards when given; otherwise a removed temporary folder
    bool json = false;
};

/// Prints the figures on stdout; throws std::runtime_error when the drain does not complete. Returns 0.
int runDrainBench(const DrainBenchOptions& options);

}  // namespace touchpoint::bench
