// docs/PROTOCOL.md "Worked examples": each request posted as the document writes it (its write key
// substituted), with the headers it names, and the answer checked against the one the document shows
// (SQLite or PostgreSQL, as api_test.cpp). A change to an example there belongs here too.

#include <map>
#include <memory>
#include <string>

#include "api_test_support.hpp"

#define TP_EXAMPLES_CONCAT2(a, b) a##b
#define TP_EXAMPLES_CONCAT(a, b) TP_EXAMPLES_CONCAT2(a, b)
#define EXAMPLES_SUITE TP_EXAMPLES_CONCAT(HUB_SUITE, ProtocolExamples)

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;

constexpr const char* kTrackExample = R"({"messageId": "ex-track-1", "userId": "u-1", "event": "Order Completed",
 "properties": {"total": 42}, "timestamp": "2026-11-23T03:40:45.123Z"})";

constexpr const char* kImportExample =
    R"({"batch": [{"type": "identify", "messageId": "ex-imp-1", "userId": "u-7", "traits": {"email": "ada@example.com"},
            "timestamp": "2025-03-01T10:00:00.000Z"},
           {"type": "track", "messageId": "ex-imp-2", "userId": "u-7", "event": "Order Completed",
            "timestamp": "2025-03-01T10:05:00.000Z"},
           {"type": "track", "messageId": "ex-imp-3", "userId": "u-7", "timestamp": "2025-03-01T10:06:00.000Z"}]})";

constexpr const char* kShortPathExample = R"({"type": "track", "messageId": "ajs-1", "anonymousId": "anon-1",
 "event": "Product Viewed", "timestamp": "2026-11-23T03:40:45.123Z", "writeKey": "WRITE_KEY",
 "context": {"library": {"name": "analytics.js", "version": "next-1.84.3"}}})";

class EXAMPLES_SUITE : public HubApiTest {
protected:
    /// The receipts of a 200 answer, after checking its shape: a `receipts` array and an RFC 3339 `serverTime`.
    static json receiptsOf(const Reply& r) {
        EXPECT_EQ(r.status, 200) << r.body;
        const auto j = r.json();
        if (!j.is_object() || !j.contains("receipts") || !j.contains("serverTime")) {
            ADD_FAILURE() << "not a receipt answer: " << r.body;
            return json();
        }
        std::int64_t serverMs = 0;
        EXPECT_TRUE(parseIsoUtcMs(j["serverTime"].get<std::string>(), serverMs)) << r.body;
        return j["receipts"];
    }
    std::unique_ptr<httplib::SSLClient> browser() {
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", hub().port());
        c->set_ca_cert_path(hub().caFile().c_str());
        c->enable_server_certificate_verification(true);
        return c;
    }
};

TEST_F(EXAMPLES_SUITE, SingleCallTrackTakesItsTypeFromThePath) {
    const auto key = hub().token("server");
    EXPECT_EQ(receiptsOf(post("/v1/track", kTrackExample, key)),
              json::parse(R"([{"messageId": "ex-track-1", "status": "accepted"}])"));
    EXPECT_EQ(receiptsOf(post("/v1/track", kTrackExample, key)),
              json::parse(R"([{"messageId": "ex-track-1", "status": "duplicate"}])"));
    json typed = json::parse(kTrackExample);
    typed["type"] = "identify";
    typed["messageId"] = "ex-track-2";
    EXPECT_EQ(receiptsOf(post("/v1/track", typed.dump(), key)),
              json::parse(R"([{"messageId": "ex-track-2", "status": "rejected",
                               "reason": "type: this endpoint takes track messages"}])"));
}

TEST_F(EXAMPLES_SUITE, ImportAnswersOneReceiptPerMessageAndKeepsTheirOwnTimes) {
    const auto key = hub().token("server");
    EXPECT_EQ(receiptsOf(post("/v1/import", kImportExample, key, true)),
              json::parse(R"([{"messageId": "ex-imp-1", "status": "accepted"},
                              {"messageId": "ex-imp-2", "status": "accepted"},
                              {"messageId": "ex-imp-3", "status": "rejected", "reason": "event: missing or not a string"}])"));
    const auto exported = get("/v1/export/events?format=json&from=2025-03-01&to=2025-03-01", hub().headOfficeToken());
    ASSERT_EQ(exported.status, 200) << exported.body;
    std::map<std::string, std::string> at;
    for (const auto& row : exported.json()) at[row["messageId"]] = row["at"];
    EXPECT_EQ(at, (std::map<std::string, std::string>{{"ex-imp-1", "2025-03-01T10:00:00.000Z"},
                                                      {"ex-imp-2", "2025-03-01T10:05:00.000Z"}}));
}

TEST_F(EXAMPLES_SUITE, ShortPathTrackAsTheBrowserLibrarySendsIt) {
    const auto key = hub().token("web");
    auto c = browser();
    const auto pre = c->Options("/v1/t", {{"Origin", "https://shop.example"},
                                         {"Access-Control-Request-Method", "POST"},
                                         {"Access-Control-Request-Headers", "authorization,content-type"}});
    ASSERT_TRUE(pre);
    EXPECT_EQ(pre->status, 204);
    EXPECT_EQ(pre->get_header_value("Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(pre->get_header_value("Access-Control-Allow-Methods"), "POST");
    EXPECT_EQ(pre->get_header_value("Access-Control-Allow-Headers"),
              "Authorization, Content-Type, Content-Encoding, X-Retry-Count");
    EXPECT_EQ(pre->get_header_value("Access-Control-Max-Age"), "600");

    std::string body = kShortPathExample;
    body.replace(body.find("WRITE_KEY"), 9, key);
    c->set_basic_auth(key.c_str(), "");
    const auto r = c->Post("/v1/t", {{"Origin", "https://shop.example"}}, body, "text/plain");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    EXPECT_EQ(receiptsOf(Reply{r->status, r->body}), json::parse(R"([{"messageId": "ajs-1", "status": "accepted"}])"));
}

}  // namespace
}  // namespace touchpoint::hub::testing
