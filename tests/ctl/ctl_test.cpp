// touchpointctl as a real process: exit codes, usage, test defaults, sealing in its output, erasure, dead
// letters, the kiosk config and the benchmark's JSON.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <utility>
#include <nlohmann/json.hpp>

#include "event/sealing.hpp"
#include "outbox/outbox.hpp"
#include "temp_dir.hpp"

namespace touchpoint::outbox {
namespace {

using touchpoint::testing::readFile;
using touchpoint::testing::TempDir;

struct CtlRun {
    int code = -1;
    std::string out;
    std::string err;
};

class Ctl : public ::testing::Test {
protected:
    CtlRun ctl(const std::vector<std::string>& args) {
        const auto outPath = m_dir / "stdout";
        const auto errPath = m_dir / "stderr";
        const pid_t pid = ::fork();
        if (pid == 0) {
            const int out = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            const int err = ::open(errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(out, STDOUT_FILENO);
            ::dup2(err, STDERR_FILENO);
            std::vector<char*> argv{const_cast<char*>(TOUCHPOINT_CTL_BINARY)};
            for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        int status = 0;
        ::waitpid(pid, &status, 0);
        CtlRun r;
        r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        r.out = readFile(outPath);
        r.err = readFile(errPath);
        return r;
    }
    CtlRun db(std::vector<std::string> args) {
        args.insert(args.begin(), {"--db", m_db.string()});
        return ctl(args);
    }

    TempDir m_dir;
    std::filesystem::path m_db = m_dir / "outbox.db";
};

TEST_F(Ctl, UsageErrorsExitTwoWithTheUsageText) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {}, {"frobnicate"}, {"--db"}, {"--db", "x.db", "status", "--bogus"}, {"--db", "x.db", "enqueue"}}) {
        CtlRun r = ctl(args);
        EXPECT_EQ(r.code, 2) << r.err;
        EXPECT_NE(r.err.find("usage: touchpointctl"), std::string::npos) << r.err;
    }
    CtlRun help = ctl({"--help"});
    EXPECT_EQ(help.code, 0);
    EXPECT_NE(help.out.find("dead-letter"), std::string::npos);
}

TEST_F(Ctl, UnknownOptionsAndMissingValuesAreRefusedBeforeTheOutboxIsOpened) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"status", "--jsn"},
             {"--verbose", "status"},
             {"list", "--limit"},
             {"list", "--limit", "ten"},
             {"list", "--limit", "0"},
             {"enqueue", "signin", "--phone"},
             {"enqueue", "signin", "--phone", "+12125550123", "--pager", "5"},
             {"enqueue", "feedback", "--nps", "9", "--stars", "5"},
             {"enqueue-demo", "--count", "5", "--sleep", "1"},
             {"dead-letter", "list", "--id", "x"},
             {"dead-letter", "resurrect"},
             {"purge", "--identity"},
             {"bench", "enqueue", "--dir", (m_dir / "b").string(), "--n", "40", "--warm"},
             {"bench", "drain"},
             {"drain", "--hub", "https://127.0.0.1:1", "--token"},
         }) {
        CtlRun r = db(args);
        EXPECT_EQ(r.code, 2) << args[0] << " " << args.back() << "\n" << r.err;
        EXPECT_EQ(r.err.rfind("touchpointctl: ", 0), 0U) << r.err;
        EXPECT_NE(r.err.find("usage: touchpointctl"), std::string::npos) << r.err;
        EXPECT_EQ(r.out, "");
    }
    EXPECT_FALSE(std::filesystem::exists(m_db)) << "a refused command line never touches the outbox";
    EXPECT_FALSE(std::filesystem::exists(m_dir / "b"));

    // --help on every command prints its own options.
    for (const auto& [args, own] : std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"status", "--help"}, "--json"},
             {{"list", "--help"}, "--limit"},
             {{"enqueue", "signin", "--help"}, "--member"},
             {{"enqueue", "feedback", "--help"}, "--nps"},
             {{"enqueue-demo", "--help"}, "--kind"},
             {{"dead-letter", "--help"}, "--id"},
             {{"purge", "--help"}, "--identity"},
             {{"bench", "enqueue", "--help"}, "--backlog"},
             {{"drain", "--help"}, "--until-empty"},
         }) {
        CtlRun r = ctl(args);
        EXPECT_EQ(r.code, 0) << args[0] << r.err;
        EXPECT_NE(r.out.find(own), std::string::npos) << args[0] << ": " << r.out;
    }
}

