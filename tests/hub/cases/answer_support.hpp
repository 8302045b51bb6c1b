#pragma once
// What the alert window tests feed the store: a kiosk's submitted answer as ingest hands it over (parsed, its
// capture time already corrected), and a detractor-run rule.

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "event/message.hpp"
#include "hub/config/cases_config.hpp"
#include "hub/ingest/batch_parser.hpp"

namespace touchpoint::hub::testing {

/// A `Feedback Submitted` with NPS `nps`, captured at `atMs` at `store`'s kiosk k1 ("" for a web answer, which
/// names no store).
inline IngestMessage kioskAnswer(const std::string& id, int nps, std::int64_t atMs, const std::string& store = "store-1",
                                 const std::vector<std::string>& reasons = {}) {
    IngestMessage m;
    m.type = "track";
    m.messageId = id;
    m.event = std::string(event::names::kFeedback);
    m.anonymousId = "session-" + id;
    m.channel = std::string(event::kKioskChannel);
    m.storeId = store;
    m.kioskId = store + "-k1";
    m.sourceKind = "kiosk";
    m.timestampMs = m.correctedMs = m.receivedMs = atMs;
    m.properties = {{"answers", {{"nps", nps}, {"reasons", reasons}}}, {"misuse", false}};
    m.payloadText =
        nlohmann::json{{"type", "track"}, {"messageId", id}, {"event", m.event}, {"properties", m.properties}}.dump();
    return m;
}

/// `run` unhappy answers in a row within `windowMinutes`.
inline AlertRule detractorRun(std::int64_t run, std::int64_t windowMinutes = 15) {
    AlertRule r;
    r.name = "detractor-run";
    r.kind = AlertKind::DetractorRun;
    r.run = run;
    r.windowMinutes = windowMinutes;
    return r;
}

}  // namespace touchpoint::hub::testing
