// The whole staff path in the real kiosk binary under Xvfb, driven by its --script driver, against a real
// hub in this process on a loopback port: the hidden corner, a wrong then a right PIN, a loyalty lookup, a
// dead-letter replay that the hub then accepts, sync health, kiosk info and the exit confirmation. Then the
// hub is stopped and a second run looks the same shopper up offline: the last known status with its age.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "common/tls_cert.hpp"
#include "event/kiosk_events.hpp"
#include "event/sealing.hpp"
#include "hub/ephemeral_hub.hpp"
#include "outbox/outbox.hpp"
#include "staff/pin.hpp"
#include "temp_dir.hpp"
#include "uploader/uploader.hpp"

namespace touchpoint::kiosk::staff {
namespace {

/// The hub's kiosk and staff tokens are bound to this test kiosk's store and kiosk ids.
hub::EphemeralHubOptions kioskZeroOne() {
    hub::EphemeralHubOptions o;
    o.storeId = "store-0001";
    o.kioskId = "kiosk-01";
    return o;
}

using namespace std::chrono_literals;
using touchpoint::testing::readFile;
using touchpoint::testing::TempDir;

constexpr const char* kPhone = "+12025550143";

/// Runs a program with its output in `logFile`; kills it after `limit`. Returns the exit status (or -signal).
int runProcess(const std::vector<std::string>& argv, const std::filesystem::path& logFile, std::chrono::seconds limit) {
    const pid_t pid = fork();
    if (pid == 0) {
        const int fd = ::open(logFile.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        setpgid(0, 0);  // xvfb-run and its X server go with the kiosk on a timeout
        std::vector<char*> args;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    const auto until = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > until) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            return -SIGKILL;
        }
        std::this_thread::sleep_for(50ms);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

event::KioskEventFactory factoryFor(const hub::EphemeralHub& hub, const std::string& hashKey, const Clock& clock) {
    return event::KioskEventFactory({"store-0001", "kiosk-01", "UTC", "0.1.0", "boot"},
                                    event::Sealer::fromPublicKeyB64(hub.sealingPublicKeyB64()).value(),
                                    event::IdentityHasher::fromKeyB64(hashKey).value(), clock);
}

class StaffGui : public ::testing::Test {
protected:
    void SetUp() override {
        auto started = hub::EphemeralHub::start(kioskZeroOne());
        ASSERT_TRUE(started) << started.error();
        hubServer = std::move(*started);
        hashKey = event::IdentityHasher::generateKeyB64();
        outboxPath = dir / "outbox.db";
        configPath = dir / "kiosk.toml";
        std::ofstream cfg(configPath);
        cfg << "[device]\nstore_id = \"store-0001\"\nkiosk_id = \"kiosk-01\"\nphone_region = \"US\"\n"
            << "[outbox]\npath = \"" << outboxPath.string() << "\"\n"
            << "[privacy]\nsealing_public_key = \"" << hubServer->sealingPublicKeyB64() << "\"\n"
            << "identity_hash_key = \"" << hashKey << "\"\n"
            << "[hub]\nurl = \"" << hubServer->url() << "\"\ntoken = \"" << hubServer->ingestToken() << "\"\n"
            << "staff_token = \"" << hubServer->lookupToken() << "\"\nca_file = \"" << hubServer->caFile().string()
            << "\"\nbackoff_base_s = 0.2\nbackoff_cap_s = 2.0\nheartbeat_minutes = 60\n"
            << "[ui]\nassets_dir = \"" << touchpoint::testing::sourceAssetsDir().string() << "\"\n"
            << "fullscreen = false\nwidth = 1920\nheight = 1080\n"
            << "[staff]\npin_hashes = [\"" << hashPin("2468").value() << "\"]\n";
    }

    /// A member the hub knows: a sign-in by phone, delivered by an uploader of our own.
    void seedMember() {
        uploader::CurlGlobal curl;
        const auto seedPath = dir / "seed.db";
        {
            auto box = outbox::Outbox::open({seedPath});
            ASSERT_TRUE(box) << box.error().message;
            auto events = factoryFor(*hubServer, hashKey, SystemClock::instance());
            auto m = events.signin("seed-session", "en-US", event::SigninMethod::Phone,
                                   {event::Identity::Type::Phone, kPhone}, true);
            ASSERT_TRUE((*box)->enqueue(m));
        }
        uploader::UploaderOptions uo;
        uo.http.baseUrl = hubServer->url();
        uo.http.caFile = hubServer->caFile();
        uo.token = hubServer->ingestToken();
        uo.outboxPath = seedPath;
        uo.heartbeatInterval = 0ms;
        auto up = uploader::Uploader::create(uo);
        ASSERT_TRUE(up) << up.error();
        (*up)->start();
        ASSERT_EQ((*up)->flush(60s), uploader::FlushResult::Empty);
    }

    /// A feedback event in the kiosk's outbox that an earlier hub refused: staff will replay it.
    std::int64_t seedDeadLetter() {
        auto box = outbox::Outbox::open({outboxPath});
        EXPECT_TRUE(box) << box.error().message;
        auto events = factoryFor(*hubServer, hashKey, SystemClock::instance());
        event::FeedbackAnswers answers;
        answers.surveyId = "store-visit";
        answers.nps = 9;
        auto m = events.feedback("earlier-session", "en-US", answers, std::nullopt);
        replayedId = m.messageId;
        EXPECT_TRUE((*box)->enqueue(m));
        EXPECT_TRUE((*box)->deadLetter({m.messageId}, "answers: refused by an older hub", 400));
        auto letters = (*box)->listDeadLetters(10);
        EXPECT_TRUE(letters);
        return letters && letters->size() == 1 ? (*letters)[0].id : -1;
    }

    int runKiosk(const std::string& name, const std::string& script) {
        const auto scriptPath = dir / (name + ".txt");
        std::ofstream(scriptPath) << script;
        shots = dir / ("shots-" + name);
        std::filesystem::create_directories(shots);
        logPath = dir / (name + ".log");
        const int status = runProcess({"xvfb-run", "-a", "-s", "-screen 0 1920x1080x24", TOUCHPOINT_KIOSK_BIN, "--config",
                           configPath.string(), "--script", scriptPath.string(), "--screenshot-dir", shots.string()},
                          logPath, 240s);
        // TOUCHPOINT_STAFF_SHOTS=<dir> keeps the screenshots (for the README and for looking at them).
        if (const char* keep = std::getenv("TOUCHPOINT_STAFF_SHOTS")) {
            std::error_code ec;
            std::filesystem::create_directories(std::filesystem::path(keep) / name, ec);
            std::filesystem::copy(shots, std::filesystem::path(keep) / name,
                                  std::filesystem::copy_options::overwrite_existing | std::filesystem::copy_options::recursive, ec);
        }
        return status;
    }

    outbox::OutboxStats stats() {
        auto box = outbox::Outbox::open({outboxPath});
        EXPECT_TRUE(box) << box.error().message;
        auto s = (*box)->stats();
        EXPECT_TRUE(s);
        return s ? *s : outbox::OutboxStats{};
    }

    TempDir dir;
    std::unique_ptr<hub::EphemeralHub> hubServer;
    std::string hashKey;
    std::filesystem::path outboxPath, configPath, shots, logPath;
    std::string replayedId;
};

const char* kEnterStaff = R"(hold staff.corner 3000
await staff.pin
shot pin
)";

TEST_F(StaffGui, EveryStaffScreenInEveryLanguageHasEveryGlyph) {
    // The driver fails the script on any frame that drew a character the font atlas lacks; each page is
    // awaited by name, so a page that did not open fails too.
    std::string script;
    for (const std::string l : {"en", "es", "fr", "de", "pt"}) {
        script += "tap lang." + l + "\n" + kEnterStaff + "shot " + l + "-pin\n" +
                  "tap staff.pin.2\ntap staff.pin.4\ntap staff.pin.6\ntap staff.pin.8\ntap staff.pin.ok\n" +
                  "await staff.home 30\nshot " + l + "-home\n" +
                  "tap staff.home.lookup\nawait staff.lookup\ntype 123\ntap staff.lookup.submit\nshot " + l +
                  "-lookup-error\ntap staff.back\n" +
                  "tap staff.home.sync\nawait staff.sync\nshot " + l + "-sync\ntap staff.back\n" +
                  "tap staff.home.dead\nawait staff.dead_letters\nshot " + l + "-dead-letters\ntap staff.back\n" +
                  "tap staff.home.info\nawait staff.info\nshot " + l + "-info\ntap staff.back\n" +
                  "tap staff.home.exit\nawait staff.home.confirm\nshot " + l + "-exit-confirm\ntap staff.confirm.no\n" +
                  "await staff.home\ntap staff.leave\nawait attract\n";
    }
    const int status = runKiosk("languages", script);
    ASSERT_EQ(status, 0) << readFile(logPath);
    std::size_t pngs = 0;
    for (const auto& e : std::filesystem::directory_iterator(shots)) pngs += e.path().extension() == ".png" ? 1 : 0;
    EXPECT_GE(pngs, 5u * 8u);
}

TEST_F(StaffGui, TheWholeStaffPathOnlineThenOffline) {
    seedMember();
    const std::int64_t deadId = seedDeadLetter();
    ASSERT_GT(deadId, 0);

    const std::string online = std::string(kEnterStaff) + R"(tap staff.pin.1
tap staff.pin.1
tap staff.pin.1
tap staff.pin.1
tap staff.pin.ok
await staff.pin.wrong 30
shot wrong-pin
tap staff.pin.2
tap staff.pin.4
tap staff.pin.6
tap staff.pin.8
tap staff.pin.ok
await staff.home 30
shot home
tap staff.home.lookup
await staff.lookup
type 2025550143
tap staff.lookup.submit
await staff.lookup.found 30
shot lookup-found
tap staff.back
tap staff.home.dead
await staff.dead_letters
shot dead-letters
tap staff.dead.replay.)" + std::to_string(deadId) + R"(
await staff.dead_letters.confirm
shot replay-confirm
tap staff.confirm.yes
await staff.dead_letters
shot replayed
flush 30
tap staff.back
tap staff.home.sync
await staff.sync
shot sync-online
tap staff.back
tap staff.home.info
await staff.info
shot info
tap staff.back
tap staff.home.exit
await staff.home.confirm
shot exit-confirm
tap staff.confirm.no
await staff.home
tap staff.home.exit
tap staff.confirm.yes
)";
    const int status = runKiosk("online", online);
    ASSERT_EQ(status, 0) << readFile(logPath);

