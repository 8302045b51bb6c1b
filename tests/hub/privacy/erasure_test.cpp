// Erasure leaves nothing behind: a real hub over HTTPS on a real SQLite file is given one person's e-mail,
// phone, names and comment every way the hub can receive them (kiosk sign-ins and feedback with sealed fields,
// a web identify with traits, a staff lookup, the contact of the case their low score opened, a note staff
// wrote on that case and the outcome they resolved it with), the person is erased, and then the raw bytes of
// hub.db, its write-ahead log and its shared-memory index are searched for each value in every form the store
// could hold: none may be left, nor inside the sealed values there opened with the hub's data key. SQLite only:
// PostgreSQL's files are the server's (docs/OPERATIONS.md, VACUUM).

#include <atomic>
#include <fstream>
#include <thread>
#include <set>
#include <sstream>

#include "api_test_support.hpp"
#include "common/sqlite.hpp"
#include "hub/privacy/data_key.hpp"
#include "hub/privacy/field_cipher.hpp"
#include "hub/sealed_scan.hpp"

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;

constexpr const char* kPhoneE164 = "+12025550147";
constexpr const char* kPhoneTyped = "(202) 555-0147";  // as a web form would send it
constexpr const char* kEmail = "Zephyrine.Quillfeather.7731@Example.com";
constexpr const char* kFirstName = "Zéphyrine";
constexpr const char* kLastName = "Quillfeather";
constexpr const char* kComment = "The velvet-armadillo display was lovely, call me";
// What staff wrote on the case: another number and address the shopper gave on the phone.
constexpr const char* kNotePhone = "+1 415 555 0188";
constexpr const char* kNoteEmail = "marigold.tesseract.4410@example.net";
const std::string kNote = std::string("Called back; she prefers ") + kNotePhone + " or " + kNoteEmail;
// How staff resolved the case: the outcome repeats yet another number she gave.
constexpr const char* kOutcomePhone = "+1 415 555 0173";
const std::string kOutcome = std::string("Quokka-lantern voucher sent by text to ") + kOutcomePhone;

std::string readBytes(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Every form in which a value could sit in the store's bytes: as sent, lower-cased, JSON-escaped (nlohmann
/// escapes non-ASCII only when asked to: both), and for the phone its digits.
std::vector<std::string> formsOf(const std::string& value) {
    std::set<std::string> forms{value, lower(value)};
    const auto escaped = json(value).dump(-1, ' ', true);
    forms.insert(escaped.substr(1, escaped.size() - 2));
    const auto plain = json(value).dump();
    forms.insert(plain.substr(1, plain.size() - 2));
    return {forms.begin(), forms.end()};
}

class HubErasure : public HubApiTest {
protected:
    std::string today() const { return formatIsoUtcMs(m_clock.utcMs()).substr(0, 10); }
    json lookup(const std::string& query) {
        const auto r = get("/v1/profiles/lookup?" + query, hub().lookupToken());
        return r.status == 200 ? r.json() : json{{"status", r.status}};
    }
    /// The raw files of the store (the database, its log and its index), and what of `needles` each holds, as
    /// bytes or inside the sealed values in them opened with the hub's data key (privacy/field_cipher.hpp).
    std::vector<std::string> leftovers(const std::vector<std::string>& needles) {
        std::vector<std::string> found;
        const privacy::FieldCipher cipher(privacy::DataKeys::processLocal());
        for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
            const auto file = hub().dir() / (std::string("hub.db") + suffix);
            auto bytes = readBytes(file);
            bytes += openSealedValuesIn(bytes, cipher);
            for (const auto& n : needles) {
                std::size_t count = 0;
                for (auto at = bytes.find(n); at != std::string::npos; at = bytes.find(n, at + 1)) ++count;
                if (count) found.push_back(file.filename().string() + " holds \"" + n + "\" " + std::to_string(count) + "x");
            }
        }
        return found;
    }
};

