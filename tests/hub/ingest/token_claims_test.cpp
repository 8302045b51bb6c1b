// What a message may claim, by the kind of token that sent it (sync/hub/ingest/token_claims.hpp).

#include <gtest/gtest.h>

#include "event/message.hpp"
#include "hub/ingest/token_claims.hpp"

namespace touchpoint::hub {
namespace {

TokenRecord token(const std::string& kind, const std::string& store = "", const std::string& kiosk = "") {
    TokenRecord t;
    t.name = kind + "-token";
    t.kind = kind;
    t.storeId = store;
    t.kioskId = kiosk;
    return t;
}

IngestMessage message(std::string_view event, const std::string& store = "", const std::string& kiosk = "",
                      const std::string& channel = "in_store_kiosk") {
    IngestMessage m;
    m.type = "track";
    m.messageId = "m1";
    m.event = std::string(event);
    m.storeId = store;
    m.kioskId = kiosk;
    m.channel = channel;
    return m;
}

TEST(TokenClaims, AKioskTokenStampsItsStoreKioskAndChannel) {
    auto m = message(event::names::kSignin, "", "", "web");
    EXPECT_EQ(applyTokenClaims(m, token("kiosk", "s1", "k1")), "");
    EXPECT_EQ(m.storeId, "s1");
    EXPECT_EQ(m.kioskId, "k1");
    EXPECT_EQ(m.channel, "in_store_kiosk");
    EXPECT_EQ(m.sourceKind, "kiosk");

    auto same = message(event::names::kHeartbeat, "s1", "k1");
    EXPECT_EQ(applyTokenClaims(same, token("kiosk", "s1", "k1")), "");
    auto otherStore = message(event::names::kHeartbeat, "s2", "k1");
    EXPECT_EQ(applyTokenClaims(otherStore, token("kiosk", "s1", "k1")), "storeId: this token speaks for another store");
    auto otherKiosk = message(event::names::kHeartbeat, "s1", "k2");
    EXPECT_EQ(applyTokenClaims(otherKiosk, token("kiosk", "s1", "k1")), "kioskId: this token speaks for another kiosk");
    auto unbound = message("Product Viewed");
    EXPECT_EQ(applyTokenClaims(unbound, token("kiosk")), "token: not bound to a store and kiosk");
}

TEST(TokenClaims, AWriteKeyGetsItsChannelAndCannotClaimAStoreOrAKioskEvent) {
    for (const char* kind : {"web", "app", "server"}) {
        SCOPED_TRACE(kind);
        auto page = message("Product Viewed", "", "", "in_store_kiosk");
        EXPECT_EQ(applyTokenClaims(page, token(kind)), "");
        EXPECT_EQ(page.channel, kind);
        EXPECT_EQ(page.sourceKind, kind);
        auto store = message("Product Viewed", "s1");
        EXPECT_EQ(applyTokenClaims(store, token(kind)), "storeId: a write key cannot claim a store");
        auto kiosk = message("Product Viewed", "", "k1");
        EXPECT_EQ(applyTokenClaims(kiosk, token(kind)), "kioskId: a write key cannot claim a kiosk");
        for (auto event : {event::names::kSignin, event::names::kHeartbeat, event::names::kStaffLookup}) {
            auto m = message(event);
            EXPECT_EQ(applyTokenClaims(m, token(kind)).rfind("event: only a kiosk token may send", 0), 0u) << event;
        }
        auto loyalty = message(event::names::kConsent);
        loyalty.properties = {{"purposes", {"marketing_email", "loyalty_terms"}}};
        EXPECT_NE(applyTokenClaims(loyalty, token(kind)), "");
        auto marketing = message(event::names::kConsent);
        marketing.properties = {{"purposes", {"marketing_email"}}};
        EXPECT_EQ(applyTokenClaims(marketing, token(kind)), "");
    }
}

TEST(TokenClaims, StaffAndHeadOfficeTokensSendNoEvents) {
    auto m = message("Product Viewed");
    EXPECT_EQ(applyTokenClaims(m, token("staff", "s1", "k1")), "token: may not send events");
    EXPECT_EQ(applyTokenClaims(m, token("head-office")), "token: may not send events");
}

}  // namespace
}  // namespace touchpoint::hub
