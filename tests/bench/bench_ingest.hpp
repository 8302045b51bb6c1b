#pragma once
// `touchpoint-bench hub-ingest`: an in-process hub on an ephemeral port, N concurrent HTTPS keep-alive
// senders posting gzip batches of kiosk-shaped messages (sealed personal fields), events/s printed.

#include <cstdint>
#include <ostream>
#include <string>

namespace touchpoint::bench {

struct IngestBenchOptions {
    std::string store = "sqlite";  ///< sqlite | postgres
    std::string postgresUrl;       ///< empty: start a temporary cluster
    int senders = 4;
    std::int64_t messages = 200'000;
    std::size_t batchMessages = 250;
    bool json = false;
    bool feedbackRules = false;    ///< alert and case rules beyond the default (docs/JOURNEY_RULES.md)
    std::string dir = "/tmp";      ///< where the SQLite file and certificates go (the disk being measured)
    bool logPages = false;         ///< SQLite: where the write-ahead log's pages went (sqlite_log_pages.hpp)
};

/// Returns the process exit code.
int runIngestBench(const IngestBenchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace touchpoint::bench