TEST_F(Ctl, StatusOfAFreshOutboxAsJson) {
    CtlRun r = db({"status", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["pending"]["count"], 0);
    EXPECT_TRUE(j["pending"]["oldest"].is_null());
    EXPECT_EQ(j["deadLetters"]["count"], 0);
    EXPECT_EQ(j["byteBudget"], 512LL * 1024 * 1024);
}

TEST_F(Ctl, EnqueueStatesTheTestDefaultsAndReusesTheKeys) {
    CtlRun first = db({"enqueue", "signin", "--phone", "(212) 555-0123"});
    ASSERT_EQ(first.code, 0) << first.err;
    EXPECT_NE(first.err.find("test defaults"), std::string::npos);
    EXPECT_NE(first.err.find("written to"), std::string::npos);
    const auto keys = m_dir / "outbox.db.test-keys.json";
    ASSERT_TRUE(std::filesystem::exists(keys));
    const std::string keyText = readFile(keys);
    CtlRun second = db({"enqueue", "feedback", "--nps", "9", "--csat", "5", "--ces", "2", "--comment",
                     "Ask for Bartholomew at the shoe desk", "--reason", "friendly_staff"});
    ASSERT_EQ(second.code, 0) << second.err;
    EXPECT_NE(second.err.find("reused from"), std::string::npos);
    EXPECT_EQ(readFile(keys), keyText);

    CtlRun list = db({"list", "--json"});
    ASSERT_EQ(list.code, 0) << list.err;
    auto rows = nlohmann::json::parse(list.out);
    ASSERT_EQ(rows.size(), 2U);
    EXPECT_EQ(rows[0]["message"]["sealed"]["properties.phone"], "sealed");
    EXPECT_EQ(rows[0]["message"]["context"]["storeId"], "test-store");
    EXPECT_EQ(rows[1]["message"]["sealed"]["properties.comment"], "sealed");
    EXPECT_EQ(rows[1]["message"]["properties"]["answers"]["nps"], 9);
    EXPECT_EQ(rows[1]["message"]["properties"]["answers"]["ces"], 2);
    for (const std::string& text : {list.out, db({"list"}).out}) {
        EXPECT_EQ(text.find("2125550123"), std::string::npos);
        EXPECT_EQ(text.find("Bartholomew"), std::string::npos);
    }
}

TEST_F(Ctl, InvalidInputIsRefusedWithExitTwoAndNothingStored) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"enqueue", "signin", "--phone", "12"},
             {"enqueue", "signin", "--phone", "call me maybe"},
             {"enqueue", "signin", "--email", "not-an-email"},
             {"enqueue", "signin", "--email", "a@b"},
             {"enqueue", "signin", "--member", "bad id!"},
             {"enqueue", "signin", "--phone", "+12125550123", "--email", "a@b.example"},
             {"enqueue", "feedback", "--nps", "11"},
             {"enqueue", "feedback", "--csat", "3"},
             {"enqueue", "feedback", "--nps", "5", "--ces", "0"},
             {"enqueue-demo", "--count", "5", "--kind", "weird"},
             {"purge", "--identity", "fax:123"},
         }) {
        CtlRun r = db(args);
        EXPECT_EQ(r.code, 2) << args[0] << " " << (args.size() > 2 ? args[2] : "") << "\n" << r.err;
        EXPECT_NE(r.err.find("touchpointctl: "), std::string::npos);
    }
    CtlRun status = db({"status", "--json"});
    EXPECT_EQ(nlohmann::json::parse(status.out)["pending"]["count"], 0);
}

