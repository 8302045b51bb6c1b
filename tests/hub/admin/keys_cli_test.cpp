// `touchpoint-hub keys rotate` and `keys status` on the real executable: exit codes and messages without a
// key file and with a wrong key (the column and row named, never the value), a finished rotation reporting the
// retired key removable; and a rotation while the real hub ingests from a sender thread, after which every
// acknowledged event is stored exactly once and every sealed value is under the new key and opens with it.

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sqlite3.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <thread>

#include "common/clock.hpp"
#include "event/kiosk_events.hpp"
#include "event/message.hpp"
#include "hub/privacy/field_cipher.hpp"
#include "hub/store/sealed_columns.hpp"
#include "hub_process.hpp"
#include "signin_sender.hpp"
#include "temp_dir.hpp"

namespace {

using nlohmann::json;
using touchpoint::testing::readFile;
using touchpoint::testing::TempDir;
namespace event = touchpoint::event;
using touchpoint::hub::testing::SigninSender;
namespace hub = touchpoint::hub;
namespace privacy = touchpoint::hub::privacy;

using Run = touchpoint::hub::testing::CommandRun;
using touchpoint::hub::testing::quotedValueOf;

Run run(const TempDir& dir, const std::vector<std::string>& args) {
    return touchpoint::hub::testing::runProgram(TOUCHPOINT_HUB_EXE, dir.path(), args);
}

/// The key line of a key file (its first line that is not a comment).
std::string keyLine(const std::filesystem::path& file) {
    std::istringstream in(readFile(file));
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line[0] != '#') return line + "\n";
    }
    return "";
}

std::string keyIdOf(const std::string& line) { return line.substr(0, line.find(' ')); }

void writeFile(const std::filesystem::path& file, const std::string& text) { std::ofstream(file) << text; }

/// A hub made by `init` in dir/hub, with its key file in dir/hub-keys (what init makes).
struct InitHub {
    std::filesystem::path hubDir, keyFile;
    std::string config, kioskToken, sealingKey, hashKey;
};

InitHub initHub(const TempDir& dir) {
    InitHub h;
    h.hubDir = dir / "hub";
    h.keyFile = dir / "hub-keys" / "hub-data.key";
    auto init = run(dir, {"init", "--dir", h.hubDir.string(), "--port", "0", "--store", "store-1", "--kiosk", "k1"});
    EXPECT_EQ(init.code, 0) << init.err;
    h.config = (h.hubDir / "hub.toml").string();
    h.kioskToken = quotedValueOf(init.out, "token");
    h.sealingKey = quotedValueOf(init.out, "sealing_public_key");
    h.hashKey = quotedValueOf(init.out, "identity_hash_key");
    EXPECT_TRUE(std::filesystem::exists(h.keyFile));
    return h;
}

/// The real hub serving `config` until stop() (SIGTERM) or destruction (SIGKILL).
class ServedHub {
public:
    ServedHub(const TempDir& dir, const std::string& config, const std::string& name) : m_err(dir / (name + ".err")) {
        m_pid = hub::testing::spawnProgram(TOUCHPOINT_HUB_EXE, {"--config", config}, dir / (name + ".out"), m_err);
        for (int i = 0; i < 300 && m_port == 0; ++i) {
            const auto log = readFile(m_err);
            const auto at = log.find("listening");
            const auto key = at == std::string::npos ? at : log.find(" port=", at);
            if (key != std::string::npos) m_port = std::atoi(log.c_str() + key + 6);
            else std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    ~ServedHub() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            hub::testing::waitExit(m_pid);
        }
    }
    int stop() {
        ::kill(m_pid, SIGTERM);
        const int code = hub::testing::waitExit(m_pid);
        m_pid = -1;
        return code;
    }
    int port() const { return m_port; }
    std::string log() const { return readFile(m_err); }

private:
    std::filesystem::path m_err;
    pid_t m_pid = -1;
    int m_port = 0;
};

/// Rows of a one-column query on the SQLite store, as text.
std::vector<std::string> column(sqlite3* db, const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
        ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
        return out;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        const auto* t = sqlite3_column_text(st, 0);
        out.emplace_back(t ? reinterpret_cast<const char*>(t) : "");
    }
    sqlite3_finalize(st);
    return out;
}

