// Two touchpoint-hub processes on one PostgreSQL database behind HAProxy, as production runs them, while one
// of them is SIGKILLed every 1.5 s and started again: four kiosks (real outboxes, real uploaders) drain their
// traffic through the balancer. Every event must be stored exactly once, and the state the rules derived
// (points, check-ins, stages, feedback rows, per-kiosk counts) must equal a fault-free control run of the
// same events into a fresh database through one hub.

#include <gtest/gtest.h>

#include <cstdio>

#include "hub/haproxy.hpp"
#include "hub/hub_fleet.hpp"
#include "hub/kiosk_drain.hpp"
#include "hub/pg_cluster.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub {
namespace {

constexpr int kKiosks = 4;
constexpr int kEventsPerKiosk = 2500;
constexpr double kKillEverySeconds = 1.5;
constexpr double kDownSeconds = 0.5;

/// Loopback is every client's address and the balancer's: it is trusted for X-Forwarded-For, and the
/// per-address and per-token rates are off (a real fleet has an address per store and a token per kiosk).
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

TEST(HubsBehindHaproxy, OneHubKilledEveryFewSecondsLosesAndDoublesNothingAndDerivesTheControlRunsState) {
    auto pg = TempPostgres::start();
    ASSERT_TRUE(pg.ok()) << pg.error();
    auto haUrl = pg->createDatabase("ha");
    auto controlUrl = pg->createDatabase("control");
    ASSERT_TRUE(haUrl.ok() && controlUrl.ok());

    auto fleet = HubFleet::start({TOUCHPOINT_HUB_EXE, *haUrl, 2, kLimits, nullptr});
    ASSERT_TRUE(fleet.ok()) << fleet.error();
    auto& hubs = **fleet;
    auto balancer = Haproxy::start({{hubs.port(0), hubs.port(1)}, hubs.certFile(), hubs.keyFile(), hubs.certFile()});
    ASSERT_TRUE(balancer.ok()) << balancer.error();

    const auto traffic = makeKioskTraffic(kKiosks, kEventsPerKiosk, hubs.sealingPublicKeyB64());
    const touchpoint::testing::TempDir outboxes;
    int kills = 0, victim = -1;
    double killedAt = 0;
    std::string restartError;
    DrainOptions options{outboxes.path() / "ha", 50, std::chrono::seconds(150), nullptr};
    options.tick = [&](double seconds, std::int64_t) {
        if (victim >= 0 && seconds - killedAt >= kDownSeconds) {
            if (auto r = hubs.restart(victim); !r && restartError.empty()) restartError = r.error();
            victim = -1;
        } else if (victim < 0 && seconds >= (kills + 1) * kKillEverySeconds) {
            victim = kills % 2;
            hubs.kill(victim);
            killedAt = seconds;
            ++kills;
        }
    };
    auto drained = drainKiosks(traffic, {(*balancer)->url(), hubs.certFile(), tokensFor(hubs, traffic)}, options);
    ASSERT_TRUE(drained.ok()) << drained.error();
    EXPECT_TRUE(restartError.empty()) << restartError;
    EXPECT_TRUE(drained->emptied) << drained->pending << " pending, last failure: " << drained->lastCause << "\n"
                                  << (*balancer)->log();
    EXPECT_EQ(drained->deadLetters, 0);
    EXPECT_GE(kills, 3) << "the drain ended before the hubs were killed often enough to mean anything";
    std::printf("%lld events through HAProxy into 2 hubs in %.1f s with %d kills: %lld requests, %lld duplicates "
                "answered, longest time without a receipt %.1f s\n",
                static_cast<long long>(traffic.total()), drained->seconds, kills,
                static_cast<long long>(drained->requests), static_cast<long long>(drained->duplicates),
                drained->longestGapSeconds);

    // The control: the same events, one hub, no faults, a fresh database (same sealing key).
    auto control = HubFleet::start({TOUCHPOINT_HUB_EXE, *controlUrl, 1, kLimits, &hubs});
    ASSERT_TRUE(control.ok()) << control.error();
    auto controlDrain = drainKiosks(traffic, {(*control)->url(0), (*control)->certFile(), tokensFor(**control, traffic)},
                                    {outboxes.path() / "control", 500, std::chrono::seconds(120), nullptr});
    ASSERT_TRUE(controlDrain.ok()) << controlDrain.error();
    ASSERT_TRUE(controlDrain->emptied) << controlDrain->lastCause;

    auto stored = readStoredState(*haUrl);
    auto expected = readStoredState(*controlUrl);
    ASSERT_TRUE(stored.ok()) << stored.error();
    ASSERT_TRUE(expected.ok()) << expected.error();
    const auto once = checkExactlyOnce(traffic, *stored);
    EXPECT_EQ(once.expected, traffic.total());
    EXPECT_EQ(once.lost, 0);
    EXPECT_EQ(once.doubled, 0);
    EXPECT_EQ(once.unexpected, 0);
    EXPECT_TRUE(checkExactlyOnce(traffic, *expected).ok());
    // Derived state, equal to the control's: the kills changed nothing the rules decided.
    EXPECT_GT(expected->checkinRows, 0);
    EXPECT_GT(expected->transitionRows, 0);
    EXPECT_EQ(stored->signinRows, expected->signinRows);
    EXPECT_EQ(stored->checkinRows, expected->checkinRows);
    EXPECT_EQ(stored->transitionRows, expected->transitionRows);
    EXPECT_EQ(stored->feedbackRows, expected->feedbackRows);
    EXPECT_EQ(stored->kiosks, expected->kiosks);
    EXPECT_EQ(stored->feedback, expected->feedback);
    ASSERT_EQ(stored->profiles.size(), expected->profiles.size());
    EXPECT_EQ(stored->profiles, expected->profiles);
    // Both hubs took part (the balancer spread the kiosks) and were killed in turn.
    for (int i = 0; i < 2; ++i) EXPECT_TRUE(hubs.running(i)) << hubs.log(i);
}

}  // namespace
}  // namespace touchpoint::hub
