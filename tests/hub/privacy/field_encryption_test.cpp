// Personal fields sealed at rest (hub/privacy/field_cipher.hpp) on this suite's store (SQLite or PostgreSQL):
// a person's e-mail, phones, names, comment, contact, account traits, a case note and the case's outcome go in
// through a real hub over HTTPS, and then the raw store (SQLite: the database file and its write-ahead log;
// PostgreSQL: every row of every table as text) holds none of them, while the same bytes opened with the data
// key do, and lookups, the timeline, cases and exports still answer with them to the roles allowed to see
// them. Then
// schema steps kFieldEncryptionVersion and kCaseOutcomeSealedVersion on databases the step before wrote.

#include <fstream>
#include <sstream>

#include "api_test_support.hpp"
#include "hub/privacy/field_cipher.hpp"
#include "hub/sealed_scan.hpp"
#include "hub/store/hub_store.hpp"
#include "hub/store/sql_backend.hpp"
#include "hub/store/sql_schema.hpp"
#include "temp_dir.hpp"

#define FIELDS_CAT2(a, b) a##b
#define FIELDS_CAT(a, b) FIELDS_CAT2(a, b)
#define FIELDS_SUITE FIELDS_CAT(HUB_SUITE, FieldEncryption)

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;

constexpr const char* kPhone = "+12025550199";
constexpr const char* kPhoneDigits = "2025550199";
constexpr const char* kContactPhone = "+12025550166";
constexpr const char* kKioskEmail = "quentin.marbleweed.4417@example.org";
constexpr const char* kServerEmail = "thistlewaite.4417@example.net";
constexpr const char* kFirstName = "Quentin";
constexpr const char* kLastName = "Thistlewaite";
constexpr const char* kComment = "The periwinkle-ocelot stand was dusty";
constexpr const char* kGroupName = "Obsidian-Lantern Holdings";
constexpr const char* kNote = "Rang back about the bergamot-kestrel display";
constexpr const char* kOutcome = "Gift card for the wombat-heron queue, texted to +1 415 555 0135";

std::vector<std::string> needles() {
    return {kPhone,       kPhoneDigits, kContactPhone, "2025550166", kKioskEmail, kServerEmail, "marbleweed",
            kLastName,    "periwinkle", kGroupName,    "Obsidian",   "bergamot",  "wombat-heron", "555 0135"};
}

