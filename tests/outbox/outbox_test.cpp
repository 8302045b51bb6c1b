// The outbox's model: sequence, budget and eviction, receipts, dead letters, erasure, the cooldown log.

#include <gtest/gtest.h>

#include <set>

#include "common/sqlite.hpp"
#include "outbox_fixture.hpp"
#include "temp_dir.hpp"

namespace touchpoint::outbox {
namespace {

using touchpoint::testing::TempDir;
using testing::EventKit;
using testing::openOutbox;

TEST(Outbox, EnqueueAssignsIncreasingSequencesThatSurviveReopen) {
    TempDir dir;
    EventKit kit;
    std::int64_t last = 0;
    {
        auto box = openOutbox(dir / "outbox.db", &kit.clock);
        for (int i = 0; i < 5; ++i) {
            auto m = kit.feedback(9);
            auto r = box->enqueue(m);
            ASSERT_TRUE(r) << r.error().message;
            EXPECT_EQ(r->sequence, last + 1);
            EXPECT_EQ(m.context.sequence, r->sequence);
            last = r->sequence;
        }
    }
    auto box = openOutbox(dir / "outbox.db", &kit.clock);
    auto m = kit.heartbeat();
    auto r = box->enqueue(m);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->sequence, last + 1);
    // The stored payload is the Segment message with the sequence written into its context.
    auto pending = box->listPending(10);
    ASSERT_TRUE(pending);
    ASSERT_EQ(pending->size(), 6U);
    auto parsed = event::fromJson(nlohmann::json::parse(pending->back().payload));
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(parsed->context.sequence, last + 1);
    EXPECT_EQ(parsed->messageId, m.messageId);
    EXPECT_EQ(pending->back().kind, event::EventKind::Heartbeat);
}

TEST(Outbox, StatsReportCountBytesAndOldest) {
    TempDir dir;
    EventKit kit;
    auto box = openOutbox(dir / "outbox.db", &kit.clock);
    auto first = kit.feedback(3);
    const std::int64_t firstTs = first.timestampMs;
    std::int64_t bytes = 0;
    auto r1 = box->enqueue(first);
    ASSERT_TRUE(r1);
    bytes += static_cast<std::int64_t>(r1->bytes);
    kit.clock.advanceMs(1000);
    auto second = kit.phoneSignin();
    auto r2 = box->enqueue(second);
    ASSERT_TRUE(r2);
    bytes += static_cast<std::int64_t>(r2->bytes);
    auto s = box->stats();
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->pendingCount, 2);
    EXPECT_EQ(s->pendingBytes, bytes);
    ASSERT_TRUE(s->oldestPendingMs);
    EXPECT_EQ(*s->oldestPendingMs, firstTs);
    EXPECT_EQ(s->deadLetterCount, 0);
}

TEST(Outbox, RejectsMessagesWithoutIdAndDuplicates) {
    TempDir dir;
    EventKit kit;
    auto box = openOutbox(dir / "outbox.db", &kit.clock);
    auto m = kit.feedback(7);
    ASSERT_TRUE(box->enqueue(m));
    auto again = box->enqueue(m);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().code, OutboxErrc::Invalid);
    event::Message empty = kit.feedback(1);
    empty.messageId.clear();
    auto r = box->enqueue(empty);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, OutboxErrc::Invalid);
    EXPECT_EQ(box->stats()->pendingCount, 1);
}

TEST(Outbox, TooLargeIsRefusedAndCounted) {
    TempDir dir;
    EventKit kit;
    auto box = openOutbox(dir / "outbox.db", &kit.clock);
    auto m = kit.feedback(8);
    m.properties["padding"] = std::string(event::kMaxMessageBytes, 'x');
    auto r = box->enqueue(m);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, OutboxErrc::TooLarge);
    auto s = box->stats();
    EXPECT_EQ(s->pendingCount, 0);
    EXPECT_EQ(s->counters["too_large"], 1);
}

