// Key rotation on this suite's store (SQLite or PostgreSQL): rows sealed and tagged under key A, then B first
// in the key file; HubStore::rotateDataKey moves every sealed column's values under B, each opening to the same
// plaintext as before; identifiers are found with B alone; tombstones and staff-lookup tags stay under A and
// are reported as what keeps A needed. A run stopped by maxRows resumes with nothing done twice or lost, and
// an identifier row under B that a hub without A added is handled (same profile: one row kept; another
// profile: both left and reported).

#include <fstream>
#include <map>

#include "api_test_support.hpp"
#include "hub/privacy/field_cipher.hpp"
#include "hub/store/hub_store.hpp"
#include "hub/store/sealed_columns.hpp"
#include "hub/store/sql_backend.hpp"
#include "temp_dir.hpp"

#define ROTATION_CAT2(a, b) a##b
#define ROTATION_CAT(a, b) ROTATION_CAT2(a, b)
#define ROTATION_SUITE ROTATION_CAT(HUB_SUITE, KeyRotation)

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;

constexpr const char* kKeyA = "dk_a 7pVbNWZwXK8AUpTRsuWzJHqGVLD8D3WGZeBXBI4EX2Q=\n";  // '_': no LIKE wildcard
constexpr const char* kKeyB = "dkb QmZ8l3r4xzh6cE8jYJqZb0rFt5m3WcTq2vY1x9Kp7sU=\n";
constexpr std::int64_t kDay = 1'790'000'000'000;  // 2026-09-21

privacy::DataKeys keysOf(const std::string& text) {
    auto k = privacy::DataKeys::parse(text, "test");
    EXPECT_TRUE(k) << (k ? "" : k.error());
    return std::move(k).value();
}

class ROTATION_SUITE : public ::testing::Test {
protected:
    void SetUp() override {
        const std::string backend = backendStoreUrl();
        std::filesystem::create_directories(m_dir / "db");
        m_url = backend.empty() ? "sqlite://" + (m_dir / "db" / "hub.db").string() : backend;
    }

    std::unique_ptr<HubStore> open(const std::string& keyText) {
        const auto file = m_dir / ("k" + std::to_string(m_files++) + ".key");
        std::ofstream(file) << keyText;
        HubConfig config;
        config.dataKeyFile = file.string();
        auto store = openHubStore(m_url, config);
        EXPECT_TRUE(store) << (store ? "" : store.error().message);
        return store ? std::move(store).value() : nullptr;
    }

    std::unique_ptr<SqlConnection> raw() {
        auto c = m_url.rfind("sqlite://", 0) == 0 ? openSqlite(m_url.substr(9)) : openPostgres(m_url);
        EXPECT_TRUE(c) << (c ? "" : c.error().message);
        return c ? std::move(c).value() : nullptr;
    }

    static IngestMessage identify(const std::string& id, const std::string& email, std::int64_t atMs) {
        IngestMessage m;
        m.type = "identify";
        m.messageId = id;
        m.channel = "in_store_kiosk";
        m.storeId = "s1";
        m.kioskId = "k1";
        m.sourceKind = "kiosk";
        m.anonymousId = "anon-" + id;
        m.timestampMs = m.correctedMs = m.receivedMs = atMs;
        m.traits = {{"email", email}, {"lastName", "Rotwell"}};
        m.payloadText = json{{"type", "identify"}, {"messageId", id}, {"traits", m.traits}}.dump();
        return m;
    }

