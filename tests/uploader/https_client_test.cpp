// HttpsClient and the hub receiver together over real TLS on loopback: keep-alive, headers, bad input
// answered with clear errors, escaping, and the abort hook.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/tls_cert.hpp"
#include "protocol/gzip.hpp"
#include "protocol/hub_receiver.hpp"
#include "protocol/wire.hpp"
#include "temp_dir.hpp"
#include "uploader/https_client.hpp"

namespace touchpoint::uploader {
namespace {

using namespace std::chrono_literals;

const CurlGlobal g_curl;

class HttpsClientTest : public ::testing::Test {
protected:
    void SetUp() override {
        tls::CertificateRequest caReq;
        caReq.commonName = "client test CA";
        caReq.dnsNames.clear();
        caReq.ipAddresses.clear();
        caReq.isCa = true;
        auto ca = tls::makeCertificate(caReq);
        ASSERT_TRUE(ca.ok());
        auto server = tls::makeCertificate(tls::CertificateRequest{}, ca.value());
        ASSERT_TRUE(server.ok());
        caFile = (dir / "ca.pem").string();
        ASSERT_TRUE(tls::writeFileAtomically(caFile, ca->certificate, 0644).ok());
        protocol::HubReceiverOptions o;
        o.serverCertificate = server.value();
        o.token = "t0k";
        auto r = protocol::HubReceiver::start(o);
        ASSERT_TRUE(r.ok()) << r.error();
        hub = std::move(r.value());
        HttpsClientOptions co;
        co.baseUrl = hub->url() + "/";
        co.caFile = caFile;
        co.lowSpeedTime = 2s;
        client = std::make_unique<HttpsClient>(co);
    }
    void TearDown() override {
        client.reset();
        hub->stop();
    }

    HttpResult postBatch(const std::string& body, bool gzip = true) {
        std::vector<std::string> headers{"Content-Type: application/json"};
        std::string wire = body;
        if (gzip) {
            wire = protocol::gzipCompress(body).value();
            headers.push_back("Content-Encoding: gzip");
        }
        return client->post(protocol::kBatchPath, wire, headers, "t0k");
    }

    touchpoint::testing::TempDir dir;
    std::string caFile;
    std::unique_ptr<protocol::HubReceiver> hub;
    std::unique_ptr<HttpsClient> client;
};

TEST_F(HttpsClientTest, RejectsNonHttpsUrls) {
    HttpsClientOptions o;
    o.baseUrl = "http://127.0.0.1:1";
    EXPECT_THROW(HttpsClient{o}, std::invalid_argument);
}

TEST_F(HttpsClientTest, GetsWithHeadersAndReusesTheConnection) {
    for (int i = 0; i < 3; ++i) {
        auto r = client->get("/healthz", "");
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->body, "{\"ok\":true}");
        EXPECT_NE(r->header("Content-Type").value_or("").find("json"), std::string::npos);
    }
}

TEST_F(HttpsClientTest, BatchGetsReceiptsAndADateHeader) {
    auto r = postBatch(R"({"batch":[{"messageId":"m1","type":"track"},{"messageId":"m2"}],"sentAt":"x"})");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->status, 200) << r->body;
    auto receipts = protocol::parseReceipts(r->body, {"m1", "m2"}, r->header("content-type").value_or(""));
    ASSERT_TRUE(receipts.ok()) << receipts.error().message;
    EXPECT_EQ(receipts->receipts[0].status, protocol::ReceiptStatus::Accepted);
    EXPECT_TRUE(protocol::parseHttpDate(r->header("date").value_or("")).has_value());
    EXPECT_GT(r->bytesUploaded, 0);
    // The same ids again are duplicates, never accepted twice.
    auto again = postBatch(R"({"batch":[{"messageId":"m2"}]})", false);
    ASSERT_TRUE(again.ok());
    EXPECT_NE(again->body.find("duplicate"), std::string::npos);
    EXPECT_EQ(hub->stats().acceptCount.at("m2"), 1);
}

TEST_F(HttpsClientTest, BadBatchesGetClearErrorsNeverA500) {
    auto notJson = postBatch("<html>");
    ASSERT_TRUE(notJson.ok());
    EXPECT_EQ(notJson->status, 400);
    EXPECT_EQ(nlohmann::json::parse(notJson->body)["error"], "body is not JSON");
    auto noBatch = postBatch(R"({"batch":{}})");
    ASSERT_TRUE(noBatch.ok());
    EXPECT_EQ(noBatch->status, 400);
    auto truncated = postBatch(R"({"batch":[{"messageId":"a")");
    ASSERT_TRUE(truncated.ok());
    EXPECT_EQ(truncated->status, 400);
    auto oddElements = postBatch(R"({"batch":[1,{"messageId":7},{"nested":{"messageId":"x"}},{"messageId":"ok"}]})");
    ASSERT_TRUE(oddElements.ok());
    ASSERT_EQ(oddElements->status, 200);
    const auto j = nlohmann::json::parse(oddElements->body);
    ASSERT_EQ(j["receipts"].size(), 4u);
    EXPECT_EQ(j["receipts"][0]["status"], "rejected");
    EXPECT_EQ(j["receipts"][0]["reason"], "messageId: missing");
    EXPECT_EQ(j["receipts"][1]["status"], "rejected");
    EXPECT_EQ(j["receipts"][2]["status"], "rejected");  // a nested messageId is not the message's
    EXPECT_EQ(j["receipts"][3]["status"], "accepted");
    auto noToken = client->post(protocol::kBatchPath, "{}", {}, "wrong");
    ASSERT_TRUE(noToken.ok());
    EXPECT_EQ(noToken->status, 401);
}

TEST_F(HttpsClientTest, ReceiptStringsAreEscaped) {
    hub->rejectMessage("q\"1", "bad \"quote\"\n and \\ slash");
    auto r = postBatch(R"({"batch":[{"messageId":"q\"1"}]})");
    ASSERT_TRUE(r.ok());
    auto receipts = protocol::parseReceipts(r->body, {"q\"1"});
    ASSERT_TRUE(receipts.ok()) << r->body;
    EXPECT_EQ(receipts->receipts[0].reason, "bad \"quote\"\n and \\ slash");
}

TEST_F(HttpsClientTest, ConnectFailureAndEscape) {
    const std::string url = hub->url();
    hub->stop();
    client.reset();
    HttpsClientOptions o;
    o.baseUrl = url;
    o.caFile = caFile;
    HttpsClient c(o);
    auto r = c.get("/healthz", "");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, TransportErrc::ConnectFailed);
    EXPECT_NE(r.error().message.find("cannot reach the hub"), std::string::npos);
    EXPECT_EQ(c.escape("+1 555/ü"), "%2B1%20555%2F%C3%BC");
}

TEST_F(HttpsClientTest, AbortHookStopsAHangingRequest) {
    hub->setDefaultFault(protocol::Fault::of(protocol::Fault::Kind::NeverAnswer));
    std::atomic<bool> abort{false};
    client->setAbortFlag(&abort);
    std::thread t([&] {
        std::this_thread::sleep_for(300ms);
        abort = true;
    });
    auto r = client->post(protocol::kBatchPath, R"({"batch":[]})", {}, "t0k", 60s);
    t.join();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().kind, TransportErrc::Aborted);
}

}  // namespace
}  // namespace touchpoint::uploader
