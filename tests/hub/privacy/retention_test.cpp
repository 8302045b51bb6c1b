// Retention ([retention]) on the backend this suite runs on: comments older than their limit leave the
// feedback row and the stored event (scores stay), staff audit rows and lookup tags older than theirs go, a
// second run removes nothing more, and /metrics counts what went. Time is the job's manual clock.

#include <fstream>
#include <sstream>

#include "api_test_support.hpp"
#include "hub/privacy/retention_job.hpp"

namespace touchpoint::hub::testing {
namespace {

using nlohmann::json;
constexpr std::int64_t kDay = 86'400'000;
constexpr const char* kProbe = "retention-probe-comment about the marmalade aisle";

class HubRetention : public HubApiTest {};

/// The job wired as the hub wires it: the store applies the policy, the metrics count what went.
privacy::RetentionJob retentionJob(HubStore& store, Metrics& metrics, const Clock& clock,
                                   const RetentionConfig& policy) {
    return privacy::RetentionJob(
        [&store](const RetentionConfig& p, std::int64_t nowMs) { return store.applyRetention(p, nowMs); },
        [&metrics](const std::string& kind, std::int64_t rows) { metrics.countRetention(kind, rows); }, clock,
        policy);
}

TEST_F(HubRetention, OldCommentsAndStaffAuditAreRemovedOnceAndCounted) {
    auto k = kiosk("store-1", "k1", m_clock);
    const std::int64_t captured = m_clock.utcMs();
    const std::string day = formatIsoUtcMs(captured).substr(0, 10);
    event::FeedbackAnswers a;
    a.surveyId = "store-visit";
    a.nps = 8;
    a.comment = kProbe;
    const event::Identity phone{event::Identity::Type::Phone, "+12025550166"};
    ASSERT_EQ(send({wire(k.signin("s1", "en-US", event::SigninMethod::Phone, phone, true)),
                    wire(k.feedback("s1", "en-US", a, phone)), wire(k.staffLookup("staff-1", 1, phone))}),
              (std::vector<std::string>(3, "accepted")));
    ASSERT_EQ(get("/v1/profiles/lookup?phone=%2B12025550166", hub().lookupToken()).status, 200);  // one audit row

    RetentionConfig policy;  // the defaults: comments 400 days, staff audit 730
    ManualClock clock(captured + 399 * kDay);
    Metrics metrics;
    auto job = retentionJob(hub().store(), metrics, clock, policy);
    auto early = job.runOnce();
    ASSERT_TRUE(early) << early.error().message;
    EXPECT_EQ(early->removed["comments"], 0);
    EXPECT_EQ(early->removed["staff_audit"], 0);
    const std::string range = "from=" + day + "&to=" + day;
    ASSERT_NE(get("/v1/export/events?format=json&" + range, hub().headOfficeToken()).body.find("marmalade"),
              std::string::npos);

    clock.advanceMs(2 * kDay);  // 401 days after the comment
    auto due = job.runOnce();
    ASSERT_TRUE(due) << due.error().message;
    EXPECT_EQ(due->removed["comments"], 1);
    EXPECT_EQ(due->removed["staff_audit"], 0);
    const auto feedback = get("/v1/export/feedback?format=json&" + range, hub().headOfficeToken()).json();
    ASSERT_EQ(feedback.size(), 1u);
    EXPECT_TRUE(feedback[0]["comment"].is_null());
    EXPECT_EQ(feedback[0]["nps"], 8);  // the fact stays
    const auto events = get("/v1/export/events?format=json&" + range, hub().headOfficeToken());
    EXPECT_EQ(events.body.find("marmalade"), std::string::npos) << events.body;
    EXPECT_NE(events.body.find("Feedback Submitted"), std::string::npos);
    EXPECT_EQ(job.runOnce()->removed["comments"], 0);  // idempotent: nothing twice

    clock.advanceMs(360 * kDay);  // past the staff audit's 730 days
    auto later = job.runOnce();
    ASSERT_TRUE(later) << later.error().message;
    // The lookup's audit row, the staff lookup's tag, and the audit rows of the admin's two events exports
    // above (they showed the stored messages' values).
    EXPECT_EQ(later->removed["staff_audit"], 4);
    EXPECT_TRUE(hub().store().recentAudit(10, "")->empty());

    const auto text = metrics.render("");
    EXPECT_NE(text.find("touchpoint_hub_retention_removed_total{kind=\"comments\"} 1\n"), std::string::npos) << text;
    EXPECT_NE(text.find("touchpoint_hub_retention_removed_total{kind=\"staff_audit\"} 4\n"), std::string::npos);

    if (backendStoreUrl().empty()) {
        // SQLite: the removed comment is not left in the files either.
        for (const char* suffix : {"", "-wal", "-shm"}) {
            std::ifstream in(hub().dir() / (std::string("hub.db") + suffix), std::ios::binary);
            std::stringstream bytes;
            bytes << in.rdbuf();
            EXPECT_EQ(bytes.str().find("marmalade"), std::string::npos) << "hub.db" << suffix;
        }
    }
}

TEST_F(HubRetention, StaffAuditGoesInBatchesAndEachRowIsCountedOnce) {
    // More audit rows than one retention batch holds (500), twice over: welcome greetings and staff lookups
    // of a busy fleet, and three staff lookups' tags.
    constexpr int kAudited = 1'001;
    TokenRecord token;
    token.name = "staff-k1";
    token.kind = "staff";
    token.storeId = "store-1";
    token.kioskId = "k1";
    for (int i = 0; i < kAudited; ++i) {
        ASSERT_TRUE(hub().store().audit(token, i % 2 == 0 ? "lookup" : "welcome", "phone", "", false));
    }
    auto k = kiosk("store-1", "k1", m_clock);
    json lookups = json::array();
    for (int i = 0; i < 3; ++i) {
        lookups.push_back(wire(k.staffLookup("staff-" + std::to_string(i), 1,
                                             {event::Identity::Type::Phone, "+1202555017" + std::to_string(i)})));
    }
    ASSERT_EQ(send(lookups), (std::vector<std::string>(3, "accepted")));

    RetentionConfig policy;
    policy.commentDays = 0;
    // The hub stamps audit rows with the system's clock; the lookups carry the kiosk's (m_clock, earlier).
    ManualClock clock(SystemClock::instance().utcMs() + 731 * kDay);
    Metrics metrics;
    auto job = retentionJob(hub().store(), metrics, clock, policy);
    const auto writerBefore = hub().store().writerTime();  // SQLite's one writer counts its transactions
    auto run = job.runOnce();
    ASSERT_TRUE(run) << run.error().message;
    EXPECT_EQ(run->removed["staff_audit"], kAudited + 3);
    if (writerBefore) {
        // At most 500 rows a transaction: the audit rows took three, the lookups' tags one more (and the log's
        // truncation after the run counts as the writer's too).
        EXPECT_GE(hub().store().writerTime()->transactions - writerBefore->transactions, 4);
    }
    EXPECT_TRUE(hub().store().recentAudit(10, "lookup")->empty());
    EXPECT_TRUE(hub().store().recentAudit(10, "welcome")->empty());
    auto again = job.runOnce();
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(again->removed["staff_audit"], 0);
}

TEST_F(HubRetention, HeadOfficeAuditRowsGoWithTheStaffAudit) {
    // Timelines, exports and erasures are audited in the same table, under the same staff_audit_days.
    TokenRecord admin;
    admin.name = "admin-1";
    admin.kind = "head-office";
    admin.role = "admin";
    ASSERT_TRUE(hub().store().audit(admin, "timeline", "profile", "0123-abcd", true));
    ASSERT_TRUE(hub().store().audit(admin, "export", "events", "", true));
    auto erased = hub().store().eraseProfile("0123-abcd", admin);  // nobody: audited as found=false
    ASSERT_TRUE(erased) << erased.error().message;
    EXPECT_FALSE(*erased);
    ASSERT_EQ(hub().store().recentAudit(10, "")->size(), 3u);

    RetentionConfig policy;
    policy.commentDays = 0;
    Metrics metrics;
    ManualClock clock(SystemClock::instance().utcMs() + 729 * kDay);
    auto job = retentionJob(hub().store(), metrics, clock, policy);
    auto early = job.runOnce();
    ASSERT_TRUE(early) << early.error().message;
    EXPECT_EQ(early->removed["staff_audit"], 0);
    clock.advanceMs(2 * kDay);
    auto due = job.runOnce();
    ASSERT_TRUE(due) << due.error().message;
    EXPECT_EQ(due->removed["staff_audit"], 3);
    EXPECT_TRUE(hub().store().recentAudit(10, "")->empty());
}

TEST(RetentionConfigFile, LimitsAreReadAndChecked) {
    const std::string base =
        "[tls]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\n[store]\nurl = \"sqlite:///tmp/x.db\"\n"
        "[sealing]\nsecret_key_files = [\"a.key\"]\n";
    auto plain = parseHubConfig(base, "hub.toml");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->retention.commentDays, 400);
    EXPECT_EQ(plain->retention.staffAuditDays, 730);
    auto tuned = parseHubConfig(base + "[retention]\ncomments_days = 0\nstaff_audit_days = 90\ninterval_minutes = 15\n",
                                "hub.toml");
    ASSERT_TRUE(tuned) << tuned.error().front();
    EXPECT_EQ(tuned->retention.commentDays, 0);
    EXPECT_EQ(tuned->retention.staffAuditDays, 90);
    EXPECT_EQ(tuned->retention.intervalSeconds, 900);
    auto bad = parseHubConfig(base + "[retention]\ncomments_days = -1\ninterval_minutes = 0\n", "hub.toml");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().at(0), "hub.toml:9: retention.comments_days: must be 0..36600 (0 keeps it)");
    EXPECT_EQ(bad.error().at(1), "hub.toml:10: retention.interval_minutes: must be 1..10080");
}

}  // namespace
}  // namespace touchpoint::hub::testing
