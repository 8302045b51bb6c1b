// Visits on a real SQLite store: a check-in captured outside the earn window is kept but is no visit, neither
// on its day nor when that day comes and an honest check-in falls on it (docs/JOURNEY_RULES.md).

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

constexpr std::int64_t kHourMs = 3'600'000;
constexpr std::int64_t kDayMs = 24 * kHourMs;

IngestMessage signin(const std::string& id, std::int64_t capturedMs, std::int64_t receivedMs, bool newMember) {
    IngestMessage m;
    m.type = "track";
    m.messageId = id;
    m.event = std::string(event::names::kSignin);
    m.channel = std::string(event::kKioskChannel);
    m.storeId = "store-1";
    m.kioskId = "k1";
    m.sourceKind = "kiosk";
    m.timestampMs = m.correctedMs = capturedMs;
    m.receivedMs = receivedMs;
    m.properties = {{"email", "visits@example.com"}, {"method", "email"}, {"newMember", newMember}};
    m.payloadText = json{{"type", "track"}, {"messageId", id}, {"event", m.event}}.dump();
    return m;
}

void ingest(HubStore& store, const IngestMessage& m) {
    IngestStats stats;
    auto r = store.ingest({&m}, stats);
    ASSERT_TRUE(r) << r.error().message;
}

std::string stage(HubStore& store) {
    auto p = store.findProfile("email", "visits@example.com");
    EXPECT_TRUE(p && *p) << (p ? "not found" : p.error().message);
    return p && *p ? (*p)->stage : "";
}

TEST(HubCheckinVisits, ACheckinAheadOfTheWindowIsNoVisitWhenItsDayComes) {
    TempDir dir;
    auto store = openHubStore(testing::hubDatabaseUrl(dir), HubConfig{});
    ASSERT_TRUE(store) << store.error().message;
    // Day one, 09:00: a new member's first visit.
    const std::int64_t day1 = (SystemClock::instance().utcMs() - 10 * kDayMs) / kDayMs * kDayMs + 9 * kHourMs;
    ASSERT_NO_FATAL_FAILURE(ingest(**store, signin("m1", day1, day1, true)));
    ASSERT_EQ(stage(**store), "purchase");
    // Captured on day two but received on day one: out of the window, no visit.
    ASSERT_NO_FATAL_FAILURE(ingest(**store, signin("m2", day1 + kDayMs, day1 + kHourMs, false)));
    ASSERT_EQ(stage(**store), "purchase");
    // Day two comes: its first honest check-in is a second visit day, so the member is a returning one.
    ASSERT_NO_FATAL_FAILURE(ingest(**store, signin("m3", day1 + kDayMs + kHourMs, day1 + kDayMs + kHourMs, false)));
    EXPECT_EQ(stage(**store), "retention");
}

}  // namespace
}  // namespace touchpoint::hub
