// SIGKILL of an uploader process after the hub recorded its batch but before the local delete: on restart
// the hub answers "duplicate" for every message and the rows go away. Nothing is lost, nothing doubled.
#include "child_process.hpp"
#include "fault_fixture.hpp"

namespace touchpoint::uploader::testing {
namespace {

const CurlGlobal g_curl;

TEST_F(UploaderFaultTest, KilledAfterTheHubRecordedTheBatchIsDuplicateOnRestart) {
    startHub(serverCert());
    hub->setDefaultFault(protocol::Fault::of(protocol::Fault::Kind::RecordThenHang));
    const auto ids = enqueue(40);
    const std::vector<std::string> argv{TOUCHPOINT_UPLOADER_PROCESS, "--db", outboxPath.string(), "--hub", hub->url(),
                                        "--ca", caFile, "--token", "kiosk-token"};
    {
        touchpoint::testing::ChildProcess first(argv);
        ASSERT_TRUE(first.waitForOutput("started", 30s));
        ASSERT_TRUE(hub->waitUntil([](const protocol::HubReceiverStats& s) { return s.batchesRecorded >= 1; }, 60s));
        first.kill();
        const int status = first.wait();
        ASSERT_TRUE(WIFSIGNALED(status));
        EXPECT_EQ(WTERMSIG(status), SIGKILL);
    }
    EXPECT_EQ(pending(), 40);               // the hub has them, the kiosk never heard back
    EXPECT_EQ(hub->stats().accepted, 40);

    hub->setDefaultFault(protocol::Fault::ok());
    auto withUntilEmpty = argv;
    withUntilEmpty.push_back("--until-empty");
    touchpoint::testing::ChildProcess second(withUntilEmpty);
    ASSERT_TRUE(second.waitForOutput("drained", 60s));
    EXPECT_EQ(second.wait(), 0);
    EXPECT_EQ(pending(), 0);
    EXPECT_EQ(hub->stats().duplicates, 40);
    expectDeliveredExactlyOnce(ids);
}

}  // namespace
}  // namespace touchpoint::uploader::testing
