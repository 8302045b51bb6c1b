// Schema step kKeyedTombstonesVersion on the backend this suite runs on (SQLite file, or a fresh PostgreSQL
// database): unkeyed tombstones move to legacy_tombstones and still keep the erased out (each is re-keyed the
// first time its identifier comes again), and staff lookups stored before lose their plaintext identifier.

#include <gtest/gtest.h>

#include "api_test_support.hpp"
#include "hub/ingest/identity.hpp"
#include "hub/privacy/data_key.hpp"
#include "hub/privacy/field_cipher.hpp"
#include "hub/store/hub_store.hpp"
#include "hub/store/sql_backend.hpp"
#include "hub/store/sql_schema.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub::testing {
namespace {

std::unique_ptr<SqlConnection> rawConnection(const std::string& url) {
    auto c = url.rfind("sqlite://", 0) == 0 ? openSqlite(url.substr(9)) : openPostgres(url);
    EXPECT_TRUE(c) << (c ? "" : c.error().message);
    return c ? std::move(c).value() : nullptr;
}

/// A stored payload opened under this process's data key (later steps seal it: kFieldEncryptionVersion).
std::string opened(const std::string& stored) {
    auto text = privacy::FieldCipher(privacy::DataKeys::processLocal()).open(privacy::columns::kEventPayload, stored);
    EXPECT_TRUE(text) << (text ? "" : text.error());
    return text ? *text : "";
}

std::int64_t count(SqlConnection& c, const std::string& sql, const std::vector<SqlValue>& params = {}) {
    auto r = c.query(sql, params);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r && !r->empty() ? r->integer(0, 0) : -1;
}

TEST(KeyedTombstonesStep, LegacyTombstonesStillKeepTheErasedOutAndAreRekeyedWhenSeen) {
    touchpoint::testing::TempDir dir;
    std::string url;
    ASSERT_NO_FATAL_FAILURE(makeStoreOfThisBuild(dir, url));
    {
        // Back to what the step before wrote: no legacy table, unkeyed tombstones, staff lookups in plaintext.
        auto c = rawConnection(url);
        ASSERT_TRUE(c);
        ASSERT_TRUE(c->script("DROP TABLE legacy_tombstones; DROP TABLE staff_lookups; DROP TABLE identifier_mentions"));
        ASSERT_TRUE(c->exec("UPDATE schema_version SET version = ?", {kKeyedTombstonesVersion - 1}));
        for (const auto& [kind, value] : {std::pair{"email", "gone@example.com"}, std::pair{"phone", "+12025550188"}}) {
            ASSERT_TRUE(c->exec("INSERT INTO tombstones(hash, erased_at) VALUES(?, 1234)",
                                {legacyIdentifierHash(kind, value)}));
        }
        ASSERT_TRUE(c->exec(
            "INSERT INTO events(message_id, type, event, at, day, received_at, store_id, kiosk_id, channel, profile_id, "
            "payload) VALUES('m-lookup', 'track', 'Staff Lookup', 1, '2026-11-01', 1, 's1', 'k1', 'in_store_kiosk', "
            "NULL, ?)",
            {std::string(R"({"event":"Staff Lookup","properties":{"identifier":"+12025550177","identityType":"phone","pinSlot":1}})")}));
    }
    auto store = openHubStore(url, HubConfig{});
    ASSERT_TRUE(store) << store.error().message;
    auto c = rawConnection(url);
    ASSERT_TRUE(c);
    EXPECT_EQ(count(*c, "SELECT MAX(version) FROM schema_version"), kHubSchemaVersion);  // and every later step
    EXPECT_EQ(count(*c, "SELECT COUNT(*) FROM legacy_tombstones"), 2);
    EXPECT_EQ(count(*c, "SELECT COUNT(*) FROM tombstones"), 0);
    auto payload = c->query("SELECT payload FROM events WHERE message_id = 'm-lookup'");
    ASSERT_TRUE(payload && payload->size() == 1);
    const std::string lookupPayload = opened(payload->text(0, 0));
    EXPECT_EQ(lookupPayload.find("+12025550177"), std::string::npos) << lookupPayload;
    EXPECT_NE(lookupPayload.find("identityType"), std::string::npos) << lookupPayload;

    // A member import of the erased address is refused (and, refused, writes nothing: the row stays legacy).
    auto imported = (*store)->importMember({"m-1", "gone@example.com", "", "Ann", 0});
    ASSERT_FALSE(imported);
    EXPECT_NE(imported.error().message.find("was erased"), std::string::npos) << imported.error().message;
    const auto& keys = privacy::DataKeys::processLocal();
    EXPECT_EQ(count(*c, "SELECT COUNT(*) FROM tombstones"), 0);
    EXPECT_EQ(count(*c, "SELECT COUNT(*) FROM legacy_tombstones"), 2);

    // A late message with the erased phone: stored as a fact without the person, and its legacy row re-keyed.
    IngestMessage late;
    late.type = "identify";
    late.messageId = "m-late";
    late.channel = "in_store_kiosk";
    late.storeId = "s1";
    late.kioskId = "k1";
    late.sourceKind = "kiosk";
    late.anonymousId = "anon-late";
    late.timestampMs = late.correctedMs = late.receivedMs = 5000;
    late.traits = {{"phone", "+12025550188"}};
    late.payloadText = nlohmann::json{{"type", "identify"}, {"traits", late.traits}}.dump();
    IngestStats stats;
    auto r = (*store)->ingest({&late}, stats);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ((*r)[0], ReceiptStatus::Accepted);
    EXPECT_EQ(count(*c, "SELECT COUNT(*) FROM identifiers WHERE value = '+12025550188'"), 0);
    EXPECT_EQ(count(*c, "SELECT COUNT(*) FROM events WHERE message_id = 'm-late' AND profile_id IS NULL"), 1);
    EXPECT_EQ(count(*c, "SELECT COUNT(*) FROM legacy_tombstones WHERE hash = ?",
                    {legacyIdentifierHash("phone", "+12025550188")}), 0);
    EXPECT_EQ(count(*c, "SELECT COUNT(*) FROM legacy_tombstones"), 1);
    EXPECT_EQ(count(*c, "SELECT COUNT(*) FROM tombstones WHERE hash = ?", {keys.identifierTag("phone", "+12025550188")}), 1);
    // Still erased after the re-keying: an import with the phone is refused through its keyed tombstone.
    EXPECT_FALSE((*store)->importMember({"m-2", "", "+12025550188", "Ann", 0}));
    auto stored = c->query("SELECT payload FROM events WHERE message_id = 'm-late'");
    ASSERT_TRUE(stored && stored->size() == 1);
    EXPECT_EQ(opened(stored->text(0, 0)).find("2025550188"), std::string::npos);
}

}  // namespace
}  // namespace touchpoint::hub::testing