TEST(HubKeysCli, NoKeyFileAWrongKeyAndAFinishedRotationAnswerWithTheirExitCodesAndMessages) {
    TempDir dir;
    const auto h = initHub(dir);
    writeFile(dir / "members.csv", "member_id,email,points\nM-7,m7.rotation@example.com,50\n");
    auto members = run(dir, {"members", "import", "--config", h.config, (dir / "members.csv").string()});
    ASSERT_EQ(members.code, 0) << members.err;
    const std::string keyA = keyLine(h.keyFile);
    ASSERT_FALSE(keyA.empty());

    // Usage errors.
    EXPECT_EQ(run(dir, {"keys", "rotate"}).code, 2);
    EXPECT_EQ(run(dir, {"keys", "rotate", "--config", h.config, "--batch", "0"}).code, 2);
    EXPECT_EQ(run(dir, {"keys", "rotate", "--config", h.config, "--batch", "10001"}).code, 2);
    EXPECT_EQ(run(dir, {"keys", "status", "--config", h.config, "--batch", "5"}).code, 2);

    // No key file: nothing is touched.
    std::filesystem::rename(h.keyFile, dir / "a.key");
    auto none = run(dir, {"keys", "rotate", "--config", h.config});
    EXPECT_EQ(none.code, 1);
    EXPECT_NE(none.err.find("data key file " + h.keyFile.string() + ": cannot open"), std::string::npos) << none.err;
    EXPECT_NE(none.err.find("keys create"), std::string::npos) << none.err;

    // A wrong key (another key made in its place): the value is named by column and row, never shown.
    auto other = run(dir, {"keys", "create", "--file", h.keyFile.string()});
    ASSERT_EQ(other.code, 0) << other.err;
    auto wrong = run(dir, {"keys", "rotate", "--config", h.config});
    EXPECT_EQ(wrong.code, 1);
    EXPECT_NE(wrong.err.find("keys rotate: profiles.member_id, row id "), std::string::npos) << wrong.err;
    EXPECT_NE(wrong.err.find("sealed under key " + keyIdOf(keyA) + ", which is not in this hub's data key file"),
              std::string::npos)
        << wrong.err;
    for (const auto& text : {wrong.out, wrong.err}) {
        EXPECT_EQ(text.find("M-7"), std::string::npos) << text;
        EXPECT_EQ(text.find("m7.rotation"), std::string::npos) << text;
    }
    auto unknown = run(dir, {"keys", "status", "--config", h.config});
    EXPECT_EQ(unknown.code, 0) << unknown.err;
    EXPECT_NE(unknown.out.find("profiles.member_id: 1 sealed values under no key of this file"), std::string::npos)
        << unknown.out;

    // The new key first, the old one retired: the rotation finishes and the old key may go.
    const std::string keyB = keyLine(h.keyFile);
    writeFile(h.keyFile, keyB + keyA);
    auto rotated = run(dir, {"keys", "rotate", "--config", h.config, "--batch", "1"});
    EXPECT_EQ(rotated.code, 0) << rotated.out << rotated.err;
    EXPECT_NE(rotated.out.find("profiles.member_id: 1 changed"), std::string::npos) << rotated.out;
    EXPECT_NE(rotated.out.find("re-tagged 2 identifiers"), std::string::npos) << rotated.out;  // member, e-mail
    EXPECT_NE(rotated.out.find("every sealed value and identifier is under the current key " + keyIdOf(keyB)),
              std::string::npos)
        << rotated.out;
    auto status = run(dir, {"keys", "status", "--config", h.config});
    EXPECT_EQ(status.code, 0) << status.err;
    EXPECT_NE(status.out.find("key " + keyIdOf(keyA) + " (retired): 0 sealed values, 0 identifier tags"),
              std::string::npos)
        << status.out;
    EXPECT_NE(status.out.find("it may be removed"), std::string::npos) << status.out;

    // --max-rows stops early with its own exit code, and says to run again.
    writeFile(h.keyFile, keyA + keyB);
    auto partial = run(dir, {"keys", "rotate", "--config", h.config, "--max-rows", "1"});
    EXPECT_EQ(partial.code, 3) << partial.out << partial.err;
    EXPECT_NE(partial.err.find("stopped after --max-rows 1"), std::string::npos) << partial.err;
    auto rest = run(dir, {"keys", "rotate", "--config", h.config});
    EXPECT_EQ(rest.code, 0) << rest.out << rest.err;
}