std::string readBytes(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::unique_ptr<SqlConnection> rawConnection(const std::string& url) {
    auto c = url.rfind("sqlite://", 0) == 0 ? openSqlite(url.substr(9)) : openPostgres(url);
    EXPECT_TRUE(c) << (c ? "" : c.error().message);
    return c ? std::move(c).value() : nullptr;
}

/// Everything the store holds as its raw text: SQLite's database file and log as bytes; PostgreSQL's every
/// row of every table of the schema, as the server prints a row.
std::string rawStore(const std::string& url) {
    if (url.rfind("sqlite://", 0) == 0) {
        const std::string path = url.substr(9);
        return readBytes(path) + readBytes(path + "-wal");
    }
    auto c = rawConnection(url);
    if (!c) return {};
    auto tables =
        c->query("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()");
    EXPECT_TRUE(tables);
    std::string out;
    for (std::size_t i = 0; tables && i < tables->size(); ++i) {
        auto rows = c->query("SELECT t::text FROM \"" + tables->text(i, 0) + "\" t");
        EXPECT_TRUE(rows) << (rows ? "" : rows.error().message);
        for (std::size_t r = 0; rows && r < rows->size(); ++r) out += rows->text(r, 0) + "\n";
    }
    return out;
}

std::string lower(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return s;
}

/// The needles `text` holds, in any case.
std::vector<std::string> found(const std::string& text) {
    const std::string haystack = lower(text);
    std::vector<std::string> out;
    for (const auto& n : needles()) {
        if (haystack.find(lower(n)) != std::string::npos) out.push_back(n);
    }
    return out;
}

class FIELDS_SUITE : public HubApiTest {
  protected:
    std::string today() const { return formatIsoUtcMs(m_clock.utcMs()).substr(0, 10); }
    std::string range() const { return "from=" + today() + "&to=" + today(); }
    json lookup(const std::string& query) {
        const auto r = get("/v1/profiles/lookup?" + query, hub().lookupToken());
        return r.status == 200 ? r.json() : json{{"status", r.status}};
    }

    /// The person, every way the hub takes personal data in; returns the case their answer opened.
    std::string ingestThePerson() {
        auto k = kiosk("store-1", "k1", m_clock);
        event::FeedbackAnswers a;
        a.surveyId = "store-visit";
        a.nps = 2;
        a.reasons = {"queue"};
        a.comment = kComment;
        const event::Identity phone{event::Identity::Type::Phone, kPhone};
        const event::Identity email{event::Identity::Type::Email, kKioskEmail};
        auto fb = k.feedback("s1", "en-US", a, phone);
        event::ConsentRecord notice{"feedback-contact", "1", std::string(64, 'a'), {}};
        const event::Identity contact{event::Identity::Type::Phone, kContactPhone};
        EXPECT_EQ(send({wire(k.signin("s1", "en-US", event::SigninMethod::Phone, phone, true)), wire(fb),
                        wire(k.feedbackContactConsent("s1", "en-US", contact, notice, fb.messageId)),
                        wire(k.signin("s2", "en-US", event::SigninMethod::Email, email, false))}),
                  (std::vector<std::string>(4, "accepted")));
        // The retailer's back end: traits with names and an address, then the account the person belongs to.
        const std::string server = hub().token("server");
        const json base = {{"userId", "u-4417"}, {"originalTimestamp", formatIsoUtcMs(m_clock.utcMs())}};
        json identify = base, group = base;
        identify.update(
            {{"messageId", "i-4417"},
             {"traits", {{"email", kServerEmail}, {"firstName", kFirstName}, {"lastName", kLastName}}}});
        group.update({{"messageId", "g-4417"}, {"groupId", "acct-4417"}, {"traits", {{"name", kGroupName}}}});
        EXPECT_EQ(post("/v1/identify", identify.dump(), server).status, 200);
        EXPECT_EQ(post("/v1/group", group.dump(), server).status, 200);

        const auto list = get("/v1/cases", hub().headOfficeToken()).json()["cases"];
        EXPECT_EQ(list.size(), 1u) << list.dump();
        if (list.size() != 1) return "";
        const std::string id = list[0]["id"];
        EXPECT_EQ(post("/v1/cases/" + id + "/notes", json{{"text", kNote}}.dump(),
                       hub().token("head-office:manager"))
                      .status,
                  200);
        // An outcome given on the way (resolving would erase the contact this test looks for).
        EXPECT_EQ(post("/v1/cases/" + id + "/status", json{{"status", "in_progress"}, {"outcome", kOutcome}}.dump(),
                       hub().token("head-office:manager"))
                      .status,
                  200);
        return id;
    }
};

TEST_F(FIELDS_SUITE, NoPersonalValueIsStoredInPlaintextAndTheAllowedRolesStillSeeThem) {
    const std::string caseId = ingestThePerson();
    ASSERT_FALSE(caseId.empty());

    // Lookups find the person by tag; the timeline shows the account's traits.
    EXPECT_TRUE(lookup("phone=%2B12025550199").contains("profileId"));
    EXPECT_TRUE(lookup("email=quentin.marbleweed.4417%40example.org").contains("profileId"));
    const auto server = lookup("email=thistlewaite.4417%40example.net");
    ASSERT_TRUE(server.contains("profileId")) << server.dump();
    const auto timeline =
        get("/v1/profiles/" + server["profileId"].get<std::string>() + "/timeline", hub().headOfficeToken())
            .json();
    ASSERT_EQ(timeline["groups"].size(), 1u) << timeline.dump();
    EXPECT_EQ(timeline["groups"][0]["traits"]["name"], kGroupName);

    // The case: the contact, the comment and the note to a manager who asks to see them.
    const auto seen =
        get("/v1/cases/" + caseId + "?reveal=contact", hub().token("head-office:manager")).json();
    EXPECT_EQ(seen["contact"]["value"], kContactPhone) << seen.dump();
    EXPECT_NE(seen["feedback"]["comment"].get<std::string>().find("periwinkle-ocelot"), std::string::npos);
    ASSERT_EQ(seen["notes"].size(), 1u) << seen.dump();
    EXPECT_EQ(seen["notes"][0]["text"], kNote);
    EXPECT_EQ(seen["outcome"], kOutcome);
    // An analyst sees the case with the outcome's phone number masked, like the notes'.
    const auto masked = get("/v1/cases/" + caseId, hub().token("head-office:analyst")).json();
    EXPECT_EQ(masked["outcome"], "Gift card for the wombat-heron queue, texted to [phone]") << masked.dump();

    // Exports: an admin gets the values inside stored messages, an analyst masks.
    const auto admin = get("/v1/export/events?format=json&" + range(), hub().headOfficeToken());
    ASSERT_EQ(admin.status, 200);
    EXPECT_NE(admin.body.find(kServerEmail), std::string::npos);
    EXPECT_NE(admin.body.find(kLastName), std::string::npos);
    EXPECT_NE(admin.body.find(kKioskEmail), std::string::npos);
    const auto analyst = get("/v1/export/events?format=json&" + range(), hub().token("head-office:analyst"));
    ASSERT_EQ(analyst.status, 200);
    EXPECT_TRUE(found(analyst.body).empty()) << "an analyst's export holds " << found(analyst.body).front();
    EXPECT_NE(analyst.body.find("[personal]"), std::string::npos);
    EXPECT_NE(analyst.body.find("i-4417"), std::string::npos) << "the rows are there, masked";
    const auto analystCsv =
        get("/v1/export/events?format=csv&" + range(), hub().token("head-office:analyst"));
    EXPECT_TRUE(found(analystCsv.body).empty()) << analystCsv.body;

    // The raw store holds none of it; the same bytes opened with the key hold all of it (so the search
    // works).
    const privacy::FieldCipher cipher(privacy::DataKeys::processLocal());
    const std::string url = hub().storeUrl();
    auto raw = rawStore(url);
    ASSERT_FALSE(raw.empty());
    EXPECT_EQ(found(raw), std::vector<std::string>{}) << "in plaintext in the store";
    EXPECT_EQ(found(openSealedValuesIn(raw, cipher)), needles()) << "sealed in the store";
    EXPECT_NE(raw.find(std::string(privacy::kSealedPrefix) + cipher.currentKeyId() + ":"), std::string::npos);

    // SQLite: the same once the hub is closed (its log copied back into the file).
    if (url.rfind("sqlite://", 0) == 0) {
        hub().stop();
        raw = rawStore(url);
        EXPECT_EQ(found(raw), std::vector<std::string>{}) << "in plaintext in the closed store";
        EXPECT_EQ(found(openSealedValuesIn(raw, cipher)), needles());
    }
}

// Schema step kFieldEncryptionVersion: a database as the step before left it (every personal field in
// plaintext, identifiers by value) is sealed and keyed in place, reads give the values back, and opening it
// again changes nothing.
TEST(FIELDS_CAT(HUB_SUITE, FieldEncryptionStep), PlaintextRowsAreSealedAndKeyedInPlace) {
    touchpoint::testing::TempDir dir;
    std::string url;
    ASSERT_NO_FATAL_FAILURE(makeStoreOfThisBuild(dir, url));
    const std::string payload =
        json{{"type", "identify"}, {"traits", {{"email", kServerEmail}, {"lastName", kLastName}}}}.dump();
    {
        auto c = rawConnection(url);
        ASSERT_TRUE(c);
        ASSERT_TRUE(c->exec("UPDATE schema_version SET version = ?", {kFieldEncryptionVersion - 1}));
        ASSERT_TRUE(c->script("ALTER TABLE identifiers DROP COLUMN sealed_value"));
        ASSERT_TRUE(c->exec(
            "INSERT INTO profiles(id, created_at, member_id, is_member) VALUES('p-1', 1, 'M-4417', 1)"));
        ASSERT_TRUE(c->exec("INSERT INTO profiles(id, created_at) VALUES('p-2', 1)"));
        ASSERT_TRUE(
            c->exec("INSERT INTO merges(at, message_id, source, winner_id, loser_id, winner_before, "
                    "loser_before) VALUES(1, 'm-9', 'kiosk', 'p-1', 'p-2', ?, ?)",
                    {json{{"memberId", "M-4417"}}.dump(), json{{"memberId", ""}}.dump()}));
        for (const auto& [kind, value] : {std::pair{"email", kServerEmail}, std::pair{"phone", kPhone},
                                          std::pair{"user", "u-4417"}, std::pair{"member", "M-4417"}}) {
            ASSERT_TRUE(c->exec("INSERT INTO identifiers(kind, value, profile_id) VALUES(?,?,'p-1')",
                                {std::string(kind), std::string(value)}));
        }
        ASSERT_TRUE(
            c->exec("INSERT INTO events(message_id, type, event, at, day, received_at, store_id, kiosk_id, "
                    "channel, profile_id, payload) VALUES('m-1', 'identify', '', 1, '2026-11-01', 1, 's1', "
                    "'k1', 'server', 'p-1', ?)",
                    {payload}));
        ASSERT_TRUE(c->exec(
            "INSERT INTO feedback(message_id, at, day, store_id, kiosk_id, profile_id, abandoned, "
            "misuse, nps, reasons, comment, survey_id, abandon_reason) VALUES('m-2', 1, '2026-11-01', "
            "'s1', 'k1', 'p-1', 0, 0, 2, '[]', ?, 'visit', '')",
            {std::string(kComment)}));
        ASSERT_TRUE(
            c->exec("INSERT INTO feedback_contacts(feedback_message_id, consent_message_id, store_id, kind, "
                    "value, received_at) VALUES('m-2', 'm-3', 's1', 'phone', ?, 1)",
                    {std::string(kContactPhone)}));
        ASSERT_TRUE(
            c->exec("INSERT INTO cases(id, feedback_message_id, rule, kind, store_id, kiosk_id, status, "
                    "opened_at, due_at, updated_at, outcome) VALUES('c-1', 'm-2', 'detractor', 'detractor', 's1', "
                    "'k1', 'resolved', 1, 2, 1, ?)",
                    {std::string(kOutcome)}));
        ASSERT_TRUE(
            c->exec("INSERT INTO case_audit(case_id, at, token_name, action, detail) VALUES('c-1', 1, 'amy', "
                    "'status', ?)",
                    {std::string("open -> resolved, outcome ") + kOutcome}));
        ASSERT_TRUE(
            c->exec("INSERT INTO case_notes(case_id, at, token_name, text) VALUES('c-1', 1, 'amy', ?)",
                    {std::string(kNote)}));
        ASSERT_TRUE(c->exec("INSERT INTO account_groups(group_id, traits, updated_at) VALUES('acct-1', ?, 1)",
                            {json{{"name", kGroupName}}.dump()}));
        ASSERT_TRUE(
            c->exec("INSERT INTO profile_groups(profile_id, group_id, first_seen, last_seen) "
                    "VALUES('p-1', 'acct-1', 1, 1)"));
        const auto before = rawStore(url);
        ASSERT_FALSE(found(before).empty()) << "the plaintext the step starts from";
        ASSERT_NE(before.find("M-4417"), std::string::npos);
    }
    for (int open = 0; open < 2; ++open) {
        auto store = openHubStore(url, HubConfig{});
        ASSERT_TRUE(store) << store.error().message;
        const auto raw = rawStore(url);
        EXPECT_EQ(found(raw), std::vector<std::string>{}) << "open " << open;
        EXPECT_EQ(raw.find("M-4417"), std::string::npos)
            << "the member number, in profiles, identifiers and merges";
        auto c = rawConnection(url);
        ASSERT_TRUE(c);
        auto version = c->query("SELECT MAX(version) FROM schema_version");
        ASSERT_TRUE(version);
        EXPECT_EQ(version->integer(0, 0), kHubSchemaVersion);
        auto ids = c->query("SELECT value, sealed_value FROM identifiers ORDER BY kind");
        ASSERT_TRUE(ids);
        ASSERT_EQ(ids->size(), 4u);
        const privacy::FieldCipher cipher(privacy::DataKeys::processLocal());
        for (std::size_t i = 0; i < ids->size(); ++i) {
            EXPECT_EQ(ids->text(i, 0).rfind(cipher.currentKeyId() + ":", 0), 0u) << ids->text(i, 0);
            EXPECT_TRUE(cipher.open(privacy::columns::kIdentifierValue, ids->text(i, 1)));
        }

        // Reads: by tag, and the sealed values opened.
        for (const auto& [kind, value] : {std::pair{"email", kServerEmail}, std::pair{"phone", kPhone},
                                          std::pair{"member", "M-4417"}, std::pair{"member", "u-4417"}}) {
            auto p = (*store)->findProfile(kind, value);
            ASSERT_TRUE(p) << p.error().message;
            ASSERT_TRUE(*p) << kind << " " << value;
            EXPECT_EQ((*p)->profileId, "p-1");
            EXPECT_EQ((*p)->memberId, "M-4417");
        }
        auto timeline = (*store)->timeline("p-1", 10);
        ASSERT_TRUE(timeline && *timeline);
        ASSERT_EQ((*timeline)->groups.size(), 1u);
        EXPECT_EQ(json::parse((*timeline)->groups[0].traitsJson)["name"], kGroupName);
        std::string cursor;
        auto events = (*store)->exportPage(ExportKind::Events, "2026-11-01", "2026-11-01", "", cursor, 10);
        ASSERT_TRUE(events) << events.error().message;
        ASSERT_EQ(events->size(), 1u);
        EXPECT_EQ(std::get<ExportedEvent>((*events)[0]).payloadJson, payload);
        cursor.clear();
        auto feedback =
            (*store)->exportPage(ExportKind::Feedback, "2026-11-01", "2026-11-01", "", cursor, 10);
        ASSERT_TRUE(feedback && feedback->size() == 1);
        EXPECT_EQ(std::get<ExportedFeedback>((*feedback)[0]).comment, std::optional<std::string>(kComment));
        auto detail = (*store)->cases().viewCase("c-1", "amy", "test", 5);
        ASSERT_TRUE(detail && *detail) << (detail ? "not found" : detail.error().message);
        ASSERT_TRUE((*detail)->contact);
        EXPECT_EQ((*detail)->contact->value, std::optional<std::string>(kContactPhone));
        EXPECT_EQ((*detail)->comment, std::optional<std::string>(kComment));
        ASSERT_EQ((*detail)->notes.size(), 1u);
        EXPECT_EQ((*detail)->notes[0].text, kNote);
        EXPECT_EQ((*detail)->summary.outcome, kOutcome);
        ASSERT_GE((*detail)->audit.size(), 1u);
        EXPECT_EQ((*detail)->audit[0].detail, "open -> resolved, outcome set");
    }
}

// Schema step kCaseOutcomeSealedVersion: a database of the step before (personal fields sealed, case outcomes
// and the audit's status rows in plaintext) has its outcomes sealed and the audit's copies of them cut to
// "outcome set" / "outcome changed"; the other audit rows, and an assignee, stay as they were.
TEST(FIELDS_CAT(HUB_SUITE, CaseOutcomeStep), OutcomesAreSealedAndTheAuditNoLongerRepeatsThem) {
    touchpoint::testing::TempDir dir;
    std::string url;
    ASSERT_NO_FATAL_FAILURE(makeStoreOfThisBuild(dir, url));
    const std::string earlier = "Rang +1 415 555 0135, no answer";
    {
        auto c = rawConnection(url);
        ASSERT_TRUE(c);
        ASSERT_TRUE(c->exec("UPDATE schema_version SET version = ?", {kCaseOutcomeSealedVersion - 1}));
        for (const auto& [id, status, outcome] : {std::tuple<std::string, std::string, std::string>{
                                                     "c-1", "resolved", kOutcome},
                                                 {"c-2", "open", ""}}) {
            ASSERT_TRUE(c->exec("INSERT INTO cases(id, feedback_message_id, rule, kind, store_id, kiosk_id, status, "
                                "opened_at, due_at, updated_at, outcome) VALUES(?, ?, 'detractor', 'detractor', "
                                "'s1', 'k1', ?, 1, 2, 3, ?)",
                                {id, "m-" + id, status, outcome}));
        }
        const std::vector<std::pair<std::string, std::string>> audit = {
            {"viewed", "contact masked"},
            {"status", "open -> in_progress, assignee amy, outcome " + earlier},
            {"status", "in_progress -> in_progress, assignee bob"},
            {"status", std::string("in_progress -> resolved, outcome ") + kOutcome},
            {"contact_erased", "resolved"}};
        for (const auto& [action, detail] : audit) {
            ASSERT_TRUE(c->exec("INSERT INTO case_audit(case_id, at, token_name, action, detail) "
                                "VALUES('c-1', 1, 'amy', ?, ?)",
                                {action, detail}));
        }
        ASSERT_NE(rawStore(url).find("wombat-heron"), std::string::npos) << "the plaintext the step starts from";
    }
    for (int open = 0; open < 2; ++open) {
        auto store = openHubStore(url, HubConfig{});
        ASSERT_TRUE(store) << store.error().message;
        const auto raw = rawStore(url);
        EXPECT_EQ(raw.find("wombat-heron"), std::string::npos) << "open " << open;
        EXPECT_EQ(raw.find("555 0135"), std::string::npos) << "open " << open;
        auto c = rawConnection(url);
        ASSERT_TRUE(c);
        auto rows = c->query("SELECT id, outcome FROM cases ORDER BY id");
        ASSERT_TRUE(rows && rows->size() == 2);
        EXPECT_TRUE(privacy::FieldCipher::looksSealed(rows->text(0, 1))) << rows->text(0, 1);
        EXPECT_EQ(rows->text(1, 1), "") << "no outcome stays none";
        auto detail = (*store)->cases().viewCase("c-1", "amy", "test", 5);
        ASSERT_TRUE(detail && *detail) << (detail ? "not found" : detail.error().message);
        EXPECT_EQ((*detail)->summary.outcome, kOutcome);
        std::vector<std::string> details;
        for (const auto& a : (*detail)->audit) details.push_back(a.action + ":" + a.detail);
        ASSERT_GE(details.size(), 5u);
        EXPECT_EQ(std::vector<std::string>(details.begin(), details.begin() + 5),
                  (std::vector<std::string>{"viewed:contact masked",
                                            "status:open -> in_progress, assignee amy, outcome set",
                                            "status:in_progress -> in_progress, assignee bob",
                                            "status:in_progress -> resolved, outcome changed",
                                            "contact_erased:resolved"}));
    }
}

// A new key first in the key file (the old one kept, retired): what was sealed and tagged under the old key
// still opens and is still found, nothing is tagged twice, new values are sealed under the new key, and an
// erasure reaches both. Without the old key its values are a clear error, never a crash.
TEST(FIELDS_CAT(HUB_SUITE, FieldEncryptionKeys), ARetiredKeyStillOpensAndFindsWhatItMade) {
    touchpoint::testing::TempDir dir;
    const std::string backend = backendStoreUrl();
    std::filesystem::create_directories(dir / "db");
    const std::string url = backend.empty() ? "sqlite://" + (dir / "db" / "hub.db").string() : backend;
    const auto keyFile = [&](const std::string& name, const std::string& text) {
        std::ofstream(dir / name) << text;
        return (dir / name).string();
    };
    const std::string keyA = "dka 7pVbNWZwXK8AUpTRsuWzJHqGVLD8D3WGZeBXBI4EX2Q=\n";
    const std::string keyB = "dkb QmZ8l3r4xzh6cE8jYJqZb0rFt5m3WcTq2vY1x9Kp7sU=\n";
    HubConfig config;
    const auto open = [&](const std::string& file) {
        config.dataKeyFile = file;
        auto store = openHubStore(url, config);
        EXPECT_TRUE(store) << (store ? "" : store.error().message);
        return store ? std::move(store).value() : nullptr;
    };
    const auto message = [](const std::string& id, std::int64_t atMs) {
        IngestMessage m;
        m.type = "identify";
        m.messageId = id;
        m.channel = "in_store_kiosk";
        m.storeId = "s1";
        m.kioskId = "k1";
        m.sourceKind = "kiosk";
        m.anonymousId = "anon-" + id;
        m.timestampMs = m.correctedMs = m.receivedMs = atMs;
        m.traits = {{"email", "rot.4417@example.com"}, {"lastName", "Rotwell"}};
        m.payloadText = json{{"type", "identify"}, {"messageId", id}, {"traits", m.traits}}.dump();
        return m;
    };
    const auto identifierRows = [&] {
        auto c = rawConnection(url);
        auto r = c ? c->query("SELECT COUNT(*) FROM identifiers") : StoreResult<SqlRows>(Fail(StoreError{}));
        return r ? r->integer(0, 0) : -1;
    };
    const std::int64_t day = 1'790'000'000'000;  // 2026-09-21
    std::string profileId;
    {
        auto store = open(keyFile("a.key", keyA));
        ASSERT_TRUE(store);
        ASSERT_TRUE(store->importMember({"M-4417", "rot.4417@example.com", "+12025550111", "Ann", 10}));
        IngestStats stats;
        const auto m1 = message("m-1", day);
        ASSERT_TRUE(store->ingest({&m1}, stats));
        auto p = store->findProfile("email", "rot.4417@example.com");
        ASSERT_TRUE(p && *p);
        profileId = (*p)->profileId;
    }
    const std::int64_t rowsUnderA = identifierRows();
    ASSERT_GT(rowsUnderA, 2);
    {
        // Only the new key: the old values are a clear error, the old identifiers unknown.
        auto store = open(keyFile("b.key", keyB));
        ASSERT_TRUE(store);
        auto p = store->findProfile("email", "rot.4417@example.com");
        ASSERT_TRUE(p);
        EXPECT_FALSE(*p);
        std::string cursor;
        auto page = store->exportPage(ExportKind::Events, "2026-09-01", "2026-09-30", "", cursor, 10);
        ASSERT_FALSE(page);
        EXPECT_NE(page.error().message.find("sealed under key dka"), std::string::npos) << page.error().message;
    }
    {
        auto store = open(keyFile("ba.key", keyB + keyA));
        ASSERT_TRUE(store);
        auto p = store->findProfile("member", "M-4417");
        ASSERT_TRUE(p && *p);
        EXPECT_EQ((*p)->profileId, profileId);
        EXPECT_EQ((*p)->memberId, "M-4417");
        ASSERT_TRUE(store->importMember({"M-4417", "rot.4417@example.com", "+12025550111", "Ann", 12}));
        IngestStats stats;
        const auto m2 = message("m-2", day + 60'000);
        ASSERT_TRUE(store->ingest({&m2}, stats));
        EXPECT_EQ(identifierRows(), rowsUnderA + 1) << "only m-2's anonymous id is new";
        std::string cursor;
        auto page = store->exportPage(ExportKind::Events, "2026-09-01", "2026-09-30", "", cursor, 10);
        ASSERT_TRUE(page) << page.error().message;
        ASSERT_EQ(page->size(), 2u);
        for (const auto& row : *page) {
            EXPECT_NE(std::get<ExportedEvent>(row).payloadJson.find("Rotwell"), std::string::npos);
            EXPECT_EQ(std::get<ExportedEvent>(row).fact.profileId, std::optional<std::string>(profileId));
        }
        auto c = rawConnection(url);
        ASSERT_TRUE(c);
        auto sealed = c->query("SELECT payload FROM events WHERE message_id = 'm-2'");
        ASSERT_TRUE(sealed && sealed->size() == 1);
        EXPECT_EQ(sealed->text(0, 0).rfind("tpf1:dkb:", 0), 0u);

        TokenRecord admin;
        admin.name = "admin-1";
        auto erased = store->eraseProfile(profileId, admin);
        ASSERT_TRUE(erased) << erased.error().message;
        EXPECT_TRUE(*erased);
        auto gone = store->findProfile("email", "rot.4417@example.com");
        ASSERT_TRUE(gone);
        EXPECT_FALSE(*gone);
        EXPECT_FALSE(store->importMember({"M-4417", "", "", "Ann", 0})) << "tombstoned under the new key";
    }
}

}  // namespace
}  // namespace touchpoint::hub::testing
