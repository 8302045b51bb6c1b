#include <gtest/gtest.h>

#include "app/staff_status_cache.hpp"
#include "app/uploader_sync.hpp"
#include "common/clock.hpp"
#include "event/kiosk_events.hpp"
#include "event/sealing.hpp"
#include "staff/pin.hpp"
#include "staff/staff_controller.hpp"
#include "staff_fakes.hpp"
#include "temp_dir.hpp"

namespace touchpoint::kiosk::staff {
namespace {

using touchpoint::testing::TempDir;
using Kind = StaffIntent::Kind;

const char* kBody = R"({"found": true, "firstInitial": "R", "tier": "Gold", "points": 1200, "progress": 1.0,
  "journeyStage": "advocacy", "latestNps": {"score": 10, "at": "2026-11-22T10:00:00Z"},
  "lastVisits": {"in_store_kiosk": "2026-11-22T10:00:00Z"}})";

// Hashing is deliberately slow, so the suite hashes its two PINs once.
const std::vector<std::string>& pinHashes() {
    static const std::vector<std::string> hashes = [] {
        return std::vector<std::string>{hashPin("2468").value(), hashPin("13579").value()};
    }();
    return hashes;
}

struct Rig {
    TempDir dir;
    ManualClock clock;
    event::KeyPair keys = event::generateSealingKeyPair();
    event::KioskEventFactory events{event::DeviceIdentity{"store-0001", "kiosk-01", "UTC", "0.1.0", "boot"},
                                    event::Sealer::fromPublicKeyB64(keys.publicKeyB64).value(),
                                    event::IdentityHasher::fromKeyB64(event::IdentityHasher::generateKeyB64()).value(),
                                    clock};
    FakeAudit audit;
    FakeDeadLetters deadLetters;
    FakeSync sync;
    FakeRecovery recovery;
    ScriptedTransport* transport = nullptr;
    std::shared_ptr<LookupService> lookups;

    Rig() {
        auto owned = std::make_unique<ScriptedTransport>();
        transport = owned.get();
        auto cache = app::StatusCache::open({dir / "staff-cache.db"}, clock);
        lookups = std::make_shared<LookupService>(std::move(owned), "staff-token", std::move(cache.value()));
    }

    std::unique_ptr<StaffController> make(std::shared_ptr<LookupService> service = nullptr) {
        StaffSettings settings;
        settings.pinHashes = pinHashes();
        settings.lockoutFile = dir / "staff-lock.json";
        StaffDeps deps;
        deps.clock = &clock;
        deps.events = &events;
        deps.audit = &audit;
        deps.deadLetters = &deadLetters;
        deps.sync = &sync;
        deps.recovery = &recovery;
        deps.lookups = service ? service : lookups;
        deps.identity = {"store-0001", "kiosk-01", "0.1.0", dir / "kiosk.toml", dir / "outbox.db"};
        return std::make_unique<StaffController>(settings, deps);
    }
};

void typePin(StaffController& c, const std::string& pin) {
    for (char d : pin) c.apply(StaffIntent::digit(d));
    c.apply(StaffIntent::of(Kind::PinSubmit));
    c.waitForWorker();
}

void typeLookup(StaffController& c, LookupMode mode, const std::string& text) {
    c.apply(StaffIntent::setMode(mode));
    for (char ch : text) c.apply(StaffIntent::lookupKey(ch));
    c.apply(StaffIntent::of(Kind::LookupSubmit));
}

TEST(StaffController, ARightPinOpensHomeAndAWrongOneCounts) {
    Rig rig;
    auto c = rig.make();
    EXPECT_FALSE(c->isOpen());
    c->apply(StaffIntent::open(StaffPage::Home));
    EXPECT_FALSE(c->isOpen()) << "intents do nothing while closed";
    c->open();
    EXPECT_EQ(c->vm().page, StaffPage::Pin);
    c->apply(StaffIntent::open(StaffPage::SyncHealth));
    EXPECT_EQ(c->vm().page, StaffPage::Pin) << "no page without a PIN";

    typePin(*c, "1111");
    EXPECT_EQ(c->vm().page, StaffPage::Pin);
    EXPECT_TRUE(c->vm().pin.lastWrong);
    EXPECT_EQ(c->vm().pin.attemptsLeft, 4);
    EXPECT_EQ(c->vm().pin.digitsEntered, 0u);

    typePin(*c, "13579");
    EXPECT_EQ(c->vm().page, StaffPage::Home);
    EXPECT_EQ(c->vm().pin.attemptsLeft, 5) << "a right PIN clears the count";
}

