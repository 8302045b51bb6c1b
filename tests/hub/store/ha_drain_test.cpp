// Two touchpoint-hub processes on one PostgreSQL database behind HAProxy, as production runs them, while one
// of them is SIGKILLed at every sixth of the drain (about a second apart) and started again half a second
// later: four kiosks (real outboxes, real uploaders) drain their traffic through the balancer. Every event
// must be stored exactly once, and the state the rules derived (points, check-ins, stages, feedback rows,
// per-kiosk counts) must equal a fault-free control run of the same events into a fresh database through one
// hub. Also: hubs recover from a database outage by themselves, start beside hubs that are writing, and share
// each kiosk's welcome limit.

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <cstdio>
#include <thread>

#include "hub/haproxy.hpp"
#include "hub/hub_fleet.hpp"
#include "hub/kiosk_drain.hpp"
#include "hub/pg_cluster.hpp"
#include "temp_dir.hpp"
#include "uploader/https_client.hpp"

namespace touchpoint::hub {
namespace {

constexpr int kKiosks = 4;
constexpr int kEventsPerKiosk = 2500;
constexpr int kKills = 5;  ///< one at every sixth of the drain, the two hubs in turn
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
    auto balancer =
        Haproxy::start({{hubs.port(0), hubs.port(1)}, hubs.certFile(), hubs.keyFile(), hubs.certFile()});
    ASSERT_TRUE(balancer.ok()) << balancer.error();

    const auto traffic = makeKioskTraffic(kKiosks, kEventsPerKiosk, hubs.sealingPublicKeyB64());
    const touchpoint::testing::TempDir outboxes;
    int kills = 0, victim = -1;
    double killedAt = 0;
    std::string restartError;
    DrainOptions options{outboxes.path() / "ha", 50, std::chrono::seconds(150), nullptr};
    // Kills keyed to progress, not to the clock: the drain takes 3 s on a quiet machine and 15 s on a busy
    // one.
    options.tick = [&](double seconds, std::int64_t acknowledged) {
        if (victim >= 0 && seconds - killedAt >= kDownSeconds) {
            if (auto r = hubs.restart(victim); !r && restartError.empty()) restartError = r.error();
            victim = -1;
        } else if (victim < 0 && kills < kKills &&
                   acknowledged >= (kills + 1) * traffic.total() / (kKills + 1)) {
            victim = kills % 2;
            hubs.kill(victim);
            killedAt = seconds;
            ++kills;
        }
    };
    auto drained =
        drainKiosks(traffic, {(*balancer)->url(), hubs.certFile(), tokensFor(hubs, traffic)}, options);
    ASSERT_TRUE(drained.ok()) << drained.error();
    if (victim >= 0) {  // killed near the end: back up, as the next checks expect both hubs running
        if (auto r = hubs.restart(victim); !r && restartError.empty()) restartError = r.error();
    }
    EXPECT_TRUE(restartError.empty()) << restartError;
    EXPECT_TRUE(drained->emptied) << drained->pending << " pending, last failure: " << drained->lastCause
                                  << "\n"
                                  << (*balancer)->log();
    EXPECT_EQ(drained->deadLetters, 0);
    EXPECT_GE(kills, 3) << "the drain ended before the hubs were killed often enough to mean anything";
    std::printf(
        "%lld events through HAProxy into 2 hubs in %.1f s with %d kills: %lld requests, %lld duplicates "
        "answered, longest time without a receipt %.1f s\n",
        static_cast<long long>(traffic.total()), drained->seconds, kills,
        static_cast<long long>(drained->requests), static_cast<long long>(drained->duplicates),
        drained->longestGapSeconds);

