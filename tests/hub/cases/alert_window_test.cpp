// The window rules on a real SQLite store: answers captured in the same millisecond are taken in message-id
// order, whatever order they arrived in, so a detractor run is decided the same way on every hub.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "event/message.hpp"
#include "hub/store/hub_store.hpp"
#include "schema_step_support.hpp"

namespace touchpoint::hub {
namespace {

using nlohmann::json;
using touchpoint::testing::TempDir;

IngestMessage answer(const std::string& id, int nps, std::int64_t atMs) {
    IngestMessage m;
    m.type = "track";
    m.messageId = id;
    m.event = std::string(event::names::kFeedback);
    m.anonymousId = "session-" + id;
    m.channel = std::string(event::kKioskChannel);
    m.storeId = "store-1";
    m.kioskId = "k1";
    m.sourceKind = "kiosk";
    m.timestampMs = m.correctedMs = m.receivedMs = atMs;
    m.properties = {{"answers", {{"nps", nps}}}, {"misuse", false}};
    m.payloadText = json{{"type", "track"}, {"messageId", id}, {"event", m.event}, {"properties", m.properties}}.dump();
    return m;
}

void ingest(HubStore& store, const std::vector<IngestMessage>& batch) {
    std::vector<const IngestMessage*> ptrs;
    for (const auto& m : batch) ptrs.push_back(&m);
    IngestStats stats;
    auto r = store.ingest(ptrs, stats);
    ASSERT_TRUE(r) << r.error().message;
}

std::size_t alertCount(HubStore& store) {
    auto alerts = store.cases().listAlerts("store-1", 0, 100);
    EXPECT_TRUE(alerts) << (alerts ? "" : alerts.error().message);
    return alerts ? alerts->size() : 0;
}

TEST(HubAlertWindow, AnswersOfOneMillisecondAreTakenInMessageIdOrder) {
    TempDir dir;
    HubConfig config;
    AlertRule run;
    run.name = "detractor-run";
    run.kind = AlertKind::DetractorRun;
    run.run = 3;
    config.cases.alerts.push_back(run);
    auto store = openHubStore(testing::hubDatabaseUrl(dir), config);
    ASSERT_TRUE(store) << store.error().message;

    // One millisecond, four answers: in message-id order a (unhappy), b (happy), c, d (unhappy) hold no run of
    // three. They arrive b, a, c, d: in arrival order a, c, d would be one.
    const std::int64_t at = SystemClock::instance().utcMs() - 60'000;
    ASSERT_NO_FATAL_FAILURE(ingest(**store, {answer("fb-b", 10, at), answer("fb-a", 2, at)}));
    ASSERT_NO_FATAL_FAILURE(ingest(**store, {answer("fb-c", 2, at), answer("fb-d", 2, at)}));
    EXPECT_EQ(alertCount(**store), 0u);

    // A fifth in the same millisecond, last by its id: c, d, e are a run.
    ASSERT_NO_FATAL_FAILURE(ingest(**store, {answer("fb-e", 1, at)}));
    EXPECT_EQ(alertCount(**store), 1u);
}

}  // namespace
}  // namespace touchpoint::hub