    /// Rows under key A in every sealed column: through the store where it writes them (events, profiles,
    /// identifiers, tombstones), sealed here for the columns whose rows need a longer story (a merge, a case).
    void seedUnderA(int people) {
        auto store = open(kKeyA);
        ASSERT_TRUE(store);
        for (int i = 0; i < people; ++i) {
            const std::string n = std::to_string(i);
            ASSERT_TRUE(store->importMember({"M-" + n, "p" + n + "@example.com", "+1202555010" + n, "Ann", 10}));
            IngestStats stats;
            const auto m = identify("m-" + n, "p" + n + "@example.com", kDay + i);
            auto r = store->ingest({&m}, stats);
            ASSERT_TRUE(r) << r.error().message;
        }
        // One person erased: tombstones under A.
        auto gone = store->findProfile("member", "M-0");
        ASSERT_TRUE(gone && *gone);
        TokenRecord admin;
        admin.name = "admin-1";
        ASSERT_TRUE(store->eraseProfile((*gone)->profileId, admin));
        const privacy::FieldCipher a(keysOf(kKeyA));
        auto c = raw();
        ASSERT_TRUE(c);
        for (int i = 0; i < 2; ++i) {
            const std::string n = std::to_string(i);
            ASSERT_TRUE(c->exec("INSERT INTO feedback(message_id, at, day, store_id, kiosk_id, abandoned, misuse, "
                                "reasons, comment, survey_id, abandon_reason) VALUES(?,?,?,?,?,0,0,'[]',?,'s','')",
                                {"f-" + n, kDay, std::string("2026-09-21"), std::string("s1"), std::string("k1"),
                                 a.seal(privacy::columns::kFeedbackComment, "dusty stand " + n)}));
            ASSERT_TRUE(c->exec("INSERT INTO feedback_contacts(feedback_message_id, consent_message_id, store_id, "
                                "kind, value, received_at) VALUES(?,?,'s1','phone',?,?)",
                                {"f-" + n, "c-" + n, a.seal(privacy::columns::kContactValue, "+1202555019" + n), kDay}));
            ASSERT_TRUE(c->exec("INSERT INTO account_groups(group_id, traits, updated_at) VALUES(?,?,?)",
                                {"g-" + n, a.seal(privacy::columns::kGroupTraits, R"({"name":"Lantern )" + n + "\"}"), kDay}));
            ASSERT_TRUE(c->exec("INSERT INTO case_notes(case_id, at, token_name, text) VALUES(?,?,'admin',?)",
                                {"case-" + n, kDay, a.seal(privacy::columns::kCaseNoteText, "rang back " + n)}));
            ASSERT_TRUE(c->exec("INSERT INTO cases(id, feedback_message_id, rule, kind, store_id, kiosk_id, status, "
                                "opened_at, due_at, updated_at, outcome) VALUES(?,?,'detractor','detractor','s1',"
                                "'k1','resolved',?,?,?,?)",
                                {"case-" + n, "f-" + n, kDay, kDay, kDay,
                                 a.seal(privacy::columns::kCaseOutcome, "voucher texted to +1202555018" + n)}));
            ASSERT_TRUE(c->exec("INSERT INTO merges(at, message_id, source, winner_id, loser_id, winner_before, "
                                "loser_before) VALUES(?,?,'kiosk','w','l',?,?)",
                                {kDay, "mm-" + n, a.seal(privacy::columns::kMergeWinnerBefore, "{\"w\":" + n + "}"),
                                 a.seal(privacy::columns::kMergeLoserBefore, "{\"l\":" + n + "}")}));
        }
        ASSERT_TRUE(c->exec("INSERT INTO staff_lookups(message_id, subject, at) VALUES('sl-1', ?, ?)",
                            {privacy::DataKeys::identifierTag(keysOf(kKeyA).current(), "phone", "+12025550177"), kDay}));
    }

    /// Every sealed value of the store opened with `keys`, by column and row key (identifiers: by kind and
    /// plaintext, to their profile); a value that does not open is a failure.
    std::map<std::string, std::string> openAll(const std::string& keys, const std::string& expectPrefix = "") {
        const privacy::FieldCipher cipher(keysOf(keys));
        std::map<std::string, std::string> out;
        auto c = raw();
        if (!c) return out;
        for (const auto& s : kSealedColumns) {
            auto rows = c->query(std::string("SELECT ") + s.key + ", " + s.column + " FROM " + s.table + " WHERE " +
                                 s.column + " IS NOT NULL AND " + s.column + " <> ''");
            EXPECT_TRUE(rows);
            for (std::size_t i = 0; rows && i < rows->size(); ++i) {
                const std::string stored = rows->text(i, 1);
                const std::string where = std::string(s.associatedData) + "/" + rows->text(i, 0);
                if (!privacy::FieldCipher::looksSealed(stored)) {
                    // Not personal, so never sealed: an erased event's payload; left as it is.
                    EXPECT_EQ(stored, R"({"erased":true})") << where;
                    out[where] = stored;
                    continue;
                }
                if (!expectPrefix.empty()) {
                    EXPECT_EQ(stored.rfind(expectPrefix, 0), 0u) << s.associatedData;
                }
                auto plain = cipher.open(s.associatedData, stored);
                EXPECT_TRUE(plain) << (plain ? "" : plain.error());
                out[where] = plain ? *plain : "?";
            }
        }
        auto ids = c->query("SELECT kind, value, sealed_value, profile_id FROM identifiers");
        EXPECT_TRUE(ids);
        for (std::size_t i = 0; ids && i < ids->size(); ++i) {
            if (!expectPrefix.empty()) {
                EXPECT_EQ(ids->text(i, 2).rfind(expectPrefix, 0), 0u);
            }
            auto plain = cipher.open(privacy::columns::kIdentifierValue, ids->text(i, 2));
            EXPECT_TRUE(plain) << (plain ? "" : plain.error());
            if (!plain) continue;
            EXPECT_EQ(ids->text(i, 1), privacy::DataKeys::identifierTag(cipher.currentKeyId() == "dkb"
                                                                            ? keysOf(kKeyB).current()
                                                                            : keysOf(kKeyA).current(),
                                                                        ids->text(i, 0), *plain));
            out["identifier/" + ids->text(i, 0) + "/" + *plain] = ids->text(i, 3);
        }
        return out;
    }

    touchpoint::testing::TempDir m_dir;
    std::string m_url;
    int m_files = 0;
};

