// Limits a whole hub enforces, each driven to its edge over HTTPS on loopback: the message count of a batch,
// the messageId and event name lengths, the process-wide connection limit and the request queue. Each test
// checks the answer that names the limit, that everything else sent alongside is unharmed, and that the limit's
// /metrics counter went up by exactly the refusals made (docs/OPERATIONS.md "Limits", docs/PROTOCOL.md).
// The per-address connection limit is reached in hub_http_server_test (ConnectionsPerAddressAreCapped).

#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "hub/ephemeral_hub.hpp"
#include "hub/ingest/batch_parser.hpp"
#include "raw_tls_client.hpp"

namespace touchpoint::hub::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

template <class F>
bool eventually(F done, std::chrono::milliseconds limit = 5s) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (done()) return true;
        std::this_thread::sleep_for(10ms);
    }
    return done();
}

/// The sum of a /metrics family's samples whose labels contain `labels` (all of them when empty).
double sample(const std::string& metrics, const std::string& name, const std::string& labels = "") {
    double sum = 0;
    std::istringstream in(metrics);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(name, 0) != 0 || line.size() <= name.size()) continue;
        const char next = line[name.size()];
        if (next != '{' && next != ' ') continue;
        if (!labels.empty() && line.find(labels) == std::string::npos) continue;
        sum += std::stod(line.substr(line.rfind(' ') + 1));
    }
    return sum;
}

/// How much a /metrics family's samples matching `labels` grew from `before` to `after`.
double grew(const std::string& before, const std::string& after, const std::string& name,
            const std::string& labels = "") {
    return sample(after, name, labels) - sample(before, name, labels);
}

/// {"batch":[...]} of `n` of the smallest valid messages (a page call, about 50 bytes each), ids <prefix>0...
std::string tinyBatch(const std::string& prefix, std::size_t n) {
    std::string body = R"({"batch":[)";
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0) body += ',';
        body += R"({"type":"page","messageId":")" + prefix + std::to_string(i) + R"(","userId":"u"})";
    }
    return body + "]}";
}

json track(const std::string& id, const std::string& event) {
    return {{"type", "track"}, {"messageId", id}, {"anonymousId", "session-1"}, {"event", event}};
}

std::vector<std::string> statuses(const json& answer) {
    std::vector<std::string> out;
    for (const auto& r : answer.value("receipts", json::array())) out.push_back(r.value("status", ""));
    return out;
}

class HubLimits : public ::testing::Test {
protected:
    void TearDown() override {
        // A test that failed while a request was held must not leave the hub's worker waiting forever.
        releaseHeld();
        m_hub.reset();
    }

    void start(EphemeralHubOptions options = {}) {
        auto h = EphemeralHub::start(options);
        ASSERT_TRUE(h.ok()) << (h.ok() ? "" : h.error());
        m_hub = std::move(h).value();
    }

    std::unique_ptr<httplib::SSLClient> client() {
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", m_hub->port());
        c->set_ca_cert_path(m_hub->caFile().c_str());
        c->enable_server_certificate_verification(true);
        c->set_connection_timeout(5, 0);
        c->set_read_timeout(60, 0);
        return c;
    }

    httplib::Result postBatch(const std::string& body) {
        auto c = client();
        c->set_bearer_token_auth(m_hub->ingestToken().c_str());
        return c->Post("/v1/batch", body, "application/json");
    }

    std::string metrics() {
        auto c = client();
        c->set_bearer_token_auth(m_hub->headOfficeToken().c_str());
        auto r = c->Get("/metrics");
        EXPECT_TRUE(r && r->status == 200) << (r ? r->body : httplib::to_string(r.error()));
        return r && r->status == 200 ? r->body : "";
    }

    const http::ServerCounters& counters() { return *m_hub->server().context().httpCounters; }

    /// Adds GET /test/hold, whose handler waits until releaseHeld(): it keeps a worker busy.
    void addHoldRoute(EphemeralHubOptions& options) {
        options.routes = [this](http::Router& router, HubContext& ctx) {
            router.get("/test/hold", routeOptions("/test/hold", ""),
                       guarded(ctx, "/test/hold", [this](const http::Request&, http::Response& res) {
                           ++m_held;
                           m_released.wait();
                           res.setContent(R"({"held":true})", "application/json");
                       }));
        };
    }

    void releaseHeld() {
        if (!m_releasedSet.exchange(true)) m_release.set_value();
    }

    std::unique_ptr<EphemeralHub> m_hub;
    std::atomic<int> m_held{0};
    std::promise<void> m_release;
    std::shared_future<void> m_released = m_release.get_future().share();
    std::atomic<bool> m_releasedSet{false};
};

