// `touchpoint-hub keys rotate` against PostgreSQL while two real hub processes on the same database ingest
// from two sender threads and an admin erases profiles: transactions there run side by side (read committed),
// so a hub's erasure can commit between the rotation's read of a row and its write, which the rotation's
// compare-and-set must leave alone. Afterwards every acknowledged event is stored exactly once, every sealed
// value is under the new key and opens with it alone, and every erased profile's events stay erased.

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "event/sealing.hpp"
#include "hub/hub_fleet.hpp"
#include "hub/pg_cluster.hpp"
#include "hub/privacy/field_cipher.hpp"
#include "hub/store/sealed_columns.hpp"
#include "hub/store/sql_backend.hpp"
#include "signin_sender.hpp"
#include "spawn.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub::testing {
namespace {

using touchpoint::testing::readFile;

struct Run {
    int code = -1;
    std::string out, err;
};

Run run(const std::filesystem::path& dir, const std::vector<std::string>& args) {
    std::vector<std::string> argv{TOUCHPOINT_HUB_EXE};
    argv.insert(argv.end(), args.begin(), args.end());
    Run r;
    r.code = touchpoint::testing::waitExit(touchpoint::testing::spawnWithOutput(argv, {dir / "run.out", dir / "run.err"}));
    r.out = readFile(dir / "run.out");
    r.err = readFile(dir / "run.err");
    return r;
}

std::string keyLine(const std::filesystem::path& file) {
    std::istringstream in(readFile(file));
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line[0] != '#') return line + "\n";
    }
    return "";
}

std::vector<std::string> texts(SqlConnection& c, const std::string& sql, const std::vector<SqlValue>& params = {}) {
    std::vector<std::string> out;
    auto rows = c.query(sql, params);
    EXPECT_TRUE(rows) << sql << ": " << (rows ? "" : rows.error().message);
    for (std::size_t i = 0; rows && i < rows->size(); ++i) out.push_back(rows->text(i, 0));
    return out;
}