TEST_F(HubErasure, ErasureLeavesNoPersonalValueInTheDatabaseItsLogOrItsIndex) {
    auto k = kiosk("store-1", "k1", m_clock);
    const event::Identity phone{event::Identity::Type::Phone, kPhoneE164};
    const event::Identity email{event::Identity::Type::Email, kEmail};
    event::FeedbackAnswers a;
    a.surveyId = "store-visit";
    a.nps = 4;
    a.reasons = {"staff"};
    a.comment = kComment;
    const auto signin = wire(k.signin("s1", "en-US", event::SigninMethod::Phone, phone, true));
    const auto feedback = k.feedback("s1", "en-US", a, phone);
    const event::ConsentRecord notice{"feedback-contact", "1", std::string(64, 'a'), {}};
    const auto consent = wire(k.feedbackContactConsent("s1", "en-US", phone, notice, feedback.messageId));
    ASSERT_EQ(send({signin, wire(feedback), consent,
                    wire(k.signin("s2", "en-US", event::SigninMethod::Email, email, false)),
                    wire(k.staffLookup("staff-s1", 1, phone)), wire(k.staffLookup("staff-s2", 1, email))}),
              (std::vector<std::string>(6, "accepted")));
    // The detractor agreed to be called: a case opened, and staff note what the shopper told them.
    const auto admin = hub().headOfficeToken();
    const auto cases = get("/v1/cases", admin);
    ASSERT_EQ(cases.status, 200) << cases.body;
    ASSERT_EQ(cases.json()["cases"].size(), 1u) << cases.body;
    const std::string caseId = cases.json()["cases"][0]["id"];
    ASSERT_EQ(post("/v1/cases/" + caseId + "/notes", json{{"text", kNote}}.dump(), admin).status, 200);
    const auto noteBefore = get("/v1/cases/" + caseId + "?reveal=contact", admin).json()["notes"];
    ASSERT_EQ(noteBefore.size(), 1u);
    ASSERT_EQ(noteBefore[0]["text"], kNote);
    ASSERT_EQ(post("/v1/cases/" + caseId + "/status", json{{"status", "resolved"}, {"outcome", kOutcome}}.dump(),
                   admin)
                  .status,
              200);
    const auto resolved = get("/v1/cases/" + caseId + "?reveal=contact", admin).json();
    ASSERT_EQ(resolved["outcome"], kOutcome);
    // The web: traits with names, the address and the phone as typed.
    ASSERT_EQ(send({webIdentify("w-1", m_clock.utcMs(), "anon-w1", "web-user-7731",
                                {{"email", kEmail}, {"phone", kPhoneTyped}, {"firstName", kFirstName},
                                 {"lastName", kLastName}})}),
              std::vector<std::string>{"accepted"});
    ASSERT_TRUE(lookup("phone=%2B12025550147").contains("profileId"));  // found, and audited

    std::vector<std::string> needles;
    for (const std::string v : {kPhoneE164, kPhoneTyped, "2025550147", kEmail, kFirstName, kLastName, kComment,
                                "velvet-armadillo", kNotePhone, kNoteEmail, kNote.c_str(), "tesseract",
                                kOutcomePhone, kOutcome.c_str(), "Quokka-lantern"}) {
        for (const auto& f : formsOf(v)) needles.push_back(f);
    }
    ASSERT_FALSE(leftovers(needles).empty()) << "the values must be in the files before the erasure";
    ASSERT_FALSE(leftovers({kNoteEmail, kNotePhone}).empty()) << "the note opens with the data key before the erasure";
    // The outcome is sealed: not in the files' bytes (nor the case audit's), only inside a sealed value.
    ASSERT_FALSE(leftovers({kOutcomePhone, "Quokka-lantern"}).empty()) << "the outcome opens with the data key";
    for (const char* suffix : {"", "-wal", "-shm"}) {
        const auto bytes = readBytes(hub().dir() / (std::string("hub.db") + suffix));
        for (const auto& f : formsOf(kOutcomePhone)) EXPECT_EQ(bytes.find(f), std::string::npos) << suffix << ": " << f;
        EXPECT_EQ(bytes.find("Quokka-lantern"), std::string::npos) << suffix;
    }

    // Erase every profile that holds one of the person's identifiers. A web key may not tie the kiosk member's
    // phone or address to its visitor: the web visitor's event names them without being theirs, and the
    // erasure must reach it all the same (the web profile itself is not the person's and stays).
    std::set<std::string> erased;
    for (int round = 0; round < 5; ++round) {
        bool any = false;
        for (const std::string q : {"phone=%2B12025550147", "email=zephyrine.quillfeather.7731%40example.com"}) {
            const auto p = lookup(q);
            if (!p.contains("profileId")) continue;
            const auto r = del("/v1/profiles/" + p["profileId"].get<std::string>(), hub().headOfficeToken());
            ASSERT_EQ(r.status, 200) << r.body;
            erased.insert(p["profileId"].get<std::string>());
            any = true;
        }
        if (!any) break;
    }
    ASSERT_FALSE(erased.empty());
    EXPECT_EQ(lookup("phone=%2B12025550147")["status"], 404);
    EXPECT_EQ(lookup("email=zephyrine.quillfeather.7731%40example.com")["status"], 404);
    // The case stays with its note's author and time; the note's text and the contact are gone.
    const auto afterCase = get("/v1/cases/" + caseId + "?reveal=contact", admin).json();
    ASSERT_EQ(afterCase["notes"].size(), 1u) << afterCase.dump();
    EXPECT_EQ(afterCase["notes"][0]["text"], "");
    EXPECT_EQ(afterCase["notes"][0]["by"], noteBefore[0]["by"]);
    EXPECT_EQ(afterCase["notes"][0]["at"], noteBefore[0]["at"]);
    EXPECT_TRUE(afterCase["contact"]["value"].is_null()) << afterCase.dump();
    // So is the outcome's text; the case stays resolved, with its times.
    EXPECT_EQ(afterCase["outcome"], "");
    EXPECT_EQ(afterCase["status"], "resolved");
    EXPECT_EQ(afterCase["resolvedAt"], resolved["resolvedAt"]);
    EXPECT_EQ(afterCase["updatedAt"], resolved["updatedAt"]);

    const auto left = leftovers(needles);
    EXPECT_TRUE(left.empty()) << [&] {
        std::string all;
        for (const auto& l : left) all += l + "\n";
        return all;
    }();

    // With the data key too: the looked-up identifiers' keyed tags are gone (only tombstones keep tags).
    const auto& keys = privacy::DataKeys::processLocal();  // EphemeralHub's configs name no key file
    auto db = sqlite::Database::open(hub().dir() / "hub.db", false);
    ASSERT_TRUE(db);
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM staff_lookups"), 0);
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM identifier_mentions"), 0);
    for (const auto& [kind, value] : std::vector<std::pair<std::string, std::string>>{
             {"phone", kPhoneE164}, {"email", lower(kEmail)}}) {
        const std::string tag = keys.identifierTag(kind, value);
        EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM tombstones WHERE hash = '" + tag + "'"), 1) << kind;
    }
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM audit WHERE profile_id IS NOT NULL"), 0);
    EXPECT_TRUE(lookup("member=web-user-7731").contains("profileId"));  // the web visitor's own profile stays

    // A re-sent old message is a duplicate, a late new one a fact without the person: nobody comes back.
    EXPECT_EQ(send({signin}), std::vector<std::string>{"duplicate"});
    m_clock.advanceMs(3'600'000);
    EXPECT_EQ(send({wire(k.signin("s3", "en-US", event::SigninMethod::Phone, phone, false))}),
              std::vector<std::string>{"accepted"});
    EXPECT_EQ(lookup("phone=%2B12025550147")["status"], 404);
    const auto events = get("/v1/export/events?format=json&from=" + today() + "&to=" + today(),
                            hub().headOfficeToken());
    EXPECT_EQ(events.body.find("2025550147"), std::string::npos);
}

