// Sources bookkeeping without a server: reject labels stay a fixed set, rejected payloads are masked and
// bounded, the ledger adds and retries, and the store keeps counts added and rejections bounded.

#include <gtest/gtest.h>

#include "hub/http/metrics.hpp"
#include "hub/http/source_ledger.hpp"
#include "hub/ingest/rejection_excerpt.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub {
namespace {

using nlohmann::json;
using touchpoint::testing::TempDir;

constexpr std::int64_t kNow = 1'795'000'000'000;  // 2026-11-19, on an hour boundary plus change

bool validUtf8(const std::string& text) {
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
        if (n == 0 || i + n > text.size()) return false;
        for (std::size_t k = 1; k < n; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
        }
        i += n;
    }
    return true;
}

TEST(Sources, RejectLabelsAreAFixedSetWhateverTheSenderWrote) {
    EXPECT_EQ(Metrics::rejectLabel("timestamp: not RFC 3339"), "timestamp");
    EXPECT_EQ(Metrics::rejectLabel("userId/anonymousId: one of them is required"), "userId/anonymousId");
    EXPECT_EQ(Metrics::rejectLabel("properties.drops.anything-at-all: expected a whole number"), "properties");
    EXPECT_EQ(Metrics::rejectLabel("sealed.traits.x: unknown key id"), "sealed");
    EXPECT_EQ(Metrics::rejectLabel("context.list[2]: number longer than 64 characters"), "context");
    EXPECT_EQ(Metrics::rejectLabel("my-own-key-1: number longer than 64 characters"), "other");
    EXPECT_EQ(Metrics::rejectLabel("body_malformed: body is not valid JSON"), "body_malformed");

    Metrics m;
    m.countReject("web \"key\"", "timestamp: not RFC 3339");
    m.countSource("web \"key\"", "accepted", 3);
    const auto text = m.render("");
    EXPECT_NE(text.find("touchpoint_hub_rejects_total{source=\"web \\\"key\\\"\",reason=\"timestamp\"} 1"), std::string::npos)
        << text;
    EXPECT_NE(text.find("touchpoint_hub_source_messages_total{source=\"web \\\"key\\\"\",status=\"accepted\"} 3"),
              std::string::npos);
}

TEST(Sources, RejectedPayloadsAreMaskedAndCutOnACharacter) {
    const json m = {{"type", "identify"},
                    {"userId", "ada@example.com"},
                    {"traits", {{"email", "ada@example.com"}, {"firstName", "Ada"}, {"plan", "gold"}}},
                    {"properties", {{"note", "call me on +1 202 555 0123"}}},
                    {"writeKey", "tpk_public_web_key"}};
    const auto text = maskedExcerpt(m, 4096);
    EXPECT_EQ(text.find("tpk_public_web_key"), std::string::npos) << text;
    EXPECT_EQ(text.find("writeKey"), std::string::npos) << text;
    EXPECT_EQ(text.find("ada@example.com"), std::string::npos) << text;
    EXPECT_EQ(text.find("Ada"), std::string::npos) << text;
    EXPECT_EQ(text.find("555"), std::string::npos) << text;
    EXPECT_NE(text.find("gold"), std::string::npos) << text;
    EXPECT_NE(text.find("[personal]"), std::string::npos) << text;

    const json wide = {{"event", std::string(300, 'x') + "\xC3\xA9\xC3\xA9\xC3\xA9"}};
    for (std::size_t limit = 300; limit < 320; ++limit) {
        const auto cut = maskedExcerpt(wide, limit);
        EXPECT_LE(cut.size(), limit + 3);
        EXPECT_TRUE(validUtf8(cut)) << "cut inside a character at " << limit;
    }
}

TEST(Sources, TheLogIsLimitedPerSourceAndReportsWhatItHeldBack) {
    SourceLedger ledger(SourceLedger::Options{1000, 3});
    std::int64_t suppressed = 0;
    int admitted = 0;
    for (int i = 0; i < 10; ++i) admitted += ledger.admitLogLine("web", kNow + i, suppressed) ? 1 : 0;
    EXPECT_EQ(admitted, 3);
    EXPECT_TRUE(ledger.admitLogLine("kiosk", kNow, suppressed)) << "another source has its own allowance";
    EXPECT_TRUE(ledger.admitLogLine("web", kNow + 60'000, suppressed));
    EXPECT_EQ(suppressed, 7);
}

TEST(Sources, StoreAddsCountsFromEveryWriterAndKeepsTheNewestRejections) {
    TempDir dir;
    auto store = openHubStore("sqlite://" + (dir / "hub.db").string(), HubConfig{});
    ASSERT_TRUE(store) << store.error().message;
    // Two hub processes' ledgers writing to one database.
    SourceLedger a, b;
    std::vector<SourceRejection> many;
    for (int i = 0; i < 70; ++i) many.push_back({kNow, "m-" + std::to_string(i), "timestamp: not RFC 3339", "{}"});
    a.record("web-key", kNow, "analytics.js/1.0", 5, 1, 70, many);
    b.record("web-key", kNow + 10, "", 2, 0, 0, {});
    b.record("kiosk-1", kNow, "", 9, 0, 0, {});
    ASSERT_TRUE(a.flush(**store, kNow + 20, true));
    ASSERT_TRUE(b.flush(**store, kNow + 20, true));
    ASSERT_TRUE(b.flush(**store, kNow + 30, true)) << "nothing pending is not an error";

    auto records = (*store)->sources(kNow - kSourceHourMs);
    ASSERT_TRUE(records) << records.error().message;
    ASSERT_EQ(records->size(), 2u);
    const auto& web = (*records)[1];
    EXPECT_EQ(web.source, "web-key");
    EXPECT_EQ(web.lastSeenMs, kNow + 10);
    EXPECT_EQ(web.library, "analytics.js/1.0");
    ASSERT_EQ(web.hours.size(), 1u);
    EXPECT_EQ(web.hours[0].accepted, 7);
    EXPECT_EQ(web.hours[0].duplicate, 1);
    EXPECT_EQ(web.hours[0].rejected, 70);
    ASSERT_EQ(web.rejections.size(), kSourceRejectionsKept);
    EXPECT_EQ(web.rejections.front().messageId, "m-69") << "newest first";
    EXPECT_EQ(web.rejections.back().messageId, "m-20");

    // More rejections later: the stored ones are trimmed to the newest kSourceRejectionsKept.
    a.record("web-key", kNow + 100, "", 0, 0, 1, {{kNow + 100, "late", "event: missing or not a string", "{}"}});
    ASSERT_TRUE(a.flush(**store, kNow + 200, true));
    records = (*store)->sources(kNow - kSourceHourMs);
    ASSERT_TRUE(records);
    EXPECT_EQ((*records)[1].rejections.size(), kSourceRejectionsKept);
    EXPECT_EQ((*records)[1].rejections.front().messageId, "late");
    EXPECT_EQ((*records)[1].hours[0].rejected, 71);
}

}  // namespace
}  // namespace touchpoint::hub
