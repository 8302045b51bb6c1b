#pragma once
// Weeks of believable journey data for a demo or a test hub: several stores with kiosks (sign-ins, consent,
// feedback, abandoned surveys, staff lookups, hourly heartbeats, one stale kiosk, one failing, one with a
// skewed clock), plus web and app activity from the same shoppers through the same Segment API. Everything
// comes from one seeded generator, so the same options give the same messages (ids included), and running
// the generator twice against one hub only produces duplicates.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace touchpoint::hub::datagen {

struct ScenarioOptions {
    int stores = 5;
    int kiosksPerStore = 3;
    int days = 28;
    std::uint64_t seed = 1;
    std::int64_t nowMs = 0;           ///< the last event happens before this (UTC ms)
    std::string sealingPublicKeyB64;  ///< the hub's sealing public key, as kiosks are given it
    double duplicateRate = 0.02;      ///< share of messages sent a second time in a later batch
    double sessionsPerKioskDay = 18;  ///< mean shopper sessions per kiosk and day, before weekday swings
};

/// One message and how it is sent: by which device, with how far that device's clock is off.
struct Outgoing {
    nlohmann::json message;    ///< Segment-spec message, without sentAt
    std::string sender;        ///< kiosk id, or "web" / "app"
    std::int64_t clockSkewMs;  ///< added to the real send time to make this sender's sentAt
    bool duplicate = false;    ///< a re-send of an earlier message (same messageId)
};

struct Scenario {
    std::vector<Outgoing> messages;       ///< in send order
    std::map<std::string, int> countsByEvent;  ///< "Loyalty Signed In" -> n, "identify" -> n, ...
    std::vector<std::string> storeIds;
    std::vector<std::string> kioskIds;
};

/// Builds the scenario; an error names a bad option (no stores, bad key, ...).
Result<Scenario, std::string> buildScenario(const ScenarioOptions& options);

/// Heartbeats "now" from every kiosk of the scenario, as a live fleet sends them, for `--live`: the kiosk
/// that went quiet stays quiet (so it turns stale), the failing one keeps failing, the skewed one stays skewed.
Result<std::vector<Outgoing>, std::string> liveHeartbeats(const ScenarioOptions& options, std::int64_t nowMs);

}  // namespace touchpoint::hub::datagen