/// Rows a rotation has to change: each value under a retired key (an identifier row's tag moves with its value).
std::int64_t rowsToMove(const DataKeyStatus& s) {
    std::int64_t n = 0;
    for (const auto& k : s.keys) n += k.current ? 0 : k.sealedValues();
    return n;
}

const KeyUse& use(const DataKeyStatus& s, const std::string& id) {
    for (const auto& k : s.keys) {
        if (k.keyId == id) return k;
    }
    static const KeyUse none;
    ADD_FAILURE() << "no key " << id;
    return none;
}

TEST_F(ROTATION_SUITE, EveryColumnMovesToTheNewKeyOpensToTheSamePlaintextAndTagsKeepTheOldKeyNeeded) {
    seedUnderA(4);
    const auto before = openAll(kKeyA, "tpf1:dk_a:");
    ASSERT_GT(before.size(), 20u);
    auto store = open(std::string(kKeyB) + kKeyA);
    ASSERT_TRUE(store);
    auto status = store->dataKeyStatus();
    ASSERT_TRUE(status) << status.error().message;
    ASSERT_EQ(status->keys.size(), 2u);
    EXPECT_TRUE(status->keys[0].current);
    const auto& underA = use(*status, "dk_a");
    for (const auto& s : kSealedColumns) EXPECT_GT(underA.values.at(std::string(s.associatedData)), 0) << s.associatedData;
    EXPECT_GT(underA.identifierTags, 0);
    EXPECT_GT(underA.tombstones, 0);
    EXPECT_EQ(underA.staffLookups, 1);
    EXPECT_EQ(use(*status, "dkb").sealedValues(), 0);
    const std::int64_t toMove = status->notCurrent();

    std::map<std::string, std::int64_t> progress;
    auto r = store->rotateDataKey({2, std::nullopt}, [&](const std::string& column, std::int64_t n) { progress[column] = n; });
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_FALSE(r->stoppedAtMaxRows);
    EXPECT_TRUE(r->conflicts.empty());
    EXPECT_EQ(r->leftToHubs, 0);
    // A re-tagged identifier row re-seals its value too: one change per value under A.
    EXPECT_EQ(r->changed(), underA.sealedValues()) << "every value under A re-sealed once";
    EXPECT_EQ(r->retagged, underA.identifierTags);
    EXPECT_EQ(progress["events.payload"], underA.values.at("events.payload"));
    EXPECT_GT(toMove, 0);

    auto after = store->dataKeyStatus();
    ASSERT_TRUE(after);
    EXPECT_EQ(after->notCurrent(), 0);
    const auto& nowA = use(*after, "dk_a");
    EXPECT_EQ(nowA.sealedValues(), 0);
    EXPECT_EQ(nowA.identifierTags, 0);
    EXPECT_EQ(nowA.tombstones, underA.tombstones) << "tombstones cannot be re-keyed";
    EXPECT_EQ(nowA.staffLookups, 1);
    EXPECT_EQ(use(*after, "dkb").sealedValues(), underA.sealedValues());

    // Every value opens with B alone to what it was; identifiers are tagged under B and held by the same profiles.
    EXPECT_EQ(openAll(kKeyB, "tpf1:dkb:"), before);
    store.reset();
    auto onlyB = open(kKeyB);
    ASSERT_TRUE(onlyB);
    for (const char* member : {"M-1", "M-2", "M-3"}) {
        auto p = onlyB->findProfile("member", member);
        ASSERT_TRUE(p) << p.error().message;
        ASSERT_TRUE(*p) << member << " is found with key B alone";
        EXPECT_EQ((*p)->memberId, member);
    }
    auto byEmail = onlyB->findProfile("email", "p2@example.com");
    ASSERT_TRUE(byEmail && *byEmail);
    // The erased person is recognised only while A is in the file.
    EXPECT_TRUE(onlyB->importMember({"M-0", "p0@example.com", "", "Ann", 0})) << "with B alone A's tombstone means nothing";
}

