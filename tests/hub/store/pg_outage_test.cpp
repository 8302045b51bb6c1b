// The hub through a PostgreSQL outage: the cluster is killed mid-ingest (as a crash: no checkpoint, sessions
// cut) and started again. While it is down every batch gets 503 + Retry-After and never a receipt; the pool's
// connections reopen by themselves once it is back; what was sent is then stored exactly once.

#include <atomic>
#include <chrono>
#include <thread>

#include "api_test_support.hpp"
#include "hub/pg_cluster.hpp"

namespace touchpoint::hub::testing {

TempPostgres* backendCluster();  // backend_postgres.cpp

namespace {

using nlohmann::json;

class HubPostgresOutage : public HubApiTest {};

TEST_F(HubPostgresOutage, KilledClusterGets503ThenIngestResumesWithNothingLostOrDoubled) {
    ASSERT_NE(backendCluster(), nullptr);
    auto k = kiosk("store-1", "k1", m_clock);
    constexpr int kBatches = 40, kPerBatch = 25;
    std::vector<std::string> bodies;
    for (int b = 0; b < kBatches; ++b) {
        json batch = json::array();
        for (int i = 0; i < kPerBatch; ++i) {
            const int n = b * kPerBatch + i;
            // A phone signs in every 8th message: 8 x 25 min passes the 3 h cooldown, and 1,000 messages span
            // 17 days, inside the hub's earn window.
            m_clock.advanceMs(25 * 60'000);
            event::FeedbackAnswers a;
            a.surveyId = "store-visit";
            a.nps = n % 11;
            batch.push_back(n % 2 == 0 ? wire(k.signin("s" + std::to_string(n), "en-US", event::SigninMethod::Phone,
                                                       {event::Identity::Type::Phone, "+1202555" + std::to_string(3000 + (n / 2) % 4)},
                                                       n < 8))
                                       : wire(k.feedback("s" + std::to_string(n), "en-US", a, std::nullopt)));
        }
        bodies.push_back(json{{"batch", batch}}.dump());
    }

    std::atomic<int> done{0}, refused{0}, badRefusals{0}, other{0}, accepted{0}, duplicate{0};
    std::thread sender([&] {
        auto c = ingestClient(hub());
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
        for (const auto& body : bodies) {
            while (std::chrono::steady_clock::now() < deadline) {
                auto r = c->Post("/v1/batch", body, "application/json");
                if (r && r->status == 200) {
                    const auto receipts = json::parse(r->body);
                    for (const auto& rc : receipts["receipts"]) {
                        if (rc["status"] == "accepted") ++accepted;
                        if (rc["status"] == "duplicate") ++duplicate;
                    }
                    break;
                }
                if (r && r->status == 503) {
                    ++refused;
                    // A refusal says when to come back and carries no receipt: nothing in it may be taken as stored.
                    if (!r->has_header("Retry-After") || json::parse(r->body, nullptr, false).contains("receipts")) {
                        ++badRefusals;
                    }
                } else {
                    ++other;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
            ++done;
        }
    });
    const auto waitFor = [](const std::function<bool()>& cond, int seconds) {
        const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        while (!cond() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        return cond();
    };
    EXPECT_TRUE(waitFor([&] { return done.load() >= 5; }, 30));
    backendCluster()->kill();
    EXPECT_TRUE(waitFor([&] { return refused.load() >= 5; }, 30));
    const auto health = get("/healthz", "");
    EXPECT_EQ(health.status, 503) << health.body;
    const int doneWhileDown = done.load();
    auto restarted = backendCluster()->restart();
    ASSERT_TRUE(restarted.ok()) << (restarted.ok() ? "" : restarted.error());
    sender.join();

    EXPECT_LT(doneWhileDown, kBatches);  // the outage really fell mid-ingest
    EXPECT_EQ(done.load(), kBatches);
    EXPECT_EQ(badRefusals.load(), 0);
    EXPECT_EQ(other.load(), 0);
    // A batch whose commit the kill interrupted may have been stored: resent, its messages are duplicates.
    EXPECT_EQ(accepted.load() + duplicate.load(), kBatches * kPerBatch);
    EXPECT_EQ(hub().store().countEvents().value(), kBatches * kPerBatch);
    const auto fleet = hub().store().fleet().value();
    ASSERT_EQ(fleet.size(), 1u);
    EXPECT_EQ(fleet[0].events, kBatches * kPerBatch);  // derived state counted once
    for (int p = 0; p < 4; ++p) {
        const auto r = get("/v1/profiles/lookup?phone=%2B1202555" + std::to_string(3000 + p), hub().lookupToken());
        ASSERT_EQ(r.status, 200) << r.body;
        EXPECT_EQ(r.json()["points"], (kBatches * kPerBatch / 8) * 10) << p;  // every sign-in earned once
    }
    EXPECT_EQ(get("/healthz", "").json()["status"], "ok");
}

TEST_F(HubPostgresOutage, MultiHostUrlFindsTheWritableServer) {
    // As a hub behind pg_auto_failover is configured: several hosts, the first one down; libpq tries each and
    // keeps the one that accepts writes.
    const std::string url = hub().server().context().config.storeUrl;
    const auto host = url.find("host=");
    ASSERT_NE(host, std::string::npos) << url;
    const auto end = url.find('&', host);
    const std::string socketDir = url.substr(host + 5, end - host - 5);
    std::string multi = url.substr(0, host) + "host=/nonexistent-dir," + socketDir + url.substr(end);
    const auto port = multi.find("port=");
    ASSERT_NE(port, std::string::npos) << multi;
    multi.insert(port + 5, "5432,");
    multi += "&target_session_attrs=read-write";
    auto other = startAnotherHub(multi);
    ASSERT_TRUE(other);
    auto k = kiosk("store-1", "k1", m_clock);
    auto c = ingestClient(*other);
    const auto r = postBatch(*c, json::array({wire(k.heartbeat({{"state", "online"}}))}));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->accepted, 1);
    EXPECT_EQ(hub().store().countEvents().value(), 1);  // the same database the first hub uses
}

}  // namespace
}  // namespace touchpoint::hub::testing