    // The replayed dead letter reached the hub and nothing is waiting or dead any more; the lookup's audit
    // event went with it.
    const auto s = stats();
    EXPECT_EQ(s.deadLetterCount, 0);
    EXPECT_EQ(s.pendingCount, 0) << readFile(logPath);
    EXPECT_EQ(s.counters.count("dead_letter_dropped"), 0u);
    const std::string log = readFile(logPath);
    EXPECT_NE(log.find("dead letters replayed"), std::string::npos);
    EXPECT_NE(log.find("app exit requested from staff mode"), std::string::npos);
    EXPECT_EQ(log.find("2025550143"), std::string::npos) << "the phone number never reaches the log";
    for (const char* shot : {"pin", "lookup-found", "dead-letters", "replayed", "sync-online", "info"}) {
        bool found = false;
        for (const auto& e : std::filesystem::directory_iterator(shots)) {
            found = found || e.path().filename().string().find(shot) != std::string::npos;
        }
        EXPECT_TRUE(found) << "no screenshot " << shot;
    }
    // The offline cache holds a status for the shopper, keyed by hash: no phone number in it.
    const std::string cache = readFile(dir / "staff-cache.db") + readFile(dir / "staff-cache.db-wal");
    EXPECT_NE(cache.find("Bronze"), std::string::npos);
    EXPECT_EQ(cache.find("2025550143"), std::string::npos);