TEST(Outbox, EvictsLowestPriorityThenOldestAndCountsEachEviction) {
    TempDir dir;
    EventKit kit;
    // Measure one row of each kind, then size the budget so the next feedback needs exactly two evictions.
    std::vector<std::pair<std::string, event::Message>> rows;
    rows.emplace_back("feedback_old", kit.feedback(9));
    rows.emplace_back("heartbeat_old", kit.heartbeat());
    rows.emplace_back("abandoned", kit.abandoned());
    rows.emplace_back("heartbeat_new", kit.heartbeat());
    rows.emplace_back("signin", kit.phoneSignin());
    std::int64_t total = 0;
    {
        auto probe = openOutbox(dir / "probe.db", &kit.clock);
        for (auto& [name, m] : rows) {
            auto copy = m;
            total += static_cast<std::int64_t>(probe->enqueue(copy)->bytes);
        }
    }
    auto box = openOutbox(dir / "outbox.db", &kit.clock, total);
    std::map<std::string, std::string> ids;
    for (auto& [name, m] : rows) {
        ASSERT_TRUE(box->enqueue(m)) << name;
        ids[name] = m.messageId;
    }
    // A new feedback of about one heartbeat's size: the OLDER heartbeat goes first.
    auto incoming = kit.heartbeat();
    incoming.kind = event::EventKind::Feedback;
    incoming.priority = event::Priority::Feedback;
    auto r = box->enqueue(incoming);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_FALSE(r->evictedReasons.empty());
    EXPECT_EQ(r->evictedReasons.front(), "evicted_heartbeat");
    auto pending = box->listPending(100);
    std::set<std::string> present;
    for (const auto& p : *pending) present.insert(p.messageId);
    EXPECT_FALSE(present.count(ids["heartbeat_old"]));
    EXPECT_TRUE(present.count(ids["signin"]));
    EXPECT_TRUE(present.count(ids["feedback_old"]));
    EXPECT_TRUE(present.count(incoming.messageId));

    // Make room for something big: everything evictable goes, in order heartbeat < abandoned < feedback.
    auto big = kit.feedback(10);
    big.properties["note"] = std::string(static_cast<std::size_t>(total / 4), 'n');
    auto r2 = box->enqueue(big);
    ASSERT_TRUE(r2) << r2.error().message;
    auto s = box->stats();
    EXPECT_EQ(s->counters["evicted_heartbeat"], 2);
    EXPECT_EQ(s->counters["evicted_feedback_abandoned"], 1);
    EXPECT_GE(s->counters["evicted_feedback"], 1);
    EXPECT_LE(s->pendingBytes, total);
    pending = box->listPending(100);
    present.clear();
    for (const auto& p : *pending) present.insert(p.messageId);
    EXPECT_TRUE(present.count(ids["signin"])) << "sign-ins are never evicted";
}

TEST(Outbox, SigninAtBudgetFailsLoudlyAndLosesNothing) {
    TempDir dir;
    EventKit kit;
    auto first = kit.phoneSignin();
    std::int64_t one = 0;
    {
        auto probe = openOutbox(dir / "probe.db", &kit.clock);
        auto copy = first;
        one = static_cast<std::int64_t>(probe->enqueue(copy)->bytes);
    }
    auto box = openOutbox(dir / "outbox.db", &kit.clock, one * 2 + 10);
    auto a = kit.phoneSignin("+15555550100");
    auto b = kit.phoneSignin("+15555550101");
    ASSERT_TRUE(box->enqueue(a));
    ASSERT_TRUE(box->enqueue(b));
    auto c = kit.phoneSignin("+15555550102");
    auto r = box->enqueue(c);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, OutboxErrc::Full);
    EXPECT_NE(r.error().message.find("full"), std::string::npos);
    // A heartbeat cannot push out a sign-in either.
    auto hb = kit.heartbeat();
    auto rh = box->enqueue(hb);
    ASSERT_FALSE(rh);
    EXPECT_EQ(rh.error().code, OutboxErrc::Full);
    auto s = box->stats();
    EXPECT_EQ(s->pendingCount, 2);
    EXPECT_EQ(s->counters["refused_full_signin"], 1);
    EXPECT_EQ(s->counters["refused_full_heartbeat"], 1);
    EXPECT_EQ(s->counters.count("evicted_signin"), 0U);
}