TEST_F(HubErasure, AStaffLookupKeepsTheIdentifierOnlyAsAKeyedTag) {
    auto k = kiosk("store-1", "k1", m_clock);
    const event::Identity email{event::Identity::Type::Email, "Looked.Up@Example.com"};
    ASSERT_EQ(send({wire(k.staffLookup("staff-s1", 2, email))}), std::vector<std::string>{"accepted"});
    const auto events = get("/v1/export/events?format=json&from=" + today() + "&to=" + today(), hub().headOfficeToken());
    ASSERT_EQ(events.status, 200);
    EXPECT_EQ(lower(events.body).find("looked.up@example.com"), std::string::npos) << events.body;
    const auto rows = events.json();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_NE(events.body.find("identityType"), std::string::npos);  // the fact of the lookup stays
    auto db = sqlite::Database::open(hub().dir() / "hub.db", false);
    ASSERT_TRUE(db);
    const auto tag = privacy::DataKeys::processLocal().identifierTag("email", "looked.up@example.com");
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM staff_lookups WHERE subject = '" + tag + "'"), 1);
}

TEST_F(HubErasure, AnErasedPersonsMergeRecordsGoToo) {
    auto k = kiosk("store-1", "k1", m_clock);
    const event::Identity phone{event::Identity::Type::Phone, "+12025550181"};
    const event::Identity email{event::Identity::Type::Email, "merged.person@example.com"};
    // Two profiles (one per session), then one session's sign-in with the other's address ties them.
    ASSERT_EQ(send({wire(k.signin("sa", "en-US", event::SigninMethod::Phone, phone, true)),
                    wire(k.signin("sb", "en-US", event::SigninMethod::Email, email, false)),
                    wire(k.signin("sa", "en-US", event::SigninMethod::Email, email, false))}),
              (std::vector<std::string>(3, "accepted")));
    auto db = sqlite::Database::open(hub().dir() / "hub.db", false);
    ASSERT_TRUE(db);
    ASSERT_EQ(*db->queryInt("SELECT COUNT(*) FROM merges"), 1);
    ASSERT_GT(*db->queryInt("SELECT COUNT(*) FROM merge_moves WHERE tbl = 'identifiers'"), 0);
    // The merge record names identifiers by keyed tag only.
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM merge_moves WHERE tbl = 'identifiers' AND row_key NOT LIKE '" +
                            privacy::DataKeys::processLocal().current().id + ":%'"),
              0);
    const auto p = lookup("email=merged.person%40example.com");
    ASSERT_TRUE(p.contains("profileId"));
    ASSERT_EQ(del("/v1/profiles/" + p["profileId"].get<std::string>(), hub().headOfficeToken()).status, 200);
    EXPECT_EQ(lookup("phone=%2B12025550181")["status"], 404);
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM merges"), 0);
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM merge_moves"), 0);
}