    // The hub goes away. The next staff session still shows the shopper's last known status, marked.
    hubServer->stop();
    const std::string offline = std::string(kEnterStaff) + R"(tap staff.pin.2
tap staff.pin.4
tap staff.pin.6
tap staff.pin.8
tap staff.pin.ok
await staff.home 30
tap staff.home.lookup
await staff.lookup
type 2025550143
tap staff.lookup.submit
await staff.lookup.cached 60
shot lookup-offline
tap staff.back
tap staff.home.sync
await staff.sync
shot sync-offline
tap staff.back
await staff.home
wait 61
expect attract
shot idle-exit
)" + std::string(kEnterStaff) + R"(expect staff.pin
tap staff.pin.9
tap staff.pin.9
tap staff.pin.9
tap staff.pin.9
tap staff.pin.ok
await staff.pin.wrong 30
tap staff.pin.9
tap staff.pin.9
tap staff.pin.9
tap staff.pin.9
tap staff.pin.ok
await staff.pin.wrong 30
tap staff.pin.9
tap staff.pin.9
tap staff.pin.9
tap staff.pin.9
tap staff.pin.ok
await staff.pin.wrong 30
tap staff.pin.9
tap staff.pin.9
tap staff.pin.9
tap staff.pin.9
tap staff.pin.ok
await staff.pin.wrong 30
tap staff.pin.9
tap staff.pin.9
tap staff.pin.9
tap staff.pin.9
tap staff.pin.ok
await staff.pin.locked 30
shot locked
tap staff.leave
await attract
)";
    const int offlineStatus = runKiosk("offline", offline);
    ASSERT_EQ(offlineStatus, 0) << readFile(logPath);
    // The offline lookup was audited all the same: it waits in the outbox, identifier sealed.
    auto box = outbox::Outbox::open({outboxPath});
    ASSERT_TRUE(box);
    auto pending = (*box)->listPending(100);
    ASSERT_TRUE(pending);
    int audits = 0;
    for (const auto& p : *pending) {
        if (p.kind != event::EventKind::StaffLookup) continue;
        ++audits;
        EXPECT_EQ(p.payload.find("2025550143"), std::string::npos);
        EXPECT_NE(p.payload.find("properties.identifier"), std::string::npos);
    }
    EXPECT_EQ(audits, 1);
    EXPECT_NE(readFile(logPath).find("staff mode timed out"), std::string::npos);

    // The lock survives a restart of the app: the right PIN is refused until the lock has run out.
    const std::string locked = R"(hold staff.corner 3000
await staff.pin.locked
tap staff.pin.2
tap staff.pin.ok
expect staff.pin.locked
shot still-locked
tap staff.leave
await attract
)";
    const int lockedStatus = runKiosk("locked", locked);
    ASSERT_EQ(lockedStatus, 0) << readFile(logPath);
}

}  // namespace
}  // namespace touchpoint::kiosk::staff