TEST_F(Ctl, PurgeFindsAnIdentityWhicheverWayTheNumberIsWritten) {
    ASSERT_EQ(db({"enqueue", "signin", "--phone", "+1 212 555 0123"}).code, 0);
    ASSERT_EQ(db({"enqueue", "signin", "--email", "Pat@Example.COM"}).code, 0);
    ASSERT_EQ(db({"enqueue", "signin", "--member", "M12345"}).code, 0);
    CtlRun purge = db({"purge", "--identity", "phone:(212) 555-0123"});
    ASSERT_EQ(purge.code, 0) << purge.err;
    EXPECT_NE(purge.out.find("purged 1 event"), std::string::npos) << purge.out;
    CtlRun email = db({"purge", "--identity", "email:pat@example.com"});
    EXPECT_NE(email.out.find("purged 1 event"), std::string::npos) << email.out;
    CtlRun none = db({"purge", "--identity", "member:M999"});
    EXPECT_NE(none.out.find("purged 0 event"), std::string::npos);
    auto status = nlohmann::json::parse(db({"status", "--json"}).out);
    EXPECT_EQ(status["pending"]["count"], 1);
    EXPECT_EQ(status["counters"]["purged"], 2);
}

TEST_F(Ctl, DeadLettersListReplayAndDrop) {
    ASSERT_EQ(db({"enqueue-demo", "--count", "30", "--kind", "mixed", "--seed", "7"}).code, 0);
    {
        OutboxOptions o;
        o.path = m_db;
        auto box = Outbox::open(o);
        ASSERT_TRUE(box);
        auto rows = (*box)->listPending(3);
        ASSERT_TRUE(rows);
        ASSERT_TRUE((*box)->deadLetter({(*rows)[0].messageId, (*rows)[1].messageId}, "schema: bad", 400));
    }
    CtlRun list = db({"dead-letter", "list", "--json"});
    ASSERT_EQ(list.code, 0) << list.err;
    auto dead = nlohmann::json::parse(list.out);
    ASSERT_EQ(dead.size(), 2U);
    EXPECT_EQ(dead[0]["reason"], "schema: bad");
    EXPECT_EQ(dead[0]["lastStatus"], 400);
    const auto id = dead[0]["id"].get<std::int64_t>();
    CtlRun replay = db({"dead-letter", "replay", "--id", std::to_string(id)});
    ASSERT_EQ(replay.code, 0) << replay.err;
    EXPECT_NE(replay.out.find("replayed 1"), std::string::npos);
    CtlRun missing = db({"dead-letter", "replay", "--id", "999999"});
    EXPECT_EQ(missing.code, 1);
    EXPECT_NE(missing.err.find("no dead letter"), std::string::npos);
    EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << "one line: " << missing.err;
    CtlRun drop = db({"dead-letter", "drop"});
    ASSERT_EQ(drop.code, 0);
    EXPECT_NE(drop.out.find("dropped 1"), std::string::npos);
    auto status = nlohmann::json::parse(db({"status", "--json"}).out);
    EXPECT_EQ(status["pending"]["count"], 29);
    EXPECT_EQ(status["deadLetters"]["count"], 0);
    EXPECT_EQ(status["counters"]["dead_letter_dropped"], 1);
    CtlRun text = db({"status"});
    EXPECT_NE(text.out.find("dead_letter_dropped"), std::string::npos);
}

