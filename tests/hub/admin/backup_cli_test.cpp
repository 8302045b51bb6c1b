// `touchpoint-hub backup` on the real executable, while the hub serves: a consistent, owner-only copy that
// opens as a hub database, holds what was stored (personal fields only sealed: none of the shoppers' phones,
// e-mails, comments or their cases' outcomes in its bytes, all of them in its sealed values opened with the
// data key), holds nothing
// of a person erased before it was taken, even with the key, and never replaces an existing file.

#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "common/clock.hpp"
#include "event/kiosk_events.hpp"
#include "event/message.hpp"
#include "hub/privacy/data_key.hpp"
#include "hub/privacy/field_cipher.hpp"
#include "hub/sealed_scan.hpp"
#include "hub/store/sealed_columns.hpp"
#include "hub_process.hpp"
#include "temp_dir.hpp"

namespace {

using nlohmann::json;
using touchpoint::testing::readFile;
using touchpoint::testing::TempDir;
namespace event = touchpoint::event;
namespace privacy = touchpoint::hub::privacy;

using Run = touchpoint::hub::testing::CommandRun;
using touchpoint::hub::testing::quotedValueOf;

Run run(const TempDir& dir, const std::vector<std::string>& args) {
    return touchpoint::hub::testing::runProgram(TOUCHPOINT_HUB_EXE, dir.path(), args);
}

std::int64_t count(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return -1;
    const std::int64_t n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    return n;
}

std::string text(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return "";
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) != nullptr) {
        out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    return out;
}

std::vector<std::string> column(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    std::vector<std::string> out;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return out;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const auto* value = sqlite3_column_text(st, 0);
        if (value != nullptr) out.emplace_back(reinterpret_cast<const char*>(value));
    }
    sqlite3_finalize(st);
    return out;
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// One shopper's values, each as it is sent and as the hub may normalise it.
struct Shopper {
    event::Identity phone, email;
    std::string phoneDigits, comment, commentWord;
    std::string outcomeWord;  ///< in the outcome staff resolve the shopper's case with, beside the phone
    std::string outcome() const { return "Texted " + phone.value + " a " + outcomeWord + " voucher"; }
    std::vector<std::string> values() const {
        return {phone.value, phoneDigits, email.value, lower(email.value), comment, commentWord, outcomeWord};
    }
    /// What the data key must find in a copy that holds this shopper (normalised forms only).
    std::vector<std::string> sealedValues() const {
        return {phone.value, lower(email.value), commentWord, outcomeWord};
    }
};

/// Which of `values` occur in `text` (case-folded).
std::vector<std::string> found(const std::string& text, const std::vector<std::string>& values) {
    const auto folded = lower(text);
    std::vector<std::string> out;
    for (const auto& v : values) {
        if (folded.find(lower(v)) != std::string::npos) out.push_back(v);
    }
    return out;
}