TEST(Outbox, ReadBatchIsOldestFirstAndBoundedByBytesAndCount) {
    TempDir dir;
    EventKit kit;
    auto box = openOutbox(dir / "outbox.db", &kit.clock);
    std::vector<std::string> ids;
    std::size_t oneRow = 0;
    for (int i = 0; i < 10; ++i) {
        auto m = kit.feedback(i);
        auto r = box->enqueue(m);
        ASSERT_TRUE(r);
        oneRow = std::max(oneRow, r->bytes);
        ids.push_back(m.messageId);
    }
    auto batch = box->readBatch(oneRow * 3, 100);
    ASSERT_TRUE(batch) << batch.error().message;
    ASSERT_EQ(batch->size(), 3U);
    EXPECT_EQ((*batch)[0].messageId, ids[0]);
    EXPECT_EQ((*batch)[2].messageId, ids[2]);
    EXPECT_EQ(box->readBatch(1 << 20, 4)->size(), 4U);
    // At least one row even when maxBytes is smaller than it.
    EXPECT_EQ(box->readBatch(1, 100)->size(), 1U);
}

TEST(Outbox, ReceiptsDeleteAcceptedAndDeadLetterRejected) {
    TempDir dir;
    EventKit kit;
    auto box = openOutbox(dir / "outbox.db", &kit.clock);
    auto a = kit.feedback(10), b = kit.feedback(2), c = kit.feedback(5), d = kit.heartbeat();
    for (auto* m : {&a, &b, &c, &d}) ASSERT_TRUE(box->enqueue(*m));
    ASSERT_TRUE(box->noteAttempt({box->listPending(1)->front().rowId}));
    EXPECT_EQ(box->listPending(1)->front().attempts, 1);
    std::vector<Receipt> receipts{{a.messageId, Receipt::Status::Accepted, ""},
                                  {b.messageId, Receipt::Status::Duplicate, ""},
                                  {c.messageId, Receipt::Status::Rejected, "timestamp: not RFC 3339"},
                                  {"00000000-0000-4000-8000-000000000000", Receipt::Status::Accepted, ""}};
    ASSERT_TRUE(box->applyReceipts(receipts, 200));
    auto pending = box->listPending(10);
    ASSERT_EQ(pending->size(), 1U);
    EXPECT_EQ(pending->front().messageId, d.messageId);
    auto dead = box->listDeadLetters(10);
    ASSERT_EQ(dead->size(), 1U);
    EXPECT_EQ(dead->front().messageId, c.messageId);
    EXPECT_EQ(dead->front().reason, "timestamp: not RFC 3339");
    EXPECT_EQ(dead->front().lastStatus, 200);
    EXPECT_EQ(dead->front().attempts, 1);
    EXPECT_GT(dead->front().lastAttemptMs, 0);
    auto s = box->stats();
    EXPECT_EQ(s->counters["rejected_timestamp"], 1);
    EXPECT_EQ(s->deadLetterCount, 1);
    EXPECT_EQ(s->deadLettersByReason["timestamp: not RFC 3339"], 1);

    // A poison message isolated by the uploader.
    ASSERT_TRUE(box->deadLetter({d.messageId}, "payload refused", 400));
    EXPECT_EQ(box->stats()->pendingCount, 0);
    EXPECT_EQ(box->stats()->deadLetterCount, 2);
}

TEST(Outbox, ReplayKeepsTheOriginalOrderAndDropIsCounted) {
    TempDir dir;
    EventKit kit;
    auto box = openOutbox(dir / "outbox.db", &kit.clock);
    auto a = kit.feedback(1), b = kit.feedback(2), c = kit.feedback(3);
    for (auto* m : {&a, &b, &c}) ASSERT_TRUE(box->enqueue(*m));
    ASSERT_TRUE(box->deadLetter({a.messageId, c.messageId}, "bad", 422));
    auto dead = box->listDeadLetters(10);
    ASSERT_EQ(dead->size(), 2U);
    auto replayed = box->replayDeadLetters(dead->front().id);
    ASSERT_TRUE(replayed);
    EXPECT_EQ(*replayed, 1);
    auto pending = box->listPending(10);
    ASSERT_EQ(pending->size(), 2U);
    EXPECT_EQ(pending->front().messageId, a.messageId) << "a replayed row goes back to its place in the order";
    auto missing = box->replayDeadLetters(99999);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, OutboxErrc::NotFound);
    auto dropped = box->dropDeadLetters(std::nullopt);
    ASSERT_TRUE(dropped);
    EXPECT_EQ(*dropped, 1);
    auto s = box->stats();
    EXPECT_EQ(s->deadLetterCount, 0);
    EXPECT_EQ(s->counters["dead_letter_dropped"], 1);
    EXPECT_EQ(s->counters["dead_letter_replayed"], 1);
    EXPECT_EQ(box->dropDeadLetters(5).error().code, OutboxErrc::NotFound);
}