TEST(StaffController, ShortPinsCountAsWrong) {
    Rig rig;
    auto c = rig.make();
    c->open();
    typePin(*c, "12");
    EXPECT_TRUE(c->vm().pin.lastWrong);
    EXPECT_EQ(c->vm().pin.attemptsLeft, 4);
}

TEST(StaffController, FiveWrongPinsLockAndTheLockSurvivesARestart) {
    Rig rig;
    {
        auto c = rig.make();
        c->open();
        for (int i = 0; i < 5; ++i) typePin(*c, "0000");
        EXPECT_TRUE(c->vm().pin.locked);
        typePin(*c, "2468");
        EXPECT_EQ(c->vm().page, StaffPage::Pin) << "even the right PIN is refused while locked";
    }
    auto c = rig.make();  // the app restarted
    c->open();
    c->update();
    EXPECT_TRUE(c->vm().pin.locked);
    EXPECT_EQ(c->vm().pin.lockRemainingMs, 5 * 60'000);
    typePin(*c, "2468");
    EXPECT_EQ(c->vm().page, StaffPage::Pin);

    rig.clock.advanceMs(5 * 60'000);
    c->touch();
    c->update();
    EXPECT_FALSE(c->vm().pin.locked);
    typePin(*c, "2468");
    EXPECT_EQ(c->vm().page, StaffPage::Home);
}

TEST(StaffController, LeavingWhileAPinIsCheckedStillCountsTheAttempt) {
    Rig rig;
    auto c = rig.make();
    c->open();
    for (char d : std::string("9999")) c->apply(StaffIntent::digit(d));
    c->apply(StaffIntent::of(Kind::PinSubmit));
    c->close();
    c->waitForWorker();
    EXPECT_FALSE(c->isOpen());
    c->open();
    c->update();
    EXPECT_EQ(c->vm().pin.attemptsLeft, 4);
}

TEST(StaffController, SixtySecondsWithoutATouchLeavesAndWipes) {
    Rig rig;
    rig.transport->answer(200, kBody);
    auto c = rig.make();
    c->open();
    typePin(*c, "2468");
    c->apply(StaffIntent::open(StaffPage::Lookup));
    typeLookup(*c, LookupMode::Phone, "2025550143");
    c->waitForWorker();
    ASSERT_TRUE(c->vm().lookup.result);
    ASSERT_EQ(c->vm().lookup.input, "2025550143");

    rig.clock.advanceMs(59'999);
    c->update();
    EXPECT_TRUE(c->isOpen());
    EXPECT_EQ(c->msUntilIdleExit(), 1);
    c->touch();
    rig.clock.advanceMs(59'999);
    c->update();
    EXPECT_TRUE(c->isOpen()) << "a touch restarts the idle time";
    rig.clock.advanceMs(1);
    c->update();
    EXPECT_FALSE(c->isOpen());
    EXPECT_EQ(c->vm().page, StaffPage::Closed);
    EXPECT_TRUE(c->vm().lookup.input.empty());
    EXPECT_FALSE(c->vm().lookup.result);
    EXPECT_EQ(c->msUntilIdleExit(), std::nullopt);

    // Reopening starts at the PIN pad again, with nothing of the last session.
    c->open();
    EXPECT_EQ(c->vm().page, StaffPage::Pin);
    c->apply(StaffIntent::open(StaffPage::Lookup));
    EXPECT_EQ(c->vm().page, StaffPage::Pin);
}

TEST(StaffController, ALookupIsAuditedWithTheIdentifierSealed) {
    Rig rig;
    rig.transport->answer(200, kBody);
    auto c = rig.make();
    c->open();
    typePin(*c, "13579");  // slot 1
    c->apply(StaffIntent::open(StaffPage::Lookup));
    typeLookup(*c, LookupMode::Phone, "(202) 555-0143");
    EXPECT_TRUE(c->vm().lookup.pending);
    c->waitForWorker();

    ASSERT_EQ(rig.audit.recorded.size(), 1u);
    const event::Message& audit = rig.audit.recorded[0];
    EXPECT_EQ(audit.kind, event::EventKind::StaffLookup);
    EXPECT_EQ(audit.properties["pinSlot"], 1);
    EXPECT_EQ(audit.properties["identityType"], "phone");
    const std::string wire = event::toJson(audit).dump();
    EXPECT_EQ(wire.find("2025550143"), std::string::npos) << wire;
    event::Unsealer unsealer;
    ASSERT_TRUE(unsealer.addSecretKeyB64(rig.keys.secretKeyB64));
    EXPECT_EQ(unsealer.open(audit.sealed.at("properties.identifier")).value(), "+12025550143");

    ASSERT_EQ(rig.transport->paths.size(), 1u);
    EXPECT_EQ(rig.transport->paths[0], "/v1/profiles/lookup?phone=%2B12025550143");
    const auto& result = c->vm().lookup.result;
    ASSERT_TRUE(result);
    EXPECT_FALSE(c->vm().lookup.pending);
    EXPECT_EQ(result->outcome, LookupOutcome::Found);
    EXPECT_EQ(result->status->tier, "Gold");
    EXPECT_EQ(result->identityType, "phone");
    EXPECT_FALSE(result->ageMs);
}

TEST(StaffController, OfflineShowsTheLastKnownStatusWithItsAge) {
    Rig rig;
    rig.transport->answer(200, kBody);
    auto c = rig.make();
    c->open();
    typePin(*c, "2468");
    c->apply(StaffIntent::open(StaffPage::Lookup));
    typeLookup(*c, LookupMode::Email, "Rita@Example.com");
    c->waitForWorker();
    ASSERT_EQ(c->vm().lookup.result->outcome, LookupOutcome::Found);

    rig.clock.advanceMs(45 * 60'000);
    c->touch();
    c->apply(StaffIntent::of(Kind::LookupClear));
    typeLookup(*c, LookupMode::Email, "rita@example.com");  // the script has no answer left: hub down
    c->waitForWorker();
    const auto& result = c->vm().lookup.result;
    ASSERT_TRUE(result);
    EXPECT_EQ(result->outcome, LookupOutcome::Cached);
    EXPECT_EQ(result->problem, LookupProblem::Offline);
    EXPECT_EQ(result->ageMs, 45 * 60'000);
    EXPECT_EQ(result->status->points, 1200);
    EXPECT_EQ(rig.audit.recorded.size(), 2u) << "offline lookups are audited too";
}

TEST(StaffController, ALookupThatCannotBeAuditedIsNotMade) {
    Rig rig;
    rig.audit.failWith = "disk full";
    auto c = rig.make();
    c->open();
    typePin(*c, "2468");
    c->apply(StaffIntent::open(StaffPage::Lookup));
    typeLookup(*c, LookupMode::Card, "M-000123");
    c->waitForWorker();
    EXPECT_EQ(c->vm().lookup.auditProblem, "disk full");
    EXPECT_FALSE(c->vm().lookup.pending);
    EXPECT_FALSE(c->vm().lookup.result);
    EXPECT_TRUE(rig.transport->paths.empty());
}

TEST(StaffController, BadInputIsNamedAndNothingIsSent) {
    Rig rig;
    auto c = rig.make();
    c->open();
    typePin(*c, "2468");
    c->apply(StaffIntent::open(StaffPage::Lookup));
    typeLookup(*c, LookupMode::Phone, "12");
    EXPECT_EQ(c->vm().lookup.inputError, IdentifierError::InvalidPhone);
    EXPECT_TRUE(rig.audit.recorded.empty());
    c->apply(StaffIntent::of(Kind::LookupBackspace));
    EXPECT_FALSE(c->vm().lookup.inputError);
    EXPECT_EQ(c->vm().lookup.input, "1");
}

TEST(StaffController, AResultArrivingAfterLeavingIsDropped) {
    Rig rig;
    auto gated = std::make_unique<GatedTransport>(kBody);
    GatedTransport* gate = gated.get();
    auto service = std::make_shared<LookupService>(std::move(gated), "t", nullptr);
    auto c = rig.make(service);
    c->open();
    typePin(*c, "2468");
    c->apply(StaffIntent::open(StaffPage::Lookup));
    typeLookup(*c, LookupMode::Card, "M-000123");
    EXPECT_TRUE(c->vm().lookup.pending);
    c->apply(StaffIntent::of(Kind::Leave));
    gate->release();
    c->waitForWorker();
    c->open();
    typePin(*c, "2468");
    c->apply(StaffIntent::open(StaffPage::Lookup));
    EXPECT_FALSE(c->vm().lookup.result);
    EXPECT_FALSE(c->vm().lookup.pending);
}

TEST(StaffController, AScanOnTheLookupScreenLooksUpTheCard) {
    Rig rig;
    rig.transport->answer(200, kBody);
    auto c = rig.make();
    c->open();
    typePin(*c, "2468");
    c->apply(StaffIntent::open(StaffPage::Lookup));
    c->apply(StaffIntent::scan("TP-778899"));
    c->waitForWorker();
    EXPECT_EQ(rig.transport->paths.at(0), "/v1/profiles/lookup?member=TP-778899");
    EXPECT_EQ(rig.audit.recorded.at(0).properties["identityType"], "member");
}

TEST(StaffController, DeadLettersAreReplayedOrDroppedOnlyAfterConfirmation) {
    Rig rig;
    rig.deadLetters.rows = {{7, "feedback", "answers.nps: out of range", 200, 1, 1'700'000'000'000},
                            {9, "signin", "timestamp: not RFC 3339", 200, 2, 1'700'000'000'000},
                            {11, "heartbeat", "too large", 413, 1, 1'700'000'000'000}};
    auto c = rig.make();
    c->open();
    typePin(*c, "2468");
    c->apply(StaffIntent::open(StaffPage::DeadLetters));
    ASSERT_EQ(c->vm().deadLetters.rows.size(), 3u);
    EXPECT_EQ(c->vm().deadLetters.rows[0].reason, "answers.nps: out of range");

    c->apply(StaffIntent::withId(Kind::AskReplay, 9));
    EXPECT_EQ(c->vm().confirm.action, ConfirmAction::ReplayOne);
    EXPECT_TRUE(rig.deadLetters.replayed.empty()) << "nothing happens before the confirmation";
    c->apply(StaffIntent::of(Kind::Back));
    EXPECT_EQ(c->vm().page, StaffPage::DeadLetters) << "only confirm/cancel work while asking";
    c->apply(StaffIntent::of(Kind::CancelConfirm));
    EXPECT_EQ(c->vm().confirm.action, ConfirmAction::None);
    EXPECT_TRUE(rig.deadLetters.replayed.empty());

    c->apply(StaffIntent::withId(Kind::AskReplay, 9));
    c->apply(StaffIntent::of(Kind::Confirm));
    ASSERT_EQ(rig.deadLetters.replayed.size(), 1u);
    EXPECT_EQ(rig.deadLetters.replayed[0], 9);
    EXPECT_EQ(rig.sync.syncNowCalls, 1) << "a replay is sent at once";
    EXPECT_EQ(c->vm().deadLetters.rows.size(), 2u);
    EXPECT_EQ(c->vm().deadLetters.lastActionKey, "staff.dead.replayed");
    EXPECT_EQ(c->vm().deadLetters.lastActionCount, 1);

    c->apply(StaffIntent::withId(Kind::AskDrop, 7));
    c->apply(StaffIntent::of(Kind::Confirm));
    EXPECT_EQ(rig.deadLetters.dropped.at(0), 7);
    c->apply(StaffIntent::of(Kind::AskDropAll));
    c->apply(StaffIntent::of(Kind::Confirm));
    EXPECT_EQ(rig.deadLetters.dropped.at(1), std::nullopt);
    EXPECT_TRUE(c->vm().deadLetters.rows.empty());
}

TEST(StaffController, ExitAndUploaderRestartNeedConfirmation) {
    Rig rig;
    auto c = rig.make();
    c->open();
    typePin(*c, "2468");
    c->apply(StaffIntent::of(Kind::AskRestartUploader));
    EXPECT_EQ(rig.sync.restarts, 0);
    c->apply(StaffIntent::of(Kind::Confirm));
    EXPECT_EQ(rig.sync.restarts, 1);
    EXPECT_TRUE(c->vm().uploaderRestarted);

    c->apply(StaffIntent::of(Kind::AskExit));
    EXPECT_FALSE(c->exitRequested());
    c->apply(StaffIntent::of(Kind::CancelConfirm));
    EXPECT_FALSE(c->exitRequested());
    c->apply(StaffIntent::of(Kind::AskExit));
    c->apply(StaffIntent::of(Kind::Confirm));
    EXPECT_TRUE(c->exitRequested());
    EXPECT_FALSE(c->isOpen());
}

TEST(StaffController, SyncHealthAndKioskInfoComeFromTheUploaderAndTheDisk) {
    Rig rig;
    const std::int64_t now = rig.clock.utcMs();
    rig.sync.current.state = SyncState::Offline;
    rig.sync.current.lastError = "cannot connect to the hub";
    rig.sync.current.queueDepth = 42;
    rig.sync.current.oldestPendingUtcMs = now - 3'600'000;
    rig.sync.current.lastSuccessUtcMs = now - 7'200'000;
    rig.sync.current.nextRetryUtcMs = now + 30'000;
    rig.sync.current.drops = {{"evicted_heartbeat", 3}, {"too_large", 1}, {"none", 0}, {"dead_letter_replayed", 5},
                              {"rejected_timestamp", 2}, {"purged", 1}};
    rig.sync.current.clockOffsetMs = 250;
    rig.sync.current.configVersion = 12;
    rig.sync.current.configRefusal = "cfg-13: glyph U+4E2D missing from the kiosk fonts (texts.en.survey.q.nps)";
    auto c = rig.make();
    c->open();
    typePin(*c, "2468");
    c->apply(StaffIntent::open(StaffPage::SyncHealth));
    const SyncHealthVm& sync = c->vm().sync;
    EXPECT_EQ(sync.configVersion, 12);
    EXPECT_EQ(sync.configRefusal, "cfg-13: glyph U+4E2D missing from the kiosk fonts (texts.en.survey.q.nps)");
    EXPECT_EQ(sync.stateKey, "staff.sync.state.offline");
    EXPECT_EQ(sync.queueDepth, 42);
    EXPECT_EQ(sync.oldestPendingAgeMs, 3'600'000);
    EXPECT_EQ(sync.lastSuccessAgoMs, 7'200'000);
    EXPECT_EQ(sync.nextRetryInMs, 30'000);
    ASSERT_EQ(sync.drops.size(), 2u);
    EXPECT_EQ(sync.drops[0].first, "evicted_heartbeat");
    EXPECT_EQ(sync.dropsTotal, 4) << "replays and erasures are not losses";
    ASSERT_EQ(sync.rejections.size(), 1u);
    EXPECT_EQ(sync.rejections[0].first, "timestamp");
    EXPECT_EQ(sync.rejectionsTotal, 2);
    c->apply(StaffIntent::of(Kind::SyncNow));
    EXPECT_EQ(rig.sync.syncNowCalls, 1);
    EXPECT_TRUE(c->vm().syncNowRequested);

    c->apply(StaffIntent::of(Kind::Back));
    c->apply(StaffIntent::open(StaffPage::KioskInfo));
    const KioskInfoVm& info = c->vm().info;
    EXPECT_EQ(info.identity.storeId, "store-0001");
    EXPECT_EQ(info.identity.configPath, rig.dir / "kiosk.toml");
    ASSERT_TRUE(info.freeDiskBytes);
    EXPECT_GT(*info.freeDiskBytes, 0u);
    EXPECT_EQ(info.clockOffsetMs, 250);
    EXPECT_FALSE(info.clockWrong);
}

TEST(StaffController, SetAsideFilesAreRecoveredOnlyAfterConfirmationAndThenSent) {
    Rig rig;
    auto c = rig.make();
    c->open();
    typePin(*c, "2468");
    c->apply(StaffIntent::open(StaffPage::SyncHealth));
    EXPECT_TRUE(c->vm().recovery.available);
    EXPECT_EQ(c->vm().recovery.pendingFiles, 0);
    c->apply(StaffIntent::of(Kind::AskRecover));
    EXPECT_EQ(c->vm().confirm.action, ConfirmAction::None) << "nothing to recover, nothing to ask";

    rig.recovery.pending = 2;
    rig.recovery.outcome = {2, 2988, 12, 12, 0};
    c->apply(StaffIntent::of(Kind::Back));
    c->apply(StaffIntent::open(StaffPage::SyncHealth));
    EXPECT_EQ(c->vm().recovery.pendingFiles, 2);
    c->apply(StaffIntent::of(Kind::AskRecover));
    EXPECT_EQ(c->vm().confirm.action, ConfirmAction::RecoverSetAside);
    c->apply(StaffIntent::of(Kind::CancelConfirm));
    c->waitForWorker();
    EXPECT_EQ(rig.recovery.runs, 0);

    c->apply(StaffIntent::of(Kind::AskRecover));
    c->apply(StaffIntent::of(Kind::Confirm));
    c->waitForWorker();
    EXPECT_EQ(rig.recovery.runs, 1);
    const RecoveryVm& r = c->vm().recovery;
    EXPECT_FALSE(r.running);
    ASSERT_TRUE(r.last);
    EXPECT_EQ(r.last->reenqueued, 2988);
    EXPECT_EQ(r.last->alreadyPresent, 12);
    EXPECT_EQ(r.pendingFiles, 0);
    EXPECT_TRUE(r.problem.empty());
    EXPECT_EQ(rig.sync.syncNowCalls, 1) << "recovered events are sent at once";

    rig.recovery.pending = 1;
    rig.recovery.failWith = "live outbox: disk full";
    c->apply(StaffIntent::of(Kind::Back));
    c->apply(StaffIntent::open(StaffPage::SyncHealth));
    c->apply(StaffIntent::of(Kind::AskRecover));
    c->apply(StaffIntent::of(Kind::Confirm));
    c->waitForWorker();
    EXPECT_EQ(c->vm().recovery.problem, "live outbox: disk full");
    EXPECT_FALSE(c->vm().recovery.last);
    EXPECT_EQ(c->vm().recovery.pendingFiles, 1) << "a failed file stays on offer";
    EXPECT_EQ(rig.sync.syncNowCalls, 1);
}

TEST(StaffSyncHealth, PlainWordsForEachState) {
    SyncSnapshot s;
    s.state = SyncState::Online;
    s.clockOffsetMs = 10 * 60'000;
    EXPECT_EQ(describeSyncHealth(s, 0).state, SyncState::ClockWrong) << "uploads work but the clock is off";
    s.clockOffsetMs = -1000;
    EXPECT_EQ(describeSyncHealth(s, 0).stateKey, "staff.sync.state.online");
    s.state = SyncState::TokenRejected;
    EXPECT_EQ(describeSyncHealth(s, 0).adviceKey, "staff.sync.advice.token_rejected");
    s.state = SyncState::Certificate;
    EXPECT_EQ(describeSyncHealth(s, 0).stateKey, "staff.sync.state.certificate");
    s.queueDepth = 0;
    s.oldestPendingUtcMs = 5;
    EXPECT_FALSE(describeSyncHealth(s, 100).oldestPendingAgeMs) << "no age for an empty queue";

    EXPECT_EQ(formatDuration(42'000), "42 s");
    EXPECT_EQ(formatDuration(5 * 60'000 + 10'000), "5 min");
    EXPECT_EQ(formatDuration(3 * 3'600'000 + 20 * 60'000), "3 h 20 min");
    EXPECT_EQ(formatDuration(2 * 86'400'000LL + 4 * 3'600'000), "2 d 4 h");
    EXPECT_EQ(formatDuration(-90'000), "-1 min");
    EXPECT_EQ(formatBytes(12'345'678'901ULL), "12.3 GB");
    EXPECT_EQ(formatBytes(512'000'000ULL), "512 MB");
}


TEST(StaffSyncHealth, TheUploadersStatesMapToPlainWords) {
    uploader::HealthSnapshot h;
    EXPECT_EQ(app::toSyncSnapshot(h, 0, true).state, SyncState::Starting) << "not contacted yet";
    h.causeCode = "connect_failed";
    EXPECT_EQ(app::toSyncSnapshot(h, 0, true).state, SyncState::Offline);
    h.causeCode = "http_503";
    EXPECT_EQ(app::toSyncSnapshot(h, 0, true).state, SyncState::HubError);
    h.state = uploader::UploaderState::TlsError;
    EXPECT_EQ(app::toSyncSnapshot(h, 0, true).state, SyncState::Certificate);
    h.state = uploader::UploaderState::AuthError;
    EXPECT_EQ(app::toSyncSnapshot(h, 0, true).state, SyncState::TokenRejected);
    h.state = uploader::UploaderState::ClockWrong;
    EXPECT_EQ(app::toSyncSnapshot(h, 0, true).state, SyncState::ClockWrong);
    EXPECT_EQ(app::toSyncSnapshot(h, 0, false).state, SyncState::NotConfigured);
    h.state = uploader::UploaderState::Online;
    h.cause = "ok";
    h.queueDepth = 7;
    h.oldestPendingAgeMs = 1500;
    h.deadLetters = 2;
    h.drops = {{"too_large", 1}};
    const SyncSnapshot s = app::toSyncSnapshot(h, 10'000, true);
    EXPECT_EQ(s.state, SyncState::Online);
    EXPECT_TRUE(s.lastError.empty());
    EXPECT_EQ(s.oldestPendingUtcMs, 8'500);
    EXPECT_EQ(s.deadLetters, 2);
    EXPECT_EQ(s.drops.at("too_large"), 1);
    app::UploaderSyncControl none(nullptr, SystemClock::instance());
    EXPECT_EQ(none.snapshot().state, SyncState::NotConfigured);
    none.syncNow();
    none.restart();
}

}  // namespace
}  // namespace touchpoint::kiosk::staff