/// What someone holding both a backup and the data key reads from it: every sealed column's values opened
/// row by row, and any sealed value elsewhere in the file's bytes (tests/support/hub/sealed_scan.hpp).
std::string openedWithTheKey(const std::filesystem::path& copy, const privacy::FieldCipher& cipher) {
    std::string out = touchpoint::hub::testing::openSealedValuesIn(readFile(copy), cipher);
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(copy.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return out;
    const auto openAll = [&](const std::string& sql, std::string_view name) {
        for (const auto& v : column(db, sql)) {
            auto plain = cipher.open(name, v);
            EXPECT_TRUE(!privacy::FieldCipher::looksSealed(v) || plain) << name << " does not open";
            if (plain) out += *plain + "\n";
        }
    };
    for (const auto& s : touchpoint::hub::kSealedColumns) {
        openAll(std::string("SELECT ") + s.column + " FROM " + s.table + " WHERE " + s.column + " IS NOT NULL",
                s.associatedData);
    }
    openAll("SELECT sealed_value FROM identifiers", privacy::columns::kIdentifierValue);
    sqlite3_close(db);
    return out;
}

TEST(HubBackup, ACopyTakenWhileTheHubServesHoldsWhatWasStoredAndNothingOfAnErasedPerson) {
    TempDir dir;
    const auto hubDir = dir / "hub";
    auto init = run(dir, {"init", "--dir", hubDir.string(), "--port", "0", "--store", "store-1", "--kiosk", "k1"});
    ASSERT_EQ(init.code, 0) << init.err;
    const auto kioskToken = quotedValueOf(init.out, "token");
    const auto staffToken = quotedValueOf(init.out, "staff_token");
    const auto sealingKey = quotedValueOf(init.out, "sealing_public_key");
    const auto hashKey = quotedValueOf(init.out, "identity_hash_key");
    ASSERT_FALSE(kioskToken.empty() || staffToken.empty() || sealingKey.empty() || hashKey.empty()) << init.out;
    const auto config = (hubDir / "hub.toml").string();
    auto admin = run(dir, {"token", "add", "--config", config, "--kind", "head-office", "--role", "admin", "--name", "admin"});
    ASSERT_EQ(admin.code, 0) << admin.err;
    const std::string adminToken = admin.out.substr(0, admin.out.find('\n'));

    // Start the hub (port 0: read it from the log line).
    const auto errFile = dir / "serve.err";
    const pid_t pid = touchpoint::hub::testing::spawnProgram(TOUCHPOINT_HUB_EXE, {"--config", config},
                                                              dir / "serve.out", errFile);
    struct Reap {
        pid_t pid;
        ~Reap() {
            ::kill(pid, SIGKILL);
            touchpoint::hub::testing::waitExit(pid);
        }
    } reap{pid};
    int port = 0;
    for (int i = 0; i < 300 && port == 0; ++i) {
        const auto log = readFile(errFile);
        const auto at = log.find("listening");
        const auto key = at == std::string::npos ? at : log.find(" port=", at);
        if (key != std::string::npos) port = std::atoi(log.c_str() + key + 6);
        else std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_GT(port, 0) << readFile(errFile);
    httplib::SSLClient c("127.0.0.1", port);
    c.set_ca_cert_path((hubDir / "hub-cert.pem").c_str());
    c.enable_server_certificate_verification(true);

    // Two shoppers sign in at the kiosk by phone and by e-mail and leave a comment (sealed as the kiosk seals
    // them).
    auto sealer = event::Sealer::fromPublicKeyB64(sealingKey);
    auto hasher = event::IdentityHasher::fromKeyB64(hashKey);
    ASSERT_TRUE(sealer.ok() && hasher.ok());
    const auto& clock = touchpoint::SystemClock::instance();
    event::KioskEventFactory kiosk({"store-1", "k1", "America/New_York", "0.1.0", "boot-1"}, *sealer, *hasher, clock);
    const Shopper kept{{event::Identity::Type::Phone, "+12025550101"},
                       {event::Identity::Type::Email, "Ottoline.Brackenbury.5521@Example.org"},
                       "2025550101",
                       "The saffron-pangolin shelf was bare again",
                       "saffron-pangolin",
                       "tangerine-okapi"};
    const Shopper erased{{event::Identity::Type::Phone, "+12025550177"},
                         {event::Identity::Type::Email, "Barnaby.Cuttlefish.8834@Example.com"},
                         "2025550177",
                         "Nobody at the cobalt-narwhal counter",
                         "cobalt-narwhal",
                         "juniper-axolotl"};
    // Each is unhappy and agrees to be called back: a case each, which staff resolve with an outcome.
    json batch = json::array();
    std::map<std::string, const Shopper*> shopperOf;  // by feedback message id
    for (const auto* shopper : {&kept, &erased}) {
        const std::string session = shopper == &kept ? "s1" : "s2";
        event::FeedbackAnswers a;
        a.surveyId = "store-visit";
        a.nps = 3;
        a.comment = shopper->comment;
        const event::Identity& phone = shopper->phone;
        const event::Identity& email = shopper->email;
        batch.push_back(event::toJson(kiosk.signin(session, "en-US", event::SigninMethod::Phone, phone, true)));
        batch.push_back(event::toJson(kiosk.signin(session, "en-US", event::SigninMethod::Email, email, false)));
        const auto feedback = kiosk.feedback(session, "en-US", a, shopper->phone);
        batch.push_back(event::toJson(feedback));
        const event::ConsentRecord notice{"feedback-contact", "1", std::string(64, 'a'), {}};
        batch.push_back(
            event::toJson(kiosk.feedbackContactConsent(session, "en-US", phone, notice, feedback.messageId)));
        shopperOf[feedback.messageId] = shopper;
    }
    c.set_bearer_token_auth(kioskToken.c_str());
    auto sent = c.Post("/v1/batch", json{{"batch", batch}}.dump(), "application/json");
    ASSERT_TRUE(sent);
    ASSERT_EQ(sent->status, 200) << sent->body;
    ASSERT_EQ(sent->body.find("rejected"), std::string::npos) << sent->body;
    c.set_bearer_token_auth(adminToken.c_str());
    auto listed = c.Get("/v1/cases");
    ASSERT_TRUE(listed);
    ASSERT_EQ(listed->status, 200) << listed->body;
    const auto cases = json::parse(listed->body)["cases"];
    ASSERT_EQ(cases.size(), 2u) << listed->body;
    for (const auto& k : cases) {
        const auto* shopper = shopperOf.at(k["feedbackMessageId"].get<std::string>());
        auto resolved = c.Post(("/v1/cases/" + k["id"].get<std::string>() + "/status").c_str(),
                               json{{"status", "resolved"}, {"outcome", shopper->outcome()}}.dump(),
                               "application/json");
        ASSERT_TRUE(resolved);
        ASSERT_EQ(resolved->status, 200) << resolved->body;
    }

    auto keys = privacy::DataKeys::readFile(quotedValueOf(readFile(hubDir / "hub.toml"), "data_key_file"));
    ASSERT_TRUE(keys) << keys.error();
    const privacy::FieldCipher cipher(*keys);
    std::vector<std::string> everyValue = kept.values();
    for (const auto& v : erased.values()) everyValue.push_back(v);

    // A copy taken while the hub runs: the values only sealed, and all of them there for the key's holder.
    const auto backups = dir / "backups";
    std::filesystem::create_directories(backups);
    const auto first = backups / "hub-before.db";
    auto backup = run(dir, {"backup", "--config", config, "--to", first.string()});
    ASSERT_EQ(backup.code, 0) << backup.err;
    EXPECT_NE(backup.out.find("the data key is not in it"), std::string::npos) << backup.out;
    struct stat st {};
    ASSERT_EQ(::stat(first.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    for (const auto& entry : std::filesystem::directory_iterator(backups)) {
        EXPECT_EQ(entry.path(), first) << "nothing else is left beside it";
    }
    EXPECT_EQ(found(readFile(first), everyValue), std::vector<std::string>{}) << "in the copy's bytes";
    const auto openedBefore = openedWithTheKey(first, cipher);
    for (const auto* shopper : {&kept, &erased}) {
        EXPECT_EQ(found(openedBefore, shopper->sealedValues()), shopper->sealedValues())
            << "the copy's sealed values open to what was stored";
    }

    // The second shopper asks to be erased; a copy taken after it holds nothing of them, even with the key.
    c.set_bearer_token_auth(staffToken.c_str());
    auto looked = c.Get("/v1/profiles/lookup?phone=%2B12025550177");
    ASSERT_TRUE(looked);
    ASSERT_EQ(looked->status, 200) << looked->body;
    const auto profileId = json::parse(looked->body).value("profileId", "");
    ASSERT_FALSE(profileId.empty()) << looked->body;
    c.set_bearer_token_auth(adminToken.c_str());
    auto gone = c.Delete(("/v1/profiles/" + profileId).c_str());
    ASSERT_TRUE(gone);
    ASSERT_EQ(gone->status, 200) << gone->body;

    const auto copy = backups / "hub-after.db";
    auto after = run(dir, {"backup", "--config", config, "--to", copy.string()});
    ASSERT_EQ(after.code, 0) << after.err;
    EXPECT_EQ(found(readFile(copy), everyValue), std::vector<std::string>{}) << "in the copy's bytes";
    const auto openedAfter = openedWithTheKey(copy, cipher);
    EXPECT_EQ(found(openedAfter, erased.values()), std::vector<std::string>{}) << "the erased shopper, with the key";
    EXPECT_EQ(found(openedAfter, kept.sealedValues()), kept.sealedValues()) << "the other shopper is still there";

    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(copy.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    EXPECT_EQ(text(db, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM events WHERE event = 'Loyalty Signed In'"), 4);
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM profiles"), 1);
    EXPECT_GE(count(db, "SELECT COUNT(*) FROM tombstones"), 2);  // a tag per identifier of the erased person
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM tokens"), 4);  // kiosk, staff, head office from init; admin
    sqlite3_close(db);

    // The hub serves on, and a backup never replaces an earlier one.
    const auto before = readFile(copy);
    auto again = run(dir, {"backup", "--config", config, "--to", copy.string()});
    EXPECT_EQ(again.code, 1);
    EXPECT_NE(again.err.find("exists"), std::string::npos) << again.err;
    EXPECT_EQ(readFile(copy), before);
    auto health = c.Get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    auto missingFolder = run(dir, {"backup", "--config", config, "--to", (dir / "nope" / "x.db").string()});
    EXPECT_EQ(missingFolder.code, 1);
    EXPECT_NE(missingFolder.err.find("no folder"), std::string::npos) << missingFolder.err;
}

}  // namespace