TEST_F(Ctl, DemoTrafficIsVariedAndRealistic) {
    CtlRun r = db({"enqueue-demo", "--count", "200", "--kind", "feedback", "--seed", "42"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto rows = nlohmann::json::parse(db({"list", "--limit", "1000", "--json"}).out);
    ASSERT_EQ(rows.size(), 200U);
    std::set<int> scores;
    int promoters = 0, detractors = 0, comments = 0;
    for (const auto& row : rows) {
        const auto& p = row["message"]["properties"];
        const int nps = p["answers"]["nps"];
        scores.insert(nps);
        promoters += nps >= 9 ? 1 : 0;
        detractors += nps <= 6 ? 1 : 0;
        comments += p["hasComment"].get<bool>() ? 1 : 0;
    }
    EXPECT_GE(scores.size(), 8U);
    EXPECT_GT(promoters, detractors) << "retail NPS is usually positive";
    EXPECT_GT(comments, 5);
    EXPECT_LT(comments, 100);
}

TEST_F(Ctl, RuntimeErrorsExitOneWithOneLine) {
    CtlRun r = ctl({"--db", (m_dir / "no" / "such" / "dir" / "outbox.db").string(), "status"});
    EXPECT_EQ(r.code, 1);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.find("usage:"), std::string::npos);
}

TEST_F(Ctl, KioskConfigSuppliesIdsKeysAndTheOutboxPath) {
    const auto conf = m_dir / "kiosk.toml";
    std::ofstream(conf) << "[device]\nstore_id = \"store-0777\"\nkiosk_id = \"kiosk-03\"\nphone_region = \"GB\"\n"
                        << "[outbox]\npath = \"data/outbox.db\"\n"
                        << "[privacy]\nsealing_public_key = \"" << event::generateSealingKeyPair().publicKeyB64
                        << "\"\nidentity_hash_key = \"" << event::IdentityHasher::generateKeyB64() << "\"\n";
    std::filesystem::create_directories(m_dir / "data");
    CtlRun r = ctl({"--config", conf.string(), "enqueue", "signin", "--phone", "020 7946 0018"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.err.find("test defaults"), std::string::npos);
    ASSERT_TRUE(std::filesystem::exists(m_dir / "data" / "outbox.db"));
    CtlRun list = ctl({"--config", conf.string(), "list", "--json"});
    auto rows = nlohmann::json::parse(list.out);
    ASSERT_EQ(rows.size(), 1U);
    EXPECT_EQ(rows[0]["message"]["context"]["storeId"], "store-0777");
    EXPECT_EQ(rows[0]["message"]["context"]["kioskId"], "kiosk-03");
    CtlRun purge = ctl({"--config", conf.string(), "purge", "--identity", "phone:+442079460018"});
    EXPECT_NE(purge.out.find("purged 1"), std::string::npos) << purge.out << purge.err;

    std::ofstream(conf, std::ios::app) << "[ui]\nstill_there_s = 5\n";
    CtlRun bad = ctl({"--config", conf.string(), "enqueue", "signin", "--member", "M-0001"});
    EXPECT_EQ(bad.code, 1);
    EXPECT_NE(bad.err.find("kiosk.toml:11: ui.still_there_s"), std::string::npos) << bad.err;
}

TEST_F(Ctl, BenchEnqueuePrintsOneJsonObject) {
    CtlRun r = ctl({"bench", "enqueue", "--dir", (m_dir / "bench").string(), "--n", "40", "--backlog", "500", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    for (const char* key : {"enqueue_us", "bare_commit_us", "backlog_enqueue_us"}) {
        ASSERT_TRUE(j.contains(key)) << key;
        EXPECT_GT(j[key]["p50"].get<double>(), 0.0);
        EXPECT_GE(j[key]["p99"].get<double>(), j[key]["p50"].get<double>());
    }
    EXPECT_GT(j["ratio_p50"].get<double>(), 0.0);
    EXPECT_GT(j["backlog_vs_empty_ratio_p50"].get<double>(), 0.0);
    EXPECT_EQ(j["backlog"], 500);
    CtlRun missingDir = ctl({"bench", "enqueue", "--json"});
    EXPECT_EQ(missingDir.code, 2);
}

TEST_F(Ctl, BenchEnqueueWhileRetryingRunsTheUploaderAgainstADeadHub) {
    CtlRun r = ctl({"bench", "enqueue", "--dir", (m_dir / "bench").string(), "--n", "40", "--backlog", "500",
                    "--while-retrying", "--retry-ms", "20", "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    ASSERT_TRUE(j.contains("retrying_enqueue_us"));
    EXPECT_GE(j["retrying_enqueue_us"]["p99"].get<double>(), j["retrying_enqueue_us"]["p50"].get<double>());
    EXPECT_GT(j["retrying_vs_bare_ratio_p99"].get<double>(), 0.0);
    EXPECT_GE(j["while_retrying"]["uploader_requests"].get<int>(), 3) << "the uploader must have been retrying";
    EXPECT_EQ(j["while_retrying"]["uploader_cause"], "connect_failed");
}

}  // namespace
}  // namespace touchpoint::outbox
