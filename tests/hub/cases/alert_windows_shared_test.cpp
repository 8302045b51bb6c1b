// Several hubs on this suite's store (SQLite or PostgreSQL) adding answers to one store at the same moment: the
// transactions take turns at the store's stamp (store/answer_windows.hpp), so every window is evaluated with
// every answer stored before it, and no detractor run split across hubs goes unseen.

#include <thread>

#include "answer_support.hpp"
#include "api_test_support.hpp"
#include "hub/store/sql_backend.hpp"

#define WINDOWS_CAT2(a, b) a##b
#define WINDOWS_CAT(a, b) WINDOWS_CAT2(a, b)
#define WINDOWS_SUITE WINDOWS_CAT(HUB_SUITE, AlertWindows)

namespace touchpoint::hub::testing {
namespace {


TEST(WINDOWS_SUITE, ThreeHubsAddingOneRunAtOnceFireItEveryTime) {
    HubConfig config;
    config.cases.alerts.push_back(detractorRun(3));
    touchpoint::testing::TempDir dir;
    std::string url = backendStoreUrl();  // "" for SQLite: a file of our own
    if (url.empty()) url = "sqlite://" + (dir / "hub.db").string();
    std::vector<std::unique_ptr<HubStore>> hubs;
    for (int i = 0; i < 3; ++i) {
        auto store = openHubStore(url, config);
        ASSERT_TRUE(store) << store.error().message;
        hubs.push_back(std::move(store).value());
    }
    // Groups of three detractors a minute apart, an hour between groups: a window holds one group at most, and
    // a group is a run only for the transaction that sees all three. Hub i sends the i-th of every group.
    constexpr int kGroups = 40;
    const std::int64_t start = (SystemClock::instance().utcMs() / 3'600'000 - 2 * kGroups) * 3'600'000;
    std::vector<std::thread> senders;
    std::atomic<int> failures{0};
    for (int i = 0; i < 3; ++i) {
        senders.emplace_back([&, i] {
            for (int g = 0; g < kGroups; ++g) {
                const auto m = kioskAnswer("g" + std::to_string(g) + "-" + std::to_string(i), 1,
                                           start + g * 3'600'000 + i * 60'000);
                IngestStats stats;
                auto r = hubs[static_cast<std::size_t>(i)]->ingest({&m}, stats);
                if (!r) ++failures;
            }
        });
    }
    for (auto& t : senders) t.join();
    EXPECT_EQ(failures.load(), 0);
    auto alerts = hubs[0]->cases().listAlerts("store-1", 0, 1000);
    ASSERT_TRUE(alerts) << alerts.error().message;
    EXPECT_EQ(alerts->size(), static_cast<std::size_t>(kGroups));
}

}  // namespace
}  // namespace touchpoint::hub::testing
