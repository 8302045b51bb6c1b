#include "api_test_support.hpp"

#include "hub/store/hub_store.hpp"
#include "protocol/gzip.hpp"

namespace touchpoint::hub::testing {

std::string gzipText(const std::string& in) { return protocol::gzipCompress(in).value(); }

void makeStoreOfThisBuild(const touchpoint::testing::TempDir& dir, std::string& url) {
    const std::string backend = backendStoreUrl();
    url = backend.empty() ? "sqlite://" + (dir / "hub.db").string() : backend;
    auto store = openHubStore(url, HubConfig{});
    ASSERT_TRUE(store) << "a database of this build: " << store.error().message;
}

void HubApiTest::SetUp() {
    EphemeralHubOptions o;
    o.storeUrl = backendStoreUrl();
    auto h = EphemeralHub::start(o);
    ASSERT_TRUE(h.ok()) << (h.ok() ? "" : h.error());
    m_hub = std::move(h).value();
}

std::unique_ptr<EphemeralHub> HubApiTest::startAnotherHub(const std::string& sameStoreUrl) {
    EphemeralHubOptions o;
    o.storeUrl = sameStoreUrl;
    o.sameSealingKeysAs = m_hub.get();  // as behind a load balancer: either hub opens what kiosks sealed
    auto h = EphemeralHub::start(o);
    EXPECT_TRUE(h.ok()) << (h.ok() ? "" : h.error());
    return h.ok() ? std::move(h).value() : nullptr;
}

namespace {
std::unique_ptr<httplib::SSLClient> client(const EphemeralHub& hub, int port) {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", port ? port : hub.port());
    c->set_ca_cert_path(hub.caFile().c_str());
    c->enable_server_certificate_verification(true);
    c->set_read_timeout(60, 0);
    return c;
}

Reply toReply(const httplib::Result& r) {
    if (!r) return Reply{-1, httplib::to_string(r.error())};
    return Reply{r->status, r->body, r->get_header_value("Retry-After")};
}
}  // namespace

std::unique_ptr<httplib::SSLClient> ingestClient(const EphemeralHub& hub) {
    auto c = client(hub, 0);
    c->set_keep_alive(true);
    c->set_read_timeout(120, 0);
    c->set_bearer_token_auth(hub.ingestToken().c_str());
    return c;
}

std::optional<ReceiptCounts> postBatch(httplib::SSLClient& client, const nlohmann::json& messages) {
    auto r = client.Post("/v1/batch", nlohmann::json{{"batch", messages}}.dump(), "application/json");
    if (!r || r->status != 200) return std::nullopt;
    const auto body = nlohmann::json::parse(r->body, nullptr, false);
    if (!body.is_object() || !body["receipts"].is_array()) return std::nullopt;
    ReceiptCounts n;
    for (const auto& rc : body["receipts"]) {
        if (rc["status"] == "accepted") ++n.accepted;
        if (rc["status"] == "duplicate") ++n.duplicate;
        if (rc["status"] == "rejected") ++n.rejected;
    }
    return n;
}

Reply HubApiTest::post(const std::string& path, const std::string& body, const std::string& token, bool gzip, int port,
                       const std::string& contentType) {
    auto c = client(*m_hub, port);
    httplib::Headers headers;
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    if (gzip) headers.emplace("Content-Encoding", "gzip");
    return toReply(c->Post(path.c_str(), headers, gzip ? gzipText(body) : body, contentType.c_str()));
}

Reply HubApiTest::get(const std::string& path, const std::string& token, bool basic) {
    auto c = client(*m_hub, 0);
    if (basic) c->set_basic_auth(token.c_str(), "");
    else if (!token.empty()) c->set_bearer_token_auth(token.c_str());
    return toReply(c->Get(path.c_str()));
}

Reply HubApiTest::del(const std::string& path, const std::string& token) {
    auto c = client(*m_hub, 0);
    if (!token.empty()) c->set_bearer_token_auth(token.c_str());
    return toReply(c->Delete(path.c_str()));
}

std::string HubApiTest::senderToken(const nlohmann::json& message) {
    const auto context = message.is_object() ? message.value("context", nlohmann::json::object()) : nlohmann::json();
    auto text = [&](const char* key) {
        const auto it = context.is_object() ? context.find(key) : context.end();
        return it != context.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    const auto store = text("storeId"), kioskId = text("kioskId"), channel = text("channel");
    if (!store.empty() && !kioskId.empty()) return m_hub->kioskToken(store, kioskId);
    if (!store.empty() || !kioskId.empty() || channel == event::kKioskChannel) return m_hub->ingestToken();
    if (channel == "web" || channel == "app") return m_hub->token(channel);
    if (channel.empty()) return m_hub->token(context.is_object() && (context.contains("device") || context.contains("app")) ? "app" : "web");
    return m_hub->token("server");
}

std::vector<std::string> HubApiTest::send(const nlohmann::json& messages) {
    // `send({m})` arrives as the message itself (a one-element braced list is not an array to nlohmann).
    const nlohmann::json batch = messages.is_array() ? messages : nlohmann::json::array({messages});
    // Each run of messages goes with the token its sender holds (a kiosk's own, a web or app key).
    std::vector<std::string> out;
    for (std::size_t i = 0; i < batch.size();) {
        const auto token = senderToken(batch[i]);
        nlohmann::json run = nlohmann::json::array();
        for (; i < batch.size() && senderToken(batch[i]) == token; ++i) run.push_back(batch[i]);
        const auto r = post("/v1/batch", nlohmann::json{{"batch", run}}.dump(), token, true);
        EXPECT_EQ(r.status, 200) << r.body;
        const auto j = r.json();
        if (!j.is_object() || !j.contains("receipts")) return out;
        for (const auto& rc : j["receipts"]) out.push_back(rc["status"].get<std::string>());
    }
    return out;
}

event::KioskEventFactory HubApiTest::kiosk(const std::string& store, const std::string& kioskId, const Clock& clock) {
    auto sealer = event::Sealer::fromPublicKeyB64(m_hub->sealingPublicKeyB64());
    auto hasher = event::IdentityHasher::fromKeyB64(event::IdentityHasher::generateKeyB64());
    return event::KioskEventFactory({store, kioskId, "America/New_York", "0.1.0", "boot-1"}, *sealer, *hasher, clock);
}

nlohmann::json HubApiTest::webIdentify(const std::string& id, std::int64_t atMs, const std::string& anonymousId,
                                       const std::string& userId, const nlohmann::json& traits) {
    nlohmann::json m = {{"type", "identify"}, {"messageId", id}, {"timestamp", formatIsoUtcMs(atMs)}, {"traits", traits},
                        {"context", {{"library", {{"name", "analytics.js"}}}}}};
    if (!anonymousId.empty()) m["anonymousId"] = anonymousId;
    if (!userId.empty()) m["userId"] = userId;
    return m;
}

}  // namespace touchpoint::hub::testing