    // The control: the same events, one hub, no faults, a fresh database (same sealing key).
    auto control = HubFleet::start({TOUCHPOINT_HUB_EXE, *controlUrl, 1, kLimits, &hubs});
    ASSERT_TRUE(control.ok()) << control.error();
    auto controlDrain =
        drainKiosks(traffic, {(*control)->url(0), (*control)->certFile(), tokensFor(**control, traffic)},
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
    // Both hubs were killed in turn and restarted.
    for (int i = 0; i < 2; ++i) EXPECT_TRUE(hubs.running(i)) << hubs.log(i);
}

/// Runs one statement on its own connection; false (and the error printed) when it fails.
bool sql(const std::string& url, const char* statement) {
    PGconn* c = PQconnectdb(url.c_str());
    PGresult* r = PQexec(c, statement);
    const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) std::fprintf(stderr, "%s: %s\n", statement, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return ok;
}

/// GET /healthz straight from hub `i` (not through the balancer): its status code, 0 when no answer.
long healthz(const HubFleet& hubs, int i) {
    uploader::HttpsClientOptions o;
    o.baseUrl = hubs.url(i);
    o.caFile = hubs.certFile();
    o.totalTimeout = std::chrono::milliseconds(8000);
    uploader::HttpsClient client(o);
    auto r = client.get("/healthz", "");
    return r ? r->status : 0;
}

TEST(HubsBehindHaproxy, AfterStoreWritesFailedEveryHubTurnsHealthyWithoutAClientWrite) {
    // The balancer sends no request to a hub whose /healthz says degraded, so no client write can tell a
    // degraded hub that the database takes writes again (it is back, or a standby was promoted): the hub must
    // find out by itself, or with every hub of the database degraded the balancer refuses everything for
    // good.
    auto pg = TempPostgres::start();
    ASSERT_TRUE(pg.ok()) << pg.error();
    auto url = pg->createDatabase("outage");
    ASSERT_TRUE(url.ok());
    auto fleet = HubFleet::start({TOUCHPOINT_HUB_EXE, *url, 2, kLimits, nullptr});
    ASSERT_TRUE(fleet.ok()) << fleet.error();
    auto& hubs = **fleet;
    auto balancer =
        Haproxy::start({{hubs.port(0), hubs.port(1)}, hubs.certFile(), hubs.keyFile(), hubs.certFile()});
    ASSERT_TRUE(balancer.ok()) << balancer.error();
    const uploader::CurlGlobal curl;
    const auto traffic = makeKioskTraffic(2, 300, hubs.sealingPublicKeyB64());
    const auto tokens = tokensFor(hubs, traffic);
    const touchpoint::testing::TempDir outboxes;

    // The store stops taking writes (as api_test's breakStoreWrites: the events table is renamed away; tokens
    // still answer, so every batch reaches the store and fails). Each kiosk tries its own hub: both degrade.
    ASSERT_TRUE(sql(*url, "ALTER TABLE events RENAME TO events_away"));
    for (int k = 0; k < 2; ++k) {
        KioskTraffic one;
        one.storeIds = {traffic.storeIds[static_cast<std::size_t>(k)]};
        one.kioskIds = {traffic.kioskIds[static_cast<std::size_t>(k)]};
        one.messages = {traffic.messages[static_cast<std::size_t>(k)]};
        auto refused = drainKiosks(
            one, {hubs.url(k), hubs.certFile(), {tokens[static_cast<std::size_t>(k)]}},
            {outboxes.path() / ("down" + std::to_string(k)), 50, std::chrono::seconds(3), nullptr});
        ASSERT_TRUE(refused.ok()) << refused.error();
        EXPECT_FALSE(refused->emptied);
    }
    EXPECT_EQ(healthz(hubs, 0), 503) << hubs.log(0);
    EXPECT_EQ(healthz(hubs, 1), 503) << hubs.log(1);

    ASSERT_TRUE(sql(*url, "ALTER TABLE events_away RENAME TO events"));
    // Nothing is sent now; only health checks (HAProxy's, and ours) reach the hubs.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while ((healthz(hubs, 0) != 200 || healthz(hubs, 1) != 200) && std::chrono::steady_clock::now() < until) {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    EXPECT_EQ(healthz(hubs, 0), 200) << hubs.log(0);
    EXPECT_EQ(healthz(hubs, 1), 200) << hubs.log(1);
    // And the balancer sends them traffic again: the backlog drains through it, each event stored once.
    auto drained = drainKiosks(traffic, {(*balancer)->url(), hubs.certFile(), tokens},
                               {outboxes.path() / "up", 100, std::chrono::seconds(90), nullptr});
    ASSERT_TRUE(drained.ok()) << drained.error();
    EXPECT_TRUE(drained->emptied) << drained->lastCause << "\n" << (*balancer)->log();
    auto stored = readStoredState(*url);
    ASSERT_TRUE(stored.ok()) << stored.error();
    EXPECT_TRUE(checkExactlyOnce(traffic, *stored).ok());
}

TEST(HubsBehindHaproxy, AHubStartsWhileAnotherHubHoldsAWriteOpen) {
    // A restarted hub must not need the tables to itself: it used to run its schema's CREATE INDEX IF NOT
    // EXISTS at every start, which waits for every open write on the table (and deadlocked with the other
    // hubs' ingest under touchpoint-bench ha-drain's kills). Here an open transaction that wrote to `events`
    // holds its lock while a second hub process starts on the same database.
    auto pg = TempPostgres::start();
    ASSERT_TRUE(pg.ok()) << pg.error();
    auto url = pg->createDatabase("busy");
    ASSERT_TRUE(url.ok());
    auto first = HubFleet::start({TOUCHPOINT_HUB_EXE, *url, 1, kLimits, nullptr});
    ASSERT_TRUE(first.ok()) << first.error();
    PGconn* writer = PQconnectdb(url->c_str());
    ASSERT_EQ(PQstatus(writer), CONNECTION_OK) << PQerrorMessage(writer);
    for (const char* sql : {"BEGIN", "UPDATE events SET type = type WHERE false"}) {
        PGresult* r = PQexec(writer, sql);
        EXPECT_EQ(PQresultStatus(r), PGRES_COMMAND_OK) << PQerrorMessage(writer);
        PQclear(r);
    }
    auto second = HubFleet::start({TOUCHPOINT_HUB_EXE, *url, 1, kLimits, first->get()});
    EXPECT_TRUE(second.ok()) << second.error();
    PQclear(PQexec(writer, "ROLLBACK"));
    PQfinish(writer);
}

TEST(HubsOnOneDatabase, AKioskWelcomeLimitIsSharedByEveryHubProcess) {
    // Each process kept its own bucket before: a kiosk token spread over N hubs got N times its limit.
    auto pg = TempPostgres::start();
    ASSERT_TRUE(pg.ok()) << pg.error();
    auto url = pg->createDatabase("welcome");
    ASSERT_TRUE(url.ok());
    auto fleet = HubFleet::start({TOUCHPOINT_HUB_EXE, *url, 2, kLimits, nullptr});
    ASSERT_TRUE(fleet.ok()) << fleet.error();
    auto& hubs = **fleet;
    auto token = hubs.kioskToken("store-1", "k1");
    ASSERT_TRUE(token.ok()) << token.error();
    auto other = hubs.kioskToken("store-1", "k2");
    ASSERT_TRUE(other.ok()) << other.error();
    const uploader::CurlGlobal curl;
    auto client = [&](int i) {
        uploader::HttpsClientOptions o;
        o.baseUrl = hubs.url(i);
        o.caFile = hubs.certFile();
        o.totalTimeout = std::chrono::milliseconds(8000);
        return std::make_unique<uploader::HttpsClient>(o);
    };
    auto a = client(0);
    auto b = client(1);
    // The default burst is 20 at one every 6 s: 10 through each process use it up.
    for (int i = 0; i < 20; ++i) {
        auto r = (i % 2 == 0 ? *a : *b).get("/v1/profiles/welcome?member=M-" + std::to_string(i), *token);
        ASSERT_TRUE(r.ok()) << r.error().message;
        ASSERT_EQ(r->status, 200) << i << " " << r->body;
    }
    for (auto* c : {a.get(), b.get()}) {
        auto r = c->get("/v1/profiles/welcome?member=M-99", *token);
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(r->status, 429) << r->body;
        const auto retry = r->header("retry-after");
        ASSERT_TRUE(retry.has_value());
        EXPECT_GE(std::stoi(*retry), 1);
        EXPECT_LE(std::stoi(*retry), 6);
    }
    // Another kiosk's token has its own bucket, on either process.
    auto r = b->get("/v1/profiles/welcome?member=M-1", *other);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->status, 200) << r->body;
}

}  // namespace
}  // namespace touchpoint::hub