TEST_F(ROTATION_SUITE, AStoppedRunResumesWithNothingDoneTwiceOrLost) {
    seedUnderA(3);
    const auto before = openAll(kKeyA);
    auto store = open(std::string(kKeyB) + kKeyA);
    ASSERT_TRUE(store);
    auto status = store->dataKeyStatus();
    ASSERT_TRUE(status);
    const std::int64_t toMove = rowsToMove(*status);
    ASSERT_GT(toMove, 12);
    std::int64_t changed = 0;
    for (int run = 0; run < 3; ++run) {
        auto r = store->rotateDataKey({1, 3}, {});
        ASSERT_TRUE(r) << r.error().message;
        EXPECT_TRUE(r->stoppedAtMaxRows);
        EXPECT_EQ(r->changed(), 3);
        changed += r->changed();
        auto now = store->dataKeyStatus();
        ASSERT_TRUE(now);
        EXPECT_EQ(rowsToMove(*now), toMove - changed);
    }
    auto rest = store->rotateDataKey({1, std::nullopt}, {});
    ASSERT_TRUE(rest) << rest.error().message;
    EXPECT_FALSE(rest->stoppedAtMaxRows);
    EXPECT_EQ(changed + rest->changed(), toMove) << "each row moved exactly once over the runs";
    auto done = store->dataKeyStatus();
    ASSERT_TRUE(done);
    EXPECT_EQ(done->notCurrent(), 0);
    EXPECT_EQ(openAll(kKeyB, "tpf1:dkb:"), before);
    auto again = store->rotateDataKey({500, std::nullopt}, {});
    ASSERT_TRUE(again);
    EXPECT_EQ(again->changed(), 0) << "a finished rotation has nothing left to do";
}

