// `touchpoint-hub backup` on the real executable, while the hub serves: a consistent, owner-only copy that
// opens as a hub database, holds what was stored (personal fields only sealed), holds nothing of a person
// erased before it was taken, and never replaces an existing file.

#include <gtest/gtest.h>
#include <httplib.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "common/clock.hpp"
#include "event/kiosk_events.hpp"
#include "event/message.hpp"
#include "hub_process.hpp"
#include "temp_dir.hpp"

namespace {

using nlohmann::json;
using touchpoint::testing::readFile;
using touchpoint::testing::TempDir;
namespace event = touchpoint::event;

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

    // Two shoppers sign in at the kiosk (phones sealed as the kiosk seals them).
    auto sealer = event::Sealer::fromPublicKeyB64(sealingKey);
    auto hasher = event::IdentityHasher::fromKeyB64(hashKey);
    ASSERT_TRUE(sealer.ok() && hasher.ok());
    const auto& clock = touchpoint::SystemClock::instance();
    event::KioskEventFactory kiosk({"store-1", "k1", "America/New_York", "0.1.0", "boot-1"}, *sealer, *hasher, clock);
    json batch = json::array();
    const event::Identity kept{event::Identity::Type::Phone, "+12025550101"};
    const event::Identity erased{event::Identity::Type::Phone, "+12025550177"};
    batch.push_back(event::toJson(kiosk.signin("s1", "en-US", event::SigninMethod::Phone, kept, true)));
    batch.push_back(event::toJson(kiosk.signin("s2", "en-US", event::SigninMethod::Phone, erased, true)));
    c.set_bearer_token_auth(kioskToken.c_str());
    auto sent = c.Post("/v1/batch", json{{"batch", batch}}.dump(), "application/json");
    ASSERT_TRUE(sent);
    ASSERT_EQ(sent->status, 200) << sent->body;
    ASSERT_EQ(sent->body.find("rejected"), std::string::npos) << sent->body;

    // The second one asks to be erased.
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

    // The copy, taken while the hub runs.
    const auto copy = dir / "backups" / "hub-copy.db";
    std::filesystem::create_directories(copy.parent_path());
    auto backup = run(dir, {"backup", "--config", config, "--to", copy.string()});
    ASSERT_EQ(backup.code, 0) << backup.err;
    EXPECT_NE(backup.out.find("the data key is not in it"), std::string::npos) << backup.out;
    struct stat st {};
    ASSERT_EQ(::stat(copy.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    for (const auto& entry : std::filesystem::directory_iterator(copy.parent_path())) {
        EXPECT_EQ(entry.path(), copy) << "nothing else is left beside it";
    }
    EXPECT_EQ(readFile(copy).find("2025550177"), std::string::npos) << "the erased phone is not in the copy";
    EXPECT_EQ(readFile(copy).find("2025550101"), std::string::npos) << "a member's phone is in it only sealed";

    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(copy.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    EXPECT_EQ(text(db, "PRAGMA integrity_check"), "ok");
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM events WHERE event = 'Loyalty Signed In'"), 2);
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM profiles"), 1);
    EXPECT_GE(count(db, "SELECT COUNT(*) FROM tombstones"), 1);  // a tag per identifier of the erased person
    EXPECT_EQ(count(db, "SELECT COUNT(*) FROM tokens"), 4);  // kiosk, staff, head office from init; admin
    sqlite3_close(db);

    // The hub serves on, and a second backup never replaces the first.
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