TEST(Outbox, PurgeRemovesEveryPendingAndDeadLetterOfOneIdentity) {
    TempDir dir;
    EventKit kit;
    auto box = openOutbox(dir / "outbox.db", &kit.clock);
    const event::Identity alice{event::Identity::Type::Phone, "+15555550123"};
    auto s1 = kit.phoneSignin(alice.value);
    auto f1 = kit.feedback(9, "lovely", alice);
    auto s2 = kit.phoneSignin(alice.value);
    auto other = kit.emailSignin("bob@example.com");
    auto anon = kit.feedback(4);
    for (auto* m : {&s1, &f1, &s2, &other, &anon}) ASSERT_TRUE(box->enqueue(*m));
    ASSERT_TRUE(box->deadLetter({s2.messageId}, "bad", 400));
    auto purged = box->purgeIdentity(kit.hash(event::Identity::Type::Phone, alice.value));
    ASSERT_TRUE(purged) << purged.error().message;
    EXPECT_EQ(*purged, 3);
    auto pending = box->listPending(10);
    std::set<std::string> left;
    for (const auto& p : *pending) left.insert(p.messageId);
    EXPECT_EQ(left, (std::set<std::string>{other.messageId, anon.messageId}));
    EXPECT_EQ(box->stats()->deadLetterCount, 0);
    EXPECT_EQ(box->stats()->counters["purged"], 3);
    EXPECT_EQ(*box->purgeIdentity(kit.hash(event::Identity::Type::Phone, alice.value)), 0);
}

TEST(Outbox, SignedInSinceSeesPendingAndDeliveredSigninsUntilPruned) {
    TempDir dir;
    EventKit kit;
    auto box = openOutbox(dir / "outbox.db", &kit.clock);
    const std::string h = kit.hash(event::Identity::Type::Phone, "+15555550123");
    const std::int64_t t0 = kit.clock.utcMs();
    EXPECT_FALSE(*box->signedInSince(h, t0 - 1000));
    auto s = kit.phoneSignin();
    ASSERT_TRUE(box->enqueue(s));
    EXPECT_TRUE(*box->signedInSince(h, t0));
    EXPECT_FALSE(*box->signedInSince(h, t0 + 1));
    // Delivered: the row goes, the cooldown log keeps the hash and capture time.
    ASSERT_TRUE(box->applyReceipts({{s.messageId, Receipt::Status::Accepted, ""}}, 200));
    EXPECT_EQ(box->stats()->pendingCount, 0);
    EXPECT_TRUE(*box->signedInSince(h, t0));
    // 49 hours later the next receipts prune it.
    kit.clock.advanceMs(49LL * 3600 * 1000);
    auto f = kit.feedback(5);
    ASSERT_TRUE(box->enqueue(f));
    ASSERT_TRUE(box->applyReceipts({{f.messageId, Receipt::Status::Accepted, ""}}, 200));
    EXPECT_FALSE(*box->signedInSince(h, t0));
}

TEST(Outbox, PurgeAlsoForgetsTheCooldownLog) {
    TempDir dir;
    EventKit kit;
    auto box = openOutbox(dir / "outbox.db", &kit.clock);
    const std::string h = kit.hash(event::Identity::Type::Email, "a@b.example");
    auto s = kit.emailSignin("a@b.example");
    ASSERT_TRUE(box->enqueue(s));
    ASSERT_TRUE(box->applyReceipts({{s.messageId, Receipt::Status::Accepted, ""}}, 200));
    EXPECT_TRUE(*box->signedInSince(h, 0));
    ASSERT_TRUE(box->purgeIdentity(h));
    EXPECT_FALSE(*box->signedInSince(h, 0));
}

