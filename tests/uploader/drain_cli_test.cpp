// `touchpointctl drain` as a real process against the in-process HTTPS hub receiver.
#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "fault_fixture.hpp"

namespace touchpoint::uploader::testing {
namespace {

const CurlGlobal g_curl;

class DrainCliTest : public UploaderFaultTest {
protected:
    std::vector<std::string> drainArgs(const std::string& token) {
        return {TOUCHPOINTCTL, "--db", outboxPath.string(), "drain", "--hub", hub->url(), "--token", token,
                "--ca", caFile, "--json"};
    }
};

TEST_F(DrainCliTest, DrainsEverythingAndReportsTheReceipts) {
    startHub(serverCert());
    const auto ids = enqueue(30);
    hub->rejectMessage(ids[4], "timestamp: not RFC 3339");
    touchpoint::testing::ChildProcess ctl(drainArgs("kiosk-token"));
    ASSERT_TRUE(ctl.readToEnd(60s));
    const int status = ctl.wait();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    const auto report = nlohmann::json::parse(ctl.output());
    EXPECT_EQ(report["eventsSent"], 29);
    EXPECT_EQ(report["eventsRejected"], 1);
    EXPECT_EQ(report["pendingAfter"], 0);
    EXPECT_EQ(report["state"], "online");
    EXPECT_EQ(pending(), 0);
    EXPECT_EQ(hub->stats().accepted, 29);
}

TEST_F(DrainCliTest, ARevokedTokenFailsWithTheCauseAndKeepsTheEvents) {
    startHub(serverCert());
    hub->revokeToken();
    enqueue(5);
    touchpoint::testing::ChildProcess ctl(drainArgs("kiosk-token"));
    ASSERT_TRUE(ctl.readToEnd(60s));
    const int status = ctl.wait();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 1);
    const auto report = nlohmann::json::parse(ctl.output());
    EXPECT_EQ(report["state"], "auth-error");
    EXPECT_EQ(report["pendingAfter"], 5);
    EXPECT_EQ(pending(), 5);
}

TEST_F(DrainCliTest, AnEmptyOutboxIsReportedAsEmptyNotOffline) {
    startHub(serverCert());
    for (const bool untilEmpty : {true, false}) {
        auto args = drainArgs("kiosk-token");
        if (untilEmpty) args.push_back("--until-empty");
        touchpoint::testing::ChildProcess ctl(args);
        ASSERT_TRUE(ctl.readToEnd(60s));
        const int status = ctl.wait();
        ASSERT_TRUE(WIFEXITED(status));
        EXPECT_EQ(WEXITSTATUS(status), 0);
        const auto report = nlohmann::json::parse(ctl.output());
        EXPECT_EQ(report["state"], "empty") << report.dump();
        EXPECT_EQ(report["causeCode"], "outbox_empty");
        EXPECT_NE(report["cause"].get<std::string>().find("outbox is empty"), std::string::npos);
        EXPECT_EQ(report["pendingAfter"], 0);
        EXPECT_EQ(report["requests"], 0);
    }
    EXPECT_EQ(hub->stats().requests, 0);

    // With something to send the hub's state is reported as before.
    enqueue(3);
    touchpoint::testing::ChildProcess ctl(drainArgs("kiosk-token"));
    ASSERT_TRUE(ctl.readToEnd(60s));
    ASSERT_EQ(WEXITSTATUS(ctl.wait()), 0);
    const auto report = nlohmann::json::parse(ctl.output());
    EXPECT_EQ(report["state"], "online");
    EXPECT_EQ(report["causeCode"], "ok");
}

}  // namespace
}  // namespace touchpoint::uploader::testing
