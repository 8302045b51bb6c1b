// The hub capacity benches (idle-conns, flood, fleet-return) at a tiny size, so they cannot rot: each runs
// against the real hub process, completes, and prints the JSON fields the README's figures come from. The
// figures themselves are not checked (a shared CI machine says nothing about them); what is checked is that
// each run did what it claims: every connection held, every kiosk batch answered with its receipts, every
// message stored exactly once and every outbox emptied. The ingest bench's log report (`--log-pages`, its hub
// in the bench's own process) is checked the same way.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hub_process.hpp"
#include "temp_dir.hpp"

namespace touchpoint::bench {
namespace {

using touchpoint::testing::readFile;
using touchpoint::testing::TempDir;

nlohmann::json runBench(const std::vector<std::string>& args) {
    TempDir dir;
    const auto out = dir / "bench.out";
    const auto err = dir / "bench.err";
    std::vector<std::string> all = args;
    all.push_back("--json");
    const int exit = hub::testing::waitExit(hub::testing::spawnProgram(TOUCHPOINT_BENCH_EXE, all, out, err));
    const std::string text = readFile(out);
    EXPECT_EQ(exit, 0) << text << "\n" << readFile(err).substr(0, 4000);
    auto j = nlohmann::json::parse(text, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << text;
    return j.is_discarded() ? nlohmann::json::object() : j;
}

void expectFields(const nlohmann::json& j, std::initializer_list<const char*> names) {
    for (const char* name : names) EXPECT_TRUE(j.contains(name)) << "missing " << name << " in " << j.dump();
}

TEST(BenchCapacity, IdleConnsHoldsEveryConnectionAndReportsMemoryPerConnection) {
    const auto j = runBench({"idle-conns", "--n", "200"});
    expectFields(j, {"connectionsHeld", "rssBeforeKiB", "rssAfterKiB", "kibPerIdleConnection",
                     "healthzWhileHeldMs", "hubOpenFileLimit"});
    EXPECT_EQ(j.value("connectionsHeld", 0), 200);
    EXPECT_TRUE(j.value("healthzWhileHeldOk", false));
    EXPECT_GT(j.value("rssAfterKiB", 0L), 0L);
    EXPECT_TRUE(j.value("complete", false));
}

TEST(BenchCapacity, FloodStillAnswersEveryKioskBatch) {
    const auto j = runBench({"flood", "--slowloris", "50", "--bombs", "2", "--batches", "20"});
    expectFields(j, {"receiptMsP50", "receiptMsP99", "receiptMsMax", "healthzMsMax", "bombStatuses",
                     "slowlorisHeldAtEnd"});
    EXPECT_EQ(j.value("batchesWithReceipt", 0), 20);
    EXPECT_EQ(j.value("healthzFailed", -1), 0);
    EXPECT_GT(j.value("healthzAnswered", 0), 0);
    // The flood reached the hub: bomb requests were answered with a refusal, not served.
    EXPECT_FALSE(j.value("bombStatuses", nlohmann::json::object()).empty());
    EXPECT_TRUE(j.value("complete", false));
}

TEST(BenchCapacity, HubIngestSaysWhereTheLogPagesWent) {
    const auto j = runBench({"hub-ingest", "--n", "3000", "--log-pages"});
    EXPECT_EQ(j.value("accepted", 0), 3000);
    ASSERT_TRUE(j.contains("logPages")) << j.dump();
    const auto& pages = j["logPages"];
    const auto frames = pages.value("frames", 0L);
    EXPECT_GT(frames, 0);
    EXPECT_GT(pages.value("commits", 0L), 0);
    ASSERT_TRUE(pages["byTree"].is_array());
    std::int64_t listed = 0;
    bool events = false, identifiers = false;
    for (const auto& t : pages["byTree"]) {
        listed += t.value("frames", 0L);
        events = events || t.value("name", "") == "events";
        identifiers = identifiers || t.value("name", "") == "sqlite_autoindex_identifiers_1";
    }
    EXPECT_LE(listed, frames);
    EXPECT_GT(listed, frames / 2);  // the largest trees hold most frames
    // Every stored message is a row of events; every session's shopper a tagged identifier.
    EXPECT_TRUE(events) << pages.dump();
    EXPECT_TRUE(identifiers) << pages.dump();
    // The one writer's time: what bounds the rate when its share of the run nears 1.
    EXPECT_GE(j.value("writerTransactions", 0L), 1) << j.dump();
    const double share = j.value("writerBusyShare", -1.0);
    EXPECT_GT(share, 0.0) << j.dump();
    // A transaction counts when it ends: one that began just before the timed run counts whole.
    EXPECT_LE(share, 1.1) << j.dump();
    EXPECT_GT(j.value("writerCpuMicrosecondsPerEvent", 0.0), 0.0) << j.dump();
    EXPECT_LE(j.value("writerCpuMicrosecondsPerEvent", 0.0), j.value("writerMicrosecondsPerEvent", 0.0)) << j.dump();
}

TEST(BenchCapacity, FleetReturnStoresEveryMessageExactlyOnce) {
    const auto j = runBench({"fleet-return", "--kiosks", "10", "--events", "50"});
    expectFields(j, {"eventsPerS", "seconds", "lost", "doubled", "storeEventRows", "storeDistinctIds",
                     "outboxPendingLeft"});
    EXPECT_EQ(j.value("events", 0), 500);
    EXPECT_EQ(j.value("storeDistinctIds", 0), 500);
    EXPECT_EQ(j.value("storeEventRows", 0), 500);
    EXPECT_EQ(j.value("lost", -1), 0);
    EXPECT_EQ(j.value("doubled", -1), 0);
    EXPECT_EQ(j.value("outboxPendingLeft", -1), 0);
    EXPECT_EQ(j.value("uploadersEmptied", 0), 10);
    EXPECT_TRUE(j.value("complete", false));
}

TEST(BenchCapacity, ConfigPollAnswersEveryPollAndRevalidatesWith304) {
    const auto j = runBench({"config-poll", "--kiosks", "4", "--polls", "10", "--threads", "2"});
    expectFields(j, {"requestsPerS", "share304", "hubCpuUsPerRequest", "seconds"});
    EXPECT_EQ(j.value("requests", 0), 40);
    EXPECT_EQ(j.value("answered200", 0), 4);  // each kiosk's first poll
    EXPECT_EQ(j.value("answered304", 0), 36);
    EXPECT_EQ(j.value("failed", -1), 0);
    EXPECT_TRUE(j.value("complete", false));
}

}  // namespace
}  // namespace touchpoint::bench
