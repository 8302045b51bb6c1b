#pragma once
// `touchpoint-bench ha-drain`: the three tiers on loopback (HAProxy, N real touchpoint-hub processes,
// PostgreSQL) with four kiosks draining their outboxes through the balancer
// (tests/support/hub/kiosk_drain.hpp), in one run:
//   1. one hub behind HAProxy, no faults: aggregate events/s
//   2. N hubs behind HAProxy, no faults: aggregate events/s (also the control run for 3 and 4)
//   3. N hubs, one SIGKILLed every --kill-every seconds and restarted: events/s, kills, 0 lost / 0 double,
//      derived state (points, check-ins, stages, feedback, per-kiosk counts) equal to run 2
//   4. with --failover: N hubs on a pg_auto_failover cluster whose primary is lost a quarter into the drain:
//      time without receipts, 0 lost / 0 double, derived state equal to run 2
// Prints the load average with the figures (they say nothing about the targets on a loaded machine).

#include <cstdint>
#include <string>

namespace touchpoint::bench {

struct HaDrainOptions {
    std::int64_t events = 200'000;  ///< in all, split over the kiosks
    int kiosks = 4;
    int hubs = 2;
    double killEverySeconds = 3;
    int batchEvents = 250;  ///< events per request
    bool failover = false;  ///< also run 4 (starts a pg_auto_failover monitor and two nodes)
    std::string hub;        ///< touchpoint-hub executable; empty: the one built with this bench
    bool json = false;
};
int runHaDrainBench(const HaDrainOptions& options);

}  // namespace touchpoint::bench
