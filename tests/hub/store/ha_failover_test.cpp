// The database fails over under load: two hub processes behind HAProxy on a pg_auto_failover cluster
// (monitor, primary, synchronous standby on loopback), connected with a multi-host URL and
// target_session_attrs=read-write. A quarter into a four-kiosk drain the primary's machine is lost (its
// pg_autoctl and postgres SIGKILLed). The monitor promotes the standby; meanwhile the hubs answer 503 +
// Retry-After and give no receipt; they reconnect by themselves; the drain finishes with every event stored
// exactly once, and the derived state equals a fault-free control run's. Prints the time without receipts.

#include <gtest/gtest.h>

#include <cstdio>

#include "hub/haproxy.hpp"
#include "hub/hub_fleet.hpp"
#include "hub/kiosk_drain.hpp"
#include "hub/pg_auto_failover.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub {
namespace {

constexpr int kKiosks = 4;
constexpr int kEventsPerKiosk = 2500;

const std::string kLimits =
    "[limits]\ntrusted_proxies = [\"127.0.0.1\"]\nmax_connections_per_address = 512\n"
    "per_address_per_second = 0\nper_token_per_second = 0\n";

std::vector<std::string> tokensFor(const HubFleet& fleet, const KioskTraffic& traffic) {
    std::vector<std::string> tokens;
    for (std::size_t k = 0; k < traffic.kioskIds.size(); ++k) {
        auto t = fleet.kioskToken(traffic.storeIds[k], traffic.kioskIds[k]);
        if (!t) throw std::runtime_error(t.error());
        tokens.push_back(*t);
    }
    return tokens;
}

TEST(HubsOnAutoFailover, PrimaryLostMidDrainFailsOverWithNothingLostOrDoubled) {
    auto cluster = PgAutoFailover::start();
    ASSERT_TRUE(cluster.ok()) << cluster.error();
    auto& pg = **cluster;
    auto url = pg.createDatabase("ha");
    ASSERT_TRUE(url.ok()) << url.error();
    ASSERT_EQ(pg.writableNode(), 0);

    auto fleet = HubFleet::start({TOUCHPOINT_HUB_EXE, *url, 2, kLimits, nullptr});
    ASSERT_TRUE(fleet.ok()) << fleet.error();
    auto& hubs = **fleet;
    auto balancer =
        Haproxy::start({{hubs.port(0), hubs.port(1)}, hubs.certFile(), hubs.keyFile(), hubs.certFile()});
    ASSERT_TRUE(balancer.ok()) << balancer.error();

    const auto traffic = makeKioskTraffic(kKiosks, kEventsPerKiosk, hubs.sealingPublicKeyB64());
    const touchpoint::testing::TempDir outboxes;
    double killedAt = -1;
    DrainOptions options{outboxes.path() / "ha", 50, std::chrono::seconds(180), nullptr};
    options.tick = [&](double seconds, std::int64_t acknowledged) {
        if (killedAt < 0 && acknowledged >= traffic.total() / 4) {
            pg.killNode(0);
            killedAt = seconds;
        }
    };
    auto drained =
        drainKiosks(traffic, {(*balancer)->url(), hubs.certFile(), tokensFor(hubs, traffic)}, options);
    ASSERT_TRUE(drained.ok()) << drained.error();
    ASSERT_GE(killedAt, 0) << "the primary was never killed";
    EXPECT_TRUE(drained->emptied) << drained->pending << " pending, last failure: " << drained->lastCause
                                  << "\n"
                                  << pg.showState() << "\n"
                                  << hubs.log(0);
    EXPECT_EQ(drained->deadLetters, 0);
    EXPECT_EQ(pg.writableNode(), 1) << pg.showState();
    // The outage is where the longest stretch without receipts began.
    EXPECT_GE(drained->longestGapStartSeconds + drained->longestGapSeconds, killedAt);
    std::printf(
        "%lld events through HAProxy into 2 hubs; primary killed at %.1f s: failover and drain done in "
        "%.1f s, longest time without a receipt %.1f s (from %.1f s), %lld requests, %lld duplicates "
        "answered; cluster now:\n%s\n",
        static_cast<long long>(traffic.total()), killedAt, drained->seconds, drained->longestGapSeconds,
        drained->longestGapStartSeconds, static_cast<long long>(drained->requests),
        static_cast<long long>(drained->duplicates), pg.showState().c_str());
    for (int i = 0; i < 2; ++i)
        EXPECT_TRUE(hubs.running(i)) << hubs.log(i);  // they reconnected, not restarted

    // The control: the same events into a fresh database on the new primary, one hub, no faults.
    auto controlUrl = pg.createDatabase("control");
    ASSERT_TRUE(controlUrl.ok()) << controlUrl.error();
    auto control = HubFleet::start({TOUCHPOINT_HUB_EXE, *controlUrl, 1, kLimits, &hubs});
    ASSERT_TRUE(control.ok()) << control.error();
    auto controlDrain =
        drainKiosks(traffic, {(*control)->url(0), (*control)->certFile(), tokensFor(**control, traffic)},
                    {outboxes.path() / "control", 500, std::chrono::seconds(120), nullptr});
    ASSERT_TRUE(controlDrain.ok()) << controlDrain.error();
    ASSERT_TRUE(controlDrain->emptied) << controlDrain->lastCause;

    auto stored = readStoredState(*url);
    auto expected = readStoredState(*controlUrl);
    ASSERT_TRUE(stored.ok()) << stored.error();
    ASSERT_TRUE(expected.ok()) << expected.error();
    const auto once = checkExactlyOnce(traffic, *stored);
    EXPECT_EQ(once.lost, 0);
    EXPECT_EQ(once.doubled, 0);
    EXPECT_EQ(once.unexpected, 0);
    EXPECT_EQ(stored->checkinRows, expected->checkinRows);
    EXPECT_EQ(stored->transitionRows, expected->transitionRows);
    EXPECT_EQ(stored->feedback, expected->feedback);
    EXPECT_EQ(stored->kiosks, expected->kiosks);
    EXPECT_EQ(stored->profiles, expected->profiles);
}

}  // namespace
}  // namespace touchpoint::hub