TEST_F(HubLimits, BatchOfTenThousandMessagesIsStoredAndOneMoreIsRefusedWhole) {
    start();
    // Tiny messages reach the count limit (10,000) well under the 500 KB body cap, so the count is what answers;
    // gzip would not reach further, its inflated cap being the same 500 KB.
    const std::string atLimit = tinyBatch("a", kMaxMessagesPerBatch);
    const std::string pastLimit = tinyBatch("b", kMaxMessagesPerBatch + 1);
    ASSERT_LT(pastLimit.size(), event::kMaxBatchBytes);
    const std::string before = metrics();

    auto at = postBatch(atLimit);
    ASSERT_TRUE(at) << httplib::to_string(at.error());
    ASSERT_EQ(at->status, 200) << at->body.substr(0, 300);
    const auto receipts = statuses(json::parse(at->body));
    ASSERT_EQ(receipts.size(), kMaxMessagesPerBatch);
    EXPECT_EQ(std::count(receipts.begin(), receipts.end(), "accepted"), static_cast<long>(kMaxMessagesPerBatch));

    auto past = postBatch(pastLimit);
    ASSERT_TRUE(past) << httplib::to_string(past.error());
    EXPECT_EQ(past->status, 413);
    EXPECT_EQ(json::parse(past->body, nullptr, false), (json{{"error", "more than 10000 messages"}}));

    // The refused body stored nothing: its first message, sent alone, is new. The connection-level refusal
    // counter is not the one: the body arrived whole and was refused by what it held.
    auto first = postBatch(tinyBatch("b", 1));
    ASSERT_TRUE(first);
    EXPECT_EQ(statuses(json::parse(first->body)), std::vector<std::string>{"accepted"});

    const std::string after = metrics();
    const std::string rejects = "touchpoint_hub_rejects_total";
    EXPECT_EQ(grew(before, after, rejects, R"(reason="body_too_large")"), 1);
    EXPECT_EQ(grew(before, after, rejects), 1);
    const std::string messages = "touchpoint_hub_messages_total";
    EXPECT_EQ(grew(before, after, messages, R"(status="accepted")"),
              static_cast<double>(kMaxMessagesPerBatch + 1));
    const std::string http = "touchpoint_hub_http_refusals_total";
    EXPECT_EQ(grew(before, after, http, R"(reason="body_too_large")"), 0);
}

TEST_F(HubLimits, MessageIdOf256BytesIsStoredAnd257IsRejectedAlone) {
    start();
    const std::string atLimit(kMaxIdLength, 'a');
    const std::string pastLimit(kMaxIdLength + 1, 'b');
    const json batch = {track("id-before", "E"), track(atLimit, "E"), track(pastLimit, "E"), track("id-after", "E")};
    const std::string body = json{{"batch", batch}}.dump();
    const std::string before = metrics();

    auto r = postBatch(body);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const auto answer = json::parse(r->body);
    EXPECT_EQ(statuses(answer), (std::vector<std::string>{"accepted", "accepted", "rejected", "accepted"}));
    EXPECT_EQ(answer["receipts"][2]["reason"], "messageId: must be 1..256 bytes");
    EXPECT_EQ(answer["receipts"][2]["messageId"], pastLimit);
    EXPECT_EQ(answer["receipts"][1]["messageId"], atLimit);

    // Sent again, the three stored are duplicates (they were kept), and the long id is refused again.
    auto again = postBatch(body);
    ASSERT_TRUE(again);
    EXPECT_EQ(statuses(json::parse(again->body)),
              (std::vector<std::string>{"duplicate", "duplicate", "rejected", "duplicate"}));

    const std::string after = metrics();
    const std::string rejects = "touchpoint_hub_rejects_total";
    EXPECT_EQ(grew(before, after, rejects, R"(reason="messageId")"), 2);
    EXPECT_EQ(grew(before, after, rejects), 2);
    const std::string messages = "touchpoint_hub_messages_total";
    EXPECT_EQ(grew(before, after, messages, R"(status="accepted")"), 3);
    EXPECT_EQ(grew(before, after, messages, R"(status="rejected")"), 2);
}

TEST_F(HubLimits, EventNameOf200BytesIsStoredAnd201IsRejectedAlone) {
    start();
    const std::string atLimit(kMaxEventLength, 'E');
    const std::string pastLimit(kMaxEventLength + 1, 'F');
    const std::string before = metrics();

    const json batch = {track("ev-before", "Ok"), track("ev-at", atLimit), track("ev-past", pastLimit),
                        track("ev-after", "Ok")};
    auto r = postBatch(json{{"batch", batch}}.dump());
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const auto answer = json::parse(r->body);
    EXPECT_EQ(statuses(answer), (std::vector<std::string>{"accepted", "accepted", "rejected", "accepted"}));
    EXPECT_EQ(answer["receipts"][2]["reason"], "event: longer than 200 bytes");
    EXPECT_EQ(answer["receipts"][2]["messageId"], "ev-past");

    // The rejected message's id is free: with a name at the limit it is stored.
    auto fixed = postBatch(json{{"batch", {track("ev-past", atLimit)}}}.dump());
    ASSERT_TRUE(fixed);
    EXPECT_EQ(statuses(json::parse(fixed->body)), std::vector<std::string>{"accepted"});

    const std::string after = metrics();
    const std::string rejects = "touchpoint_hub_rejects_total";
    EXPECT_EQ(grew(before, after, rejects, R"(reason="event")"), 1);
    EXPECT_EQ(grew(before, after, rejects), 1);
    const std::string messages = "touchpoint_hub_messages_total";
    EXPECT_EQ(grew(before, after, messages, R"(status="accepted")"), 4);
}