TEST(HubKeysCli, ARotationWhileTheHubIngestsLosesNoEventAndLeavesEveryValueUnderTheNewKey) {
    TempDir dir;
    const auto h = initHub(dir);
    const std::string keyA = keyLine(h.keyFile);
    std::size_t beforeRestart = 0;
    {
        ServedHub served(dir, h.config, "serve-a");
        ASSERT_GT(served.port(), 0) << served.log();
        SigninSender sender(h.hubDir / "hub-cert.pem", h.kioskToken, h.sealingKey, h.hashKey, served.port());
        for (int i = 0; i < 40; ++i) ASSERT_TRUE(sender.sendBatch(25));
        beforeRestart = sender.acknowledged().size();
        EXPECT_EQ(beforeRestart, 1000u);
        EXPECT_EQ(served.stop(), 0);
    }
    // The operator's procedure: the new key first in the file, the hub restarted, then keys rotate.
    auto made = run(dir, {"keys", "create", "--file", (dir / "b.key").string()});
    ASSERT_EQ(made.code, 0) << made.err;
    const std::string keyB = keyLine(dir / "b.key");
    writeFile(h.keyFile, keyB + keyA);

    ServedHub served(dir, h.config, "serve-ba");
    ASSERT_GT(served.port(), 0) << served.log();
    SigninSender sender(h.hubDir / "hub-cert.pem", h.kioskToken, h.sealingKey, h.hashKey, served.port());
    std::atomic<bool> rotated{false};
    std::atomic<int> batches{0};
    std::atomic<bool> failed{false};
    std::thread ingest([&] {
        // Until the rotation is over and a few batches after it; bounded in count and time.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
        int afterRotation = 0;
        while (afterRotation < 3 && batches < 2000 && std::chrono::steady_clock::now() < deadline) {
            if (!sender.sendBatch(20)) failed = true;
            ++batches;
            if (rotated) ++afterRotation;
        }
    });
    while (batches < 3 && !failed) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const int batchesBefore = batches;
    // Small batches: many short transactions, between which the hub's writes go in.
    const auto started = std::chrono::steady_clock::now();
    auto rotate = run(dir, {"keys", "rotate", "--config", h.config, "--batch", "5"});
    const auto tookMs = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    const int batchesDuring = batches - batchesBefore;
    rotated = true;
    ingest.join();
    EXPECT_FALSE(failed);
    EXPECT_EQ(sender.rejected(), 0);
    EXPECT_EQ(served.stop(), 0) << served.log();
    EXPECT_EQ(rotate.code, 0) << rotate.out << rotate.err;
    EXPECT_NE(rotate.out.find("events.payload: 1000 changed"), std::string::npos) << rotate.out;
    EXPECT_GT(batchesDuring, 0) << "the hub ingested while the rotation ran";
    std::smatch report;
    std::regex_search(rotate.out, report, std::regex("re-sealed [^\n]*"));
    std::cout << "[ figures  ] keys rotate --batch 5 took " << tookMs << " ms; " << batchesDuring
              << " batches of 20 sign-ins ingested meanwhile; " << report.str() << "\n";

    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2((h.hubDir / "hub.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    // Every acknowledged event stored, exactly once, and nothing else.
    const auto ids = column(db, "SELECT message_id FROM events");
    const std::set<std::string> stored(ids.begin(), ids.end());
    EXPECT_EQ(ids.size(), stored.size());
    std::set<std::string> acknowledged = sender.acknowledged();
    EXPECT_EQ(acknowledged.size(), static_cast<std::size_t>(batches) * 20);
    EXPECT_EQ(stored.size(), beforeRestart + acknowledged.size());
    for (const auto& id : acknowledged) EXPECT_EQ(stored.count(id), 1u) << id;

    // Every sealed value under B, opening with B alone; every identifier tagged under B.
    auto keys = privacy::DataKeys::parse(keyB, "b.key");
    ASSERT_TRUE(keys);
    const privacy::FieldCipher cipher(*keys);
    const std::string prefix = "tpf1:" + keyIdOf(keyB) + ":";
    std::size_t opened = 0;
    const auto check = [&](const std::string& sql, std::string_view name) {
        for (const auto& v : column(db, sql)) {
            if (!privacy::FieldCipher::looksSealed(v)) continue;
            EXPECT_EQ(v.rfind(prefix, 0), 0u) << name;
            auto plain = cipher.open(name, v);
            EXPECT_TRUE(plain) << name << ": " << (plain ? "" : plain.error());
            opened += plain ? 1 : 0;
        }
    };
    for (const auto& s : hub::kSealedColumns) {
        check(std::string("SELECT ") + s.column + " FROM " + s.table + " WHERE " + s.column + " IS NOT NULL",
              s.associatedData);
    }
    check("SELECT sealed_value FROM identifiers", privacy::columns::kIdentifierValue);
    EXPECT_GE(opened, stored.size());
    for (const auto& tag : column(db, "SELECT value FROM identifiers")) {
        EXPECT_EQ(tag.rfind(keyIdOf(keyB) + ":", 0), 0u) << tag;
    }
    sqlite3_close(db);
}

}  // namespace