TEST(HubKeysRotatePostgres, TwoHubsIngestAndEraseWhileKeysRotateRunsAndNothingIsLostDoubledOrBroughtBack) {
    auto pg = TempPostgres::start();
    ASSERT_TRUE(pg.ok()) << pg.error();
    auto url = pg->createDatabase("rotation");
    ASSERT_TRUE(url.ok()) << url.error();
    auto started = HubFleet::start({TOUCHPOINT_HUB_EXE, *url, 2, "", nullptr});
    ASSERT_TRUE(started.ok()) << started.error();
    auto& fleet = **started;
    const auto config = fleet.dir() / "hub" / "hub-0.toml";
    const auto keyFile = fleet.dir() / "hub-keys" / "hub-data.key";
    ASSERT_TRUE(std::filesystem::exists(keyFile));
    const std::string keyA = keyLine(keyFile);
    auto token = fleet.kioskToken("store-1", "k1");
    ASSERT_TRUE(token.ok()) << token.error();
    const std::string hashKey = event::IdentityHasher::generateKeyB64();
    auto admin = run(fleet.dir(), {"token", "add", "--config", config.string(), "--kind", "head-office", "--role",
                                   "admin", "--name", "admin"});
    ASSERT_EQ(admin.code, 0) << admin.err;
    const std::string adminToken = admin.out.substr(0, admin.out.find('\n'));

    std::size_t beforeRestart = 0;
    {
        SigninSender sender(fleet.certFile(), *token, fleet.sealingPublicKeyB64(), hashKey, fleet.port(0));
        for (int i = 0; i < 40; ++i) ASSERT_TRUE(sender.sendBatch(25));
        beforeRestart = sender.acknowledged().size();
        ASSERT_EQ(beforeRestart, 1000u);
    }
    auto db = openPostgres(*url);
    ASSERT_TRUE(db.ok()) << db.error().message;
    SqlConnection& c = **db;
    // The profiles to erase during the rotation, and their events now.
    const auto victims = texts(c, "SELECT id FROM profiles ORDER BY id LIMIT 8");
    ASSERT_EQ(victims.size(), 8u);
    std::set<std::string> erasedEvents;
    for (const auto& p : victims) {
        for (auto& id : texts(c, "SELECT message_id FROM events WHERE profile_id = ?", {p})) erasedEvents.insert(id);
    }
    ASSERT_FALSE(erasedEvents.empty());

    // The new key first on every hub, which restart; then the rotation while they ingest and erase.
    auto made = run(fleet.dir(), {"keys", "create", "--file", (fleet.dir() / "b.key").string()});
    ASSERT_EQ(made.code, 0) << made.err;
    const std::string keyB = keyLine(fleet.dir() / "b.key");
    std::ofstream(keyFile) << keyB << keyA;
    for (int i = 0; i < fleet.size(); ++i) {
        fleet.kill(i);
        auto r = fleet.restart(i);
        ASSERT_TRUE(r.ok()) << r.error();
    }
    std::atomic<bool> rotated{false}, failed{false};
    std::atomic<int> batches{0};
    std::vector<std::unique_ptr<SigninSender>> senders;
    std::vector<std::thread> threads;
    for (int i = 0; i < fleet.size(); ++i) {
        senders.push_back(std::make_unique<SigninSender>(fleet.certFile(), *token, fleet.sealingPublicKeyB64(),
                                                         hashKey, fleet.port(i)));
    }
    for (int i = 0; i < fleet.size(); ++i) {
        threads.emplace_back([&, i] {
            const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
            int afterRotation = 0;
            while (afterRotation < 3 && batches < 2000 && std::chrono::steady_clock::now() < deadline) {
                if (!senders[static_cast<std::size_t>(i)]->sendBatch(20)) failed = true;
                ++batches;
                if (rotated) ++afterRotation;
            }
        });
    }
    std::atomic<int> erased{0};
    threads.emplace_back([&] {
        httplib::SSLClient client("127.0.0.1", fleet.port(1));
        client.set_ca_cert_path(fleet.certFile().c_str());
        client.enable_server_certificate_verification(true);
        client.set_bearer_token_auth(adminToken.c_str());
        client.set_read_timeout(30, 0);
        for (const auto& p : victims) {
            std::this_thread::sleep_for(std::chrono::milliseconds(40));
            auto r = client.Delete(("/v1/profiles/" + p).c_str());
            if (r && r->status == 200) ++erased;
        }
    });
    while (batches < 4 && !failed) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    const int batchesBefore = batches;
    const auto t0 = std::chrono::steady_clock::now();
    auto rotate = run(fleet.dir(), {"keys", "rotate", "--config", config.string(), "--batch", "5"});
    const auto tookMs = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    const int batchesDuring = batches - batchesBefore;
    rotated = true;
    for (auto& t : threads) t.join();
    EXPECT_FALSE(failed);
    EXPECT_EQ(erased, 8);
    EXPECT_EQ(rotate.code, 0) << rotate.out << rotate.err;
    EXPECT_NE(rotate.out.find("every sealed value and identifier is under the current key"), std::string::npos)
        << rotate.out;
    EXPECT_GT(batchesDuring, 0) << "the hubs ingested while the rotation ran";
    std::smatch report;
    std::regex_search(rotate.out, report, std::regex("re-sealed [^\\n]*"));
    std::cout << "[ figures  ] PostgreSQL, keys rotate --batch 5 took " << tookMs << " ms; " << batchesDuring
              << " batches of 20 sign-ins ingested meanwhile by 2 hubs; " << report.str() << "\n";

    // Every acknowledged event stored, exactly once.
    std::set<std::string> acknowledged;
    for (const auto& s : senders) {
        EXPECT_EQ(s->rejected(), 0);
        acknowledged.insert(s->acknowledged().begin(), s->acknowledged().end());
    }
    EXPECT_EQ(acknowledged.size(), static_cast<std::size_t>(batches) * 20);
    const auto ids = texts(c, "SELECT message_id FROM events");
    const std::set<std::string> stored(ids.begin(), ids.end());
    EXPECT_EQ(ids.size(), stored.size());
    EXPECT_EQ(stored.size(), beforeRestart + acknowledged.size());
    for (const auto& id : acknowledged) EXPECT_EQ(stored.count(id), 1u) << id;

    // Erased stays erased: no re-sealed old payload written over an erasure.
    for (const auto& id : erasedEvents) {
        const auto payload = texts(c, "SELECT payload FROM events WHERE message_id = ?", {id});
        ASSERT_EQ(payload.size(), 1u);
        EXPECT_EQ(payload[0], R"({"erased":true})") << id;
    }
    for (const auto& p : victims) EXPECT_TRUE(texts(c, "SELECT id FROM profiles WHERE id = ?", {p}).empty());

    // Every sealed value under B, opening with B alone; every identifier tagged under B.
    auto keys = privacy::DataKeys::parse(keyB, "b.key");
    ASSERT_TRUE(keys);
    const privacy::FieldCipher cipher(*keys);
    const std::string keyIdB = keyB.substr(0, keyB.find(' '));
    std::size_t opened = 0;
    const auto check = [&](const std::string& sql, std::string_view name) {
        for (const auto& v : texts(c, sql)) {
            if (!privacy::FieldCipher::looksSealed(v)) continue;
            EXPECT_EQ(v.rfind("tpf1:" + keyIdB + ":", 0), 0u) << name;
            auto plain = cipher.open(name, v);
            EXPECT_TRUE(plain) << name << ": " << (plain ? "" : plain.error());
            opened += plain ? 1 : 0;
        }
    };
    for (const auto& s : kSealedColumns) {
        check(std::string("SELECT ") + s.column + " FROM " + s.table + " WHERE " + s.column + " IS NOT NULL",
              s.associatedData);
    }
    check("SELECT sealed_value FROM identifiers", privacy::columns::kIdentifierValue);
    EXPECT_GE(opened, stored.size() - erasedEvents.size());
    for (const auto& tag : texts(c, "SELECT value FROM identifiers")) EXPECT_EQ(tag.rfind(keyIdB + ":", 0), 0u) << tag;
    auto status = run(fleet.dir(), {"keys", "status", "--config", config.string()});
    EXPECT_EQ(status.code, 0) << status.err;
    EXPECT_NE(status.out.find(keyA.substr(0, keyA.find(' ')) + " (retired): 0 sealed values, 0 identifier tags"),
              std::string::npos)
        << status.out;
    // The erasures ran after the restart, so their tombstones are under B: nothing keeps A needed.
    EXPECT_NE(status.out.find("nothing is under it: it may be removed"), std::string::npos) << status.out;
}

}  // namespace
}  // namespace touchpoint::hub::testing