TEST_F(HubLimits, ProcessConnectionLimitRefusesAtAcceptAndIsCounted) {
    EphemeralHubOptions options;
    options.limits.maxConnections = 3;
    options.limits.maxConnectionsPerAddress = 64;  // above it: what refuses is the process's limit
    start(options);
    const std::string before = metrics();
    ASSERT_TRUE(eventually([&] { return counters().openConnections() == 0; }));

    auto held = connectMany(m_hub->port(), 3);
    ASSERT_EQ(held.size(), 3u);
    RawTlsClient fourth;
    EXPECT_FALSE(fourth.connect(m_hub->port())) << "a fourth connection was let in past max_connections = 3";
    EXPECT_EQ(counters().openConnections(), 3);

    // The held connections are served as before.
    ASSERT_TRUE(held[0]->send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto health = held[0]->read();
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);

    // One closed frees its place: /metrics is read through it.
    held.pop_back();
    ASSERT_TRUE(eventually([&] { return counters().openConnections() == 2; }));
    const std::string after = metrics();
    const std::string http = "touchpoint_hub_http_refusals_total";
    EXPECT_EQ(grew(before, after, http, R"(reason="too_many_connections")"), 1);
    EXPECT_EQ(grew(before, after, http, R"(reason="address_connections")"), 0);
    // Closed before the handshake: not a failed handshake.
    EXPECT_EQ(grew(before, after, http, R"(reason="tls_handshake_failed")"), 0);
    EXPECT_EQ(sample(after, "touchpoint_hub_http_connections"), 3);  // two held and the one reading /metrics
}

TEST_F(HubLimits, FullQueueAnswers503WithRetryAfterAndQueuedRequestsAreServed) {
    EphemeralHubOptions options;
    options.workerThreads = 1;
    options.limits.maxQueuedRequests = 2;
    addHoldRoute(options);
    start(options);
    const std::string before = metrics();
    const auto queueFullBefore = counters().get(http::Refusal::QueueFull);
    const std::string hold = "GET /test/hold HTTP/1.1\r\nHost: x\r\n\r\n";

    // The one worker takes the first request and keeps it.
    RawTlsClient first;
    ASSERT_TRUE(first.connect(m_hub->port()));
    ASSERT_TRUE(first.send(hold));
    ASSERT_TRUE(eventually([&] { return m_held == 1; }));

    // Three more: two fit the queue, one does not. Which one is refused depends on the order the event loop reads
    // them, so the test does not assume it: exactly one is answered while the worker is still busy.
    std::vector<std::unique_ptr<RawTlsClient>> rest;
    for (int i = 0; i < 3; ++i) {
        rest.push_back(std::make_unique<RawTlsClient>());
        ASSERT_TRUE(rest.back()->connect(m_hub->port()));
        ASSERT_TRUE(rest.back()->send(hold));
    }
    int refused = -1;
    ASSERT_TRUE(eventually([&] {
        for (int i = 0; i < 3; ++i) {
            if (rest[static_cast<std::size_t>(i)]->readable(1ms)) refused = i;
        }
        return refused >= 0;
    })) << "no request was refused with a worker busy and the queue full";
    auto busy = rest[static_cast<std::size_t>(refused)]->read();
    ASSERT_TRUE(busy);
    EXPECT_EQ(busy->status, 503);
    EXPECT_EQ(busy->header("Retry-After"), "1");
    EXPECT_EQ(json::parse(busy->body, nullptr, false), (json{{"error", "server busy, retry later"}}));
    EXPECT_EQ(counters().get(http::Refusal::QueueFull), queueFullBefore + 1);
    EXPECT_EQ(m_held, 1);
    for (int i = 0; i < 3; ++i) {
        if (i == refused) continue;
        EXPECT_FALSE(rest[static_cast<std::size_t>(i)]->readable(20ms)) << "request " << i << " answered early";
    }

    releaseHeld();
    auto done = first.read();
    ASSERT_TRUE(done);
    EXPECT_EQ(done->status, 200);
    for (int i = 0; i < 3; ++i) {
        if (i == refused) continue;
        auto r = rest[static_cast<std::size_t>(i)]->read();
        ASSERT_TRUE(r) << "queued request " << i << " lost its answer";
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->body, R"({"held":true})");
    }
    EXPECT_EQ(m_held, 3);

    const std::string after = metrics();
    const std::string http = "touchpoint_hub_http_refusals_total";
    EXPECT_EQ(grew(before, after, http, R"(reason="queue_full")"), 1);
    EXPECT_EQ(grew(before, after, http), 1);
}

}  // namespace
}  // namespace touchpoint::hub::testing
