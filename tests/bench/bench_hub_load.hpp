#pragma once
// The hub's capacity benches against the real touchpoint-hub process (issue 14's targets), one file each:
//   idle-conns    bench_idle_conns.cpp    memory per idle TLS keep-alive connection
//   flood         bench_flood.cpp         a kiosk's batch latency while slowloris and body bombs run
//   fleet-return  bench_fleet_return.cpp  many kiosk uploaders draining their own outboxes at once
//   config-poll   bench_config_poll.cpp   kiosks polling GET /v1/kiosk/config with If-None-Match (304s)
// Each prints its figures (one JSON object with --json) and returns 0 when its run completed as described
// (every connection held, every batch answered, nothing lost or doubled), 1 otherwise. Figures are not
// checked against the targets: a loaded machine says nothing about them.

#include <cstdint>
#include <string>

namespace touchpoint::bench {

struct IdleConnsOptions {
    int n = 10'000;         ///< connections to hold
    int openers = 4;        ///< threads that open them
    std::string hub;        ///< touchpoint-hub executable; empty: the one built with this bench
    bool json = false;
};
int runIdleConnsBench(const IdleConnsOptions& options);

struct FloodOptions {
    int slowloris = 1000;   ///< connections trickling a header a byte at a time
    int bombs = 4;          ///< connections at a time sending chunked bodies and gzip bombs
    int batches = 200;      ///< kiosk batches whose time to receipt is measured
    int batchEvents = 20;   ///< events per kiosk batch
    std::string hub;
    bool json = false;
};
int runFloodBench(const FloodOptions& options);

struct FleetReturnOptions {
    int kiosks = 500;       ///< uploaders, each with its own outbox file and connection
    int events = 500;       ///< events in each outbox
    std::string hub;
    bool json = false;
};
int runFleetReturnBench(const FleetReturnOptions& options);

struct ConfigPollOptions {
    int kiosks = 100;       ///< kiosk tokens, each polling on its own keep-alive connection
    int polls = 200;        ///< polls per kiosk (the first gets the document, the rest 304)
    int threads = 4;        ///< client threads the kiosks are spread over
    std::string hub;
    bool json = false;
};
int runConfigPollBench(const ConfigPollOptions& options);

}  // namespace touchpoint::bench