TEST_F(ROTATION_SUITE, AnIdentifierAHubTaggedUnderTheNewKeyIsKeptOnceOrLeftWhenAnotherProfileHoldsIt) {
    seedUnderA(3);
    const auto keysB = keysOf(kKeyB);
    const privacy::FieldCipher b(keysB);
    auto c = raw();
    ASSERT_TRUE(c);
    const auto owner = [&](const char* email) {
        auto r = c->query("SELECT profile_id FROM identifiers WHERE kind = 'email' AND value = ?",
                          {privacy::DataKeys::identifierTag(keysOf(kKeyA).current(), "email", email)});
        EXPECT_TRUE(r && r->size() == 1);
        return r && r->size() == 1 ? r->text(0, 0) : "";
    };
    // A hub holding only B added p1's e-mail again for the same profile, and p2's for a new profile.
    const std::string p1 = owner("p1@example.com"), p2 = owner("p2@example.com");
    ASSERT_FALSE(p1.empty() || p2.empty());
    for (const auto& [email, profile] : {std::pair<std::string, std::string>{"p1@example.com", p1}, {"p2@example.com", "other"}}) {
        ASSERT_TRUE(c->exec("INSERT INTO identifiers(kind, value, sealed_value, profile_id) VALUES('email', ?, ?, ?)",
                            {keysB.identifierTag("email", email), b.seal(privacy::columns::kIdentifierValue, email), profile}));
    }
    // The row under the retired key was proved at a kiosk; the one the other hub added was not.
    ASSERT_TRUE(c->exec("UPDATE identifiers SET verified = 1 WHERE kind = 'email' AND value = ?",
                        {privacy::DataKeys::identifierTag(keysOf(kKeyA).current(), "email", "p1@example.com")}));
    auto store = open(std::string(kKeyB) + kKeyA);
    ASSERT_TRUE(store);
    auto r = store->rotateDataKey({500, std::nullopt}, {});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->duplicatesRemoved, 1);
    ASSERT_EQ(r->conflicts.size(), 1u);
    EXPECT_NE(r->conflicts[0].find(p2), std::string::npos) << r->conflicts[0];
    EXPECT_NE(r->conflicts[0].find("other"), std::string::npos) << r->conflicts[0];
    EXPECT_EQ(r->conflicts[0].find("p2@"), std::string::npos) << "never the identifier";
    auto rows = c->query("SELECT profile_id, verified FROM identifiers WHERE kind = 'email' AND value = ?",
                         {keysB.identifierTag("email", "p1@example.com")});
    ASSERT_TRUE(rows);
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(rows->text(0, 0), p1);
    EXPECT_EQ(rows->integer(0, 1), 1) << "the kept row keeps the removed one's verified mark";
    auto p1Rows = c->query("SELECT COUNT(*) FROM identifiers WHERE profile_id = ? AND kind = 'email'", {p1});
    ASSERT_TRUE(p1Rows);
    EXPECT_EQ(p1Rows->integer(0, 0), 1) << "one e-mail row left for p1";
    EXPECT_EQ(owner("p2@example.com"), p2) << "the conflicting row is left as it was";
    auto status = store->dataKeyStatus();
    ASSERT_TRUE(status);
    EXPECT_EQ(use(*status, "dk_a").identifierTags, 1);
    EXPECT_GT(status->notCurrent(), 0);
}

TEST_F(ROTATION_SUITE, AValueThatDoesNotOpenStopsTheRunNamingItsColumnAndRowNeverTheValue) {
    seedUnderA(2);
    auto store = open(kKeyB);  // A is missing from the file
    ASSERT_TRUE(store);
    auto r = store->rotateDataKey({500, std::nullopt}, {});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("events.payload, row seq "), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("sealed under key dk_a, which is not in this hub's data key file"),
              std::string::npos)
        << r.error().message;
    EXPECT_EQ(r.error().message.find("example.com"), std::string::npos);
    auto status = store->dataKeyStatus();
    ASSERT_TRUE(status);
    EXPECT_GT(status->unopenable.at("events.payload"), 0);
}

}  // namespace
}  // namespace touchpoint::hub::testing