TEST(Outbox, EnqueueBatchIsAllOrNothing) {
    TempDir dir;
    EventKit kit;
    auto box = openOutbox(dir / "outbox.db", &kit.clock);
    std::vector<event::Message> ok{kit.feedback(1), kit.feedback(2), kit.heartbeat()};
    auto r = box->enqueueBatch(ok);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->size(), 3U);
    std::vector<event::Message> bad{kit.feedback(3), kit.feedback(4)};
    bad[1].properties["padding"] = std::string(event::kMaxMessageBytes, 'p');
    auto r2 = box->enqueueBatch(bad);
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().code, OutboxErrc::TooLarge);
    EXPECT_EQ(box->stats()->pendingCount, 3);
}

TEST(Outbox, RunningTotalsAgreeWithTheRowsAfterEveryKindOfChange) {
    TempDir dir;
    EventKit kit;
    std::int64_t one = 0;
    {
        auto probe = openOutbox(dir / "probe.db", &kit.clock);
        auto m = kit.feedback(5);
        one = static_cast<std::int64_t>(probe->enqueue(m)->bytes);
    }
    auto box = openOutbox(dir / "outbox.db", &kit.clock, one * 12);
    auto raw = sqlite::Database::open(dir / "outbox.db", false);
    ASSERT_TRUE(raw);
    std::int64_t lastSequence = 0;
    auto check = [&](const char* step) {
        auto s = box->stats();
        ASSERT_TRUE(s) << step;
        EXPECT_EQ(s->pendingCount, *raw->queryInt("SELECT COUNT(*) FROM pending")) << step;
        EXPECT_EQ(s->pendingBytes, *raw->queryInt("SELECT ifnull(SUM(bytes), 0) FROM pending")) << step;
    };
    std::vector<event::Message> sent;
    for (int i = 0; i < 8; ++i) {
        sent.push_back(i % 4 == 0 ? kit.phoneSignin("+1555555010" + std::to_string(i)) : kit.feedback(i));
        auto r = box->enqueue(sent.back());
        ASSERT_TRUE(r);
        EXPECT_GT(r->sequence, lastSequence);
        lastSequence = r->sequence;
    }
    check("enqueued");
    ASSERT_TRUE(box->applyReceipts({{sent[7].messageId, Receipt::Status::Accepted, ""},
                                    {sent[6].messageId, Receipt::Status::Rejected, "bad: x"}},
                                   200));
    check("newest rows delivered and dead-lettered");
    auto m = kit.feedback(1);
    auto r = box->enqueue(m);
    ASSERT_TRUE(r);
    EXPECT_GT(r->sequence, lastSequence) << "a sequence is never reused, even after the newest rows left";
    lastSequence = r->sequence;
    ASSERT_TRUE(box->replayDeadLetters(std::nullopt));
    check("replayed");
    ASSERT_TRUE(box->purgeIdentity(kit.hash(event::Identity::Type::Phone, "+15555550100")));
    check("purged");
    for (int i = 0; i < 10; ++i) {
        auto f = kit.feedback(9);
        auto e = box->enqueue(f);
        ASSERT_TRUE(e) << e.error().message;
        EXPECT_GT(e->sequence, lastSequence);
        lastSequence = e->sequence;
    }
    check("evicted to stay in budget");
    EXPECT_GT(box->stats()->counters["evicted_feedback"], 0);
    EXPECT_LE(box->stats()->pendingBytes, one * 12);
    // Empty it completely: the next sequence still continues.
    auto all = box->listPending(100);
    std::vector<Receipt> receipts;
    for (const auto& p : *all) receipts.push_back({p.messageId, Receipt::Status::Accepted, ""});
    ASSERT_TRUE(box->applyReceipts(receipts, 200));
    check("emptied");
    EXPECT_EQ(box->stats()->pendingCount, 0);
    box.reset();
    box = openOutbox(dir / "outbox.db", &kit.clock, one * 12);
    auto after = kit.heartbeat();
    EXPECT_EQ(box->enqueue(after)->sequence, lastSequence + 1);
}

TEST(Outbox, ErrorCodesHaveStableNames) {
    EXPECT_EQ(toString(OutboxErrc::DiskFull), "disk_full");
    EXPECT_EQ(toString(OutboxErrc::ReadOnly), "read_only");
    EXPECT_EQ(toString(OutboxErrc::Full), "full");
}

}  // namespace
}  // namespace touchpoint::outbox