TEST_F(HubErasure, AProfileMadeAndMergedInOneBatchIsErasedWithTheMemberItJoined) {
    auto k = kiosk("store-1", "k1", m_clock);
    const event::Identity phone{event::Identity::Type::Phone, "+12025550182"};
    const event::Identity email{event::Identity::Type::Email, "joined.later@example.com"};
    ASSERT_EQ(send({wire(k.signin("sa", "en-US", event::SigninMethod::Phone, phone, true))}),
              std::vector<std::string>{"accepted"});
    m_clock.advanceMs(3'600'000);
    // One batch, one session: a sign-in by an address new to the hub (a profile made in this transaction,
    // with its sign-in, check-in, stage and answer with a comment), then the same shopper's phone, which ties
    // that profile to the member's: every row of it must follow, or the erasure below would miss it.
    event::FeedbackAnswers a;
    a.surveyId = "store-visit";
    a.nps = 3;
    a.comment = "the tangerine-okapi aisle was empty";
    ASSERT_EQ(send({wire(k.signin("sb", "en-US", event::SigninMethod::Email, email, true)),
                    wire(k.feedback("sb", "en-US", a, std::nullopt)),
                    wire(k.signin("sb", "en-US", event::SigninMethod::Phone, phone, false))}),
              (std::vector<std::string>(3, "accepted")));
    const auto member = lookup("phone=%2B12025550182");
    ASSERT_TRUE(member.contains("profileId"));
    ASSERT_EQ(lookup("email=joined.later%40example.com")["profileId"], member["profileId"]);
    auto db = sqlite::Database::open(hub().dir() / "hub.db", false);
    ASSERT_TRUE(db);
    ASSERT_EQ(*db->queryInt("SELECT COUNT(*) FROM merges"), 1);
    ASSERT_EQ(*db->queryInt("SELECT COUNT(*) FROM profiles"), 1);

    ASSERT_EQ(del("/v1/profiles/" + member["profileId"].get<std::string>(), hub().headOfficeToken()).status,
              200);
    for (const char* table :
         {"events", "feedback", "signins", "checkins", "transitions", "identifiers", "channels"}) {
        EXPECT_EQ(
            *db->queryInt(std::string("SELECT COUNT(*) FROM ") + table + " WHERE profile_id IS NOT NULL"), 0)
            << table;
    }
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM feedback WHERE comment IS NOT NULL"), 0);
    EXPECT_TRUE(leftovers(formsOf("tangerine-okapi")).empty());
}

TEST_F(HubErasure, ErasuresWhileKiosksSendLoseNothingAndLeaveNoLog) {
    // Two kiosks send while profiles are made and erased: the log truncation after each erasure runs between
    // the writer's transactions, beside the log sync and the checkpointer, and no receipted event is lost.
    constexpr int kBatches = 20, kPerBatch = 50;
    std::atomic<int> accepted{0}, failed{0};
    std::vector<std::thread> senders;
    for (int t = 0; t < 2; ++t) {
        senders.emplace_back([&, t] {
            auto client = ingestClient(hub());
            auto k = kiosk("store-1", "k1", m_clock);
            for (int b = 0; b < kBatches; ++b) {
                json batch = json::array();
                event::FeedbackAnswers a;
                a.surveyId = "store-visit";
                a.nps = 7;
                for (int i = 0; i < kPerBatch; ++i) batch.push_back(wire(k.feedback("t" + std::to_string(t), "en-US", a, std::nullopt)));
                const auto r = postBatch(*client, batch);
                if (!r || r->accepted != kPerBatch) {
                    ++failed;
                } else {
                    accepted += r->accepted;
                }
            }
        });
    }
    auto k = kiosk("store-1", "k2", m_clock);
    int erasures = 0;
    for (int i = 0; i < 6; ++i) {
        const std::string digits = "20255501" + std::to_string(10 + i);
        const event::Identity phone{event::Identity::Type::Phone, "+1" + digits};
        ASSERT_EQ(send({wire(k.signin("e" + std::to_string(i), "en-US", event::SigninMethod::Phone, phone, true))}),
                  std::vector<std::string>{"accepted"});
        const auto p = lookup("phone=%2B1" + digits);
        ASSERT_TRUE(p.contains("profileId"));
        const auto r = del("/v1/profiles/" + p["profileId"].get<std::string>(), hub().headOfficeToken());
        ASSERT_EQ(r.status, 200) << r.body;
        ++erasures;
    }
    for (auto& s : senders) s.join();
    EXPECT_EQ(failed.load(), 0);
    EXPECT_EQ(accepted.load(), 2 * kBatches * kPerBatch);
    EXPECT_EQ(*hub().store().countEvents(), 2 * kBatches * kPerBatch + erasures);
    const auto left = leftovers({"+12025550110", "+12025550115"});
    EXPECT_TRUE(left.empty()) << (left.empty() ? "" : left.front());
}

}  // namespace
}  // namespace touchpoint::hub::testing
