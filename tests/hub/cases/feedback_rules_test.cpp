// The feedback rules (alerts over sliding windows, cases for single answers) on an in-memory repository and a
// manual clock: window edges, minimum counts, late, out-of-order and duplicate messages fire once.

#include "hub/cases/feedback_rules.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "common/clock.hpp"
#include "event/message.hpp"
#include "answer_support.hpp"

namespace touchpoint::hub {
namespace {

using nlohmann::json;

constexpr std::int64_t kMin = 60'000;

/// What the SQL repository keeps, in memory, with the same unique keys.
class MemoryCaseRepository final : public CaseRepository {
  public:
    std::vector<FeedbackAnswer> stored;
    std::vector<FeedbackAnswer> window;  ///< the last answers() read
    std::map<std::string, ContactRequest> contacts;
    std::map<std::tuple<std::string, std::string, std::int64_t, std::string>, AlertRecord> alerts;
    std::map<std::string, CaseOpening> cases;  // by feedback message id
    std::vector<NotificationRequest> notifications;
    std::set<std::pair<std::string, std::string>> notificationKeys;

    StoreResult<std::span<const FeedbackAnswer>> answers(const std::string& store, std::int64_t from,
                                                         std::int64_t to) override {
        window.clear();
        for (const auto& a : stored) {
            if (a.storeId == store && a.atMs >= from && a.atMs <= to) window.push_back(a);
        }
        std::sort(window.begin(), window.end(), [](const auto& x, const auto& y) {
            return std::tie(x.atMs, x.messageId) < std::tie(y.atMs, y.messageId);
        });
        return std::span<const FeedbackAnswer>(window);
    }
    StoreResult<std::optional<FeedbackAnswer>> feedback(const std::string& id) override {
        for (const auto& a : stored) {
            if (a.messageId == id) return std::optional<FeedbackAnswer>(a);
        }
        return std::optional<FeedbackAnswer>{};
    }
    StoreResult<std::set<std::pair<std::string, std::string>>> contactsGiven(
        const std::vector<std::string>& ids) override {
        std::set<std::pair<std::string, std::string>> out;
        for (const auto& id : ids) {
            if (auto it = contacts.find(id); it != contacts.end()) out.emplace(id, it->second.storeId);
        }
        return out;
    }
    StoreResult<bool> saveContact(const ContactRequest& c) override {
        return contacts.emplace(c.feedbackMessageId, c).second;
    }
    StoreResult<bool> recordAlert(const AlertRecord& a) override {
        return alerts.emplace(std::make_tuple(a.rule, a.storeId, a.periodStartMs, a.detail), a).second;
    }
    StoreResult<bool> openCase(const CaseOpening& c) override {
        return cases.emplace(c.feedbackMessageId, c).second;
    }
    StoreResult<void> enqueueNotification(const NotificationRequest& r) override {
        if (notificationKeys.insert({r.refId, r.target}).second) notifications.push_back(r);
        return {};
    }
};

/// Runs the hub's order of things for one batch: dedupe on message id, store the answers (the feedback facts
/// the journey rules write), then the feedback rules on what was newly accepted.
class Harness {
  public:
    explicit Harness(CasesConfig cases, NotificationsConfig notifications = {})
        : m_rules(std::move(cases), std::move(notifications), "US",
                  [this](std::int64_t) { return "id-" + std::to_string(++m_ids); }) {}

    FeedbackRulesOutcome ingest(const std::vector<IngestMessage>& batch) {
        std::vector<const IngestMessage*> accepted;
        for (const auto& m : batch) {
            if (!m_seen.insert(m.messageId).second) continue;  // duplicates never reach the rules
            if (auto a = feedbackAnswerOf(m)) repo.stored.push_back(*a);
            accepted.push_back(&m);
        }
        auto r = m_rules.apply(repo, accepted, clock.utcMs());
        EXPECT_TRUE(r.ok());
        return r.ok() ? *r : FeedbackRulesOutcome{};
    }

    MemoryCaseRepository repo;
    ManualClock clock{1'800'000'000'000};

  private:
    FeedbackRules m_rules;
    std::set<std::string> m_seen;
    int m_ids = 0;
};

IngestMessage answer(const std::string& id, std::int64_t atMs, std::optional<int> nps,
                     const std::string& store = "s1", std::vector<std::string> reasons = {},
                     std::optional<std::string> comment = std::nullopt) {
    IngestMessage m;
    m.type = "track";
    m.event = std::string(event::names::kFeedback);
    m.messageId = id;
    m.storeId = store;
    m.kioskId = "k1";
    m.correctedMs = atMs;
    m.receivedMs = atMs;
    json answers{{"reasons", reasons}};
    if (nps) answers["nps"] = *nps;
    m.properties = {{"answers", answers}, {"misuse", false}};
    if (comment) m.properties["comment"] = *comment;
    return m;
}

IngestMessage contact(const std::string& id, const std::string& feedbackId, std::int64_t atMs,
                      const std::string& store = "s1") {
    IngestMessage m;
    m.type = "track";
    m.event = std::string(event::names::kConsent);
    m.messageId = id;
    m.storeId = store;
    m.kioskId = "k1";
    m.correctedMs = atMs;
    m.receivedMs = atMs;
    m.properties = {{"purposes", {"feedback_contact"}},
                    {"feedbackMessageId", feedbackId},
                    {"phone", "(202) 555-0123"},
                    {"noticeId", "contact"},
                    {"noticeVersion", "1"}};
    return m;
}

CasesConfig shareRule(std::int64_t windowMinutes = 15, std::int64_t minResponses = 4, double share = 0.5) {
    CasesConfig c;
    AlertRule a;
    a.name = "unhappy-share";
    a.kind = AlertKind::UnhappyShare;
    a.windowMinutes = windowMinutes;
    a.minResponses = minResponses;
    a.unhappyShare = share;
    c.alerts.push_back(a);
    return c;
}

// Periods are aligned to the epoch: start the tests at a period's beginning so "inside one window" is clear.
constexpr std::int64_t kT0 = 1'800'000'000'000 / (15 * kMin) * (15 * kMin);

TEST(FeedbackRules, UnhappyShareNeedsTheMinimumCount) {
    Harness h(shareRule());
    h.ingest(
        {answer("a1", kT0 + 1 * kMin, 2), answer("a2", kT0 + 2 * kMin, 3), answer("a3", kT0 + 3 * kMin, 9)});
    EXPECT_TRUE(h.repo.alerts.empty()) << "3 answers are fewer than min_responses = 4";
    h.ingest({answer("a4", kT0 + 4 * kMin, 10)});
    ASSERT_EQ(h.repo.alerts.size(), 1u) << "2 of 4 unhappy is the 50% share";
    const auto& a = h.repo.alerts.begin()->second;
    EXPECT_EQ(a.responses, 4);
    EXPECT_EQ(a.unhappy, 2);
    EXPECT_EQ(a.windowEndMs, kT0 + 4 * kMin);
    EXPECT_EQ(a.periodStartMs, kT0);
}

TEST(FeedbackRules, AnswersThatNameNoStoreAreInNoStoresWindow) {
    Harness h(shareRule());
    // A web or app key's answers name no store: four unhappy ones make no store alert.
    h.ingest({answer("w1", kT0 + 1 * kMin, 0, ""), answer("w2", kT0 + 2 * kMin, 0, ""),
              answer("w3", kT0 + 3 * kMin, 0, ""), answer("w4", kT0 + 4 * kMin, 0, "")});
    EXPECT_TRUE(h.repo.alerts.empty());
    h.ingest({answer("a1", kT0 + 1 * kMin, 0), answer("a2", kT0 + 2 * kMin, 0),
              answer("a3", kT0 + 3 * kMin, 0), answer("a4", kT0 + 4 * kMin, 0)});
    ASSERT_EQ(h.repo.alerts.size(), 1u);
    EXPECT_EQ(h.repo.alerts.begin()->second.storeId, "s1");
    EXPECT_EQ(h.repo.alerts.begin()->second.responses, 4);
}

TEST(FeedbackRules, TheWindowExcludesItsStartAndIncludesItsEnd) {
    Harness h(shareRule());
    // The window ending at a4 is (a1.at, a4.at]: exactly 15 minutes after a1, a1 is no longer in it.
    h.ingest({answer("a1", kT0 + 1 * kMin, 0), answer("a2", kT0 + 2 * kMin, 0),
              answer("a3", kT0 + 3 * kMin, 0), answer("a4", kT0 + 16 * kMin, 0)});
    EXPECT_TRUE(h.repo.alerts.empty()) << "a2, a3, a4: three answers";
    // At the same instant as a4 (ordered after it by message id): the end is inside the window.
    h.ingest({answer("a5", kT0 + 16 * kMin, 0)});
    ASSERT_EQ(h.repo.alerts.size(), 1u);
    const auto& a = h.repo.alerts.begin()->second;
    EXPECT_EQ(a.responses, 4);
    EXPECT_EQ(a.windowStartMs, kT0 + 1 * kMin);
    EXPECT_EQ(a.periodStartMs, kT0 + 15 * kMin) << "the period of the window's end";
}

TEST(FeedbackRules, BelowTheShareNothingFires) {
    Harness h(shareRule(15, 4, 0.75));
    h.ingest({answer("a1", kT0 + kMin, 1), answer("a2", kT0 + 2 * kMin, 1), answer("a3", kT0 + 3 * kMin, 9),
              answer("a4", kT0 + 4 * kMin, 9), answer("a5", kT0 + 5 * kMin, 1),
              answer("a6", kT0 + 6 * kMin, 1)});
    EXPECT_TRUE(h.repo.alerts.empty()) << "at most 4 of 6 unhappy: under 75%";
    h.ingest({answer("a7", kT0 + 7 * kMin, 1)});
    EXPECT_TRUE(h.repo.alerts.empty()) << "5 of 7";
    h.ingest({answer("a8", kT0 + 8 * kMin, 1)});
    ASSERT_EQ(h.repo.alerts.size(), 1u) << "6 of 8 is 75%";
    EXPECT_EQ(h.repo.alerts.begin()->second.unhappy, 6);
}

TEST(FeedbackRules, DuplicatesAndResentBatchesFireOnce) {
    Harness h(shareRule());
    const std::vector<IngestMessage> batch{answer("a1", kT0 + kMin, 0), answer("a2", kT0 + 2 * kMin, 0),
                                           answer("a3", kT0 + 3 * kMin, 0), answer("a4", kT0 + 4 * kMin, 0),
                                           answer("a5", kT0 + 5 * kMin, 0)};
    h.ingest(batch);
    h.ingest(batch);  // the kiosk did not see the receipt and sends again
    h.ingest({batch[2], batch[4]});
    EXPECT_EQ(h.repo.alerts.size(), 1u);
}

TEST(FeedbackRules, LateAndOutOfOrderAnswersFireOncePerPeriodWhateverTheOrder) {
    std::vector<IngestMessage> all;
    for (int i = 0; i < 8; ++i)
        all.push_back(answer("m" + std::to_string(i), kT0 + i * kMin, i % 4 == 3 ? 9 : 1));
    std::vector<std::size_t> order(all.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (int round = 0; round < 20; ++round) {
        std::vector<std::size_t> shuffled = order;
        std::rotate(shuffled.begin(), shuffled.begin() + round % 8, shuffled.end());
        if (round % 2) std::reverse(shuffled.begin(), shuffled.end());
        Harness h(shareRule());
        for (std::size_t i : shuffled) h.ingest({all[i]});  // one message per batch, any order
        h.ingest(all);                                      // and everything again
        ASSERT_EQ(h.repo.alerts.size(), 1u) << "round " << round;
        EXPECT_EQ(h.repo.alerts.begin()->second.periodStartMs, kT0);
    }
}

TEST(FeedbackRules, ALateAnswerCompletesAWindowThatEndsAfterIt) {
    Harness h(shareRule());
    h.ingest(
        {answer("a2", kT0 + 2 * kMin, 0), answer("a3", kT0 + 3 * kMin, 0), answer("a4", kT0 + 4 * kMin, 9)});
    EXPECT_TRUE(h.repo.alerts.empty());
    // Captured before the others, arriving last (a kiosk back online): the window ending at a4 now holds
    // four.
    h.ingest({answer("a1", kT0 + 1 * kMin, 0)});
    ASSERT_EQ(h.repo.alerts.size(), 1u);
    EXPECT_EQ(h.repo.alerts.begin()->second.windowEndMs, kT0 + 4 * kMin);
}

TEST(FeedbackRules, ANewPeriodMayFireAgain) {
    Harness h(shareRule());
    for (int p = 0; p < 3; ++p) {
        std::vector<IngestMessage> b;
        for (int i = 0; i < 4; ++i)
            b.push_back(answer("p" + std::to_string(p) + "-" + std::to_string(i),
                               kT0 + p * 15 * kMin + (i + 1) * kMin, 0));
        h.ingest(b);
    }
    EXPECT_EQ(h.repo.alerts.size(), 3u);
}

TEST(FeedbackRules, StoresAreSeparateAndStoreScopesOverride) {
    CasesConfig c = shareRule();
    AlertRule strict = c.alerts[0];
    strict.stores.patterns = {"north-1"};
    strict.minResponses = 10;  // the same rule, stricter for one store
    c.alerts.push_back(strict);
    Harness h(c);
    std::vector<IngestMessage> b;
    for (int i = 0; i < 4; ++i) {
        b.push_back(answer("s-" + std::to_string(i), kT0 + (i + 1) * kMin, 0, "south-1"));
        b.push_back(answer("n-" + std::to_string(i), kT0 + (i + 1) * kMin, 0, "north-1"));
    }
    h.ingest(b);
    ASSERT_EQ(h.repo.alerts.size(), 1u);
    EXPECT_EQ(h.repo.alerts.begin()->second.storeId, "south-1");
}

TEST(FeedbackRules, DetractorRunCountsConsecutiveAnswers) {
    CasesConfig c;
    c.alerts.push_back(testing::detractorRun(3, 60));
    Harness h(c);
    h.ingest({answer("a1", kT0 + kMin, 0), answer("a2", kT0 + 2 * kMin, 0), answer("a3", kT0 + 3 * kMin, 10),
              answer("a4", kT0 + 4 * kMin, 0)});
    EXPECT_TRUE(h.repo.alerts.empty());
    h.ingest({answer("a5", kT0 + 5 * kMin, 0)});
    EXPECT_TRUE(h.repo.alerts.empty()) << "a3 breaks the run";
    h.ingest({answer("a6", kT0 + 6 * kMin, 6)});  // 6 is a detractor (NPS 0-6)
    EXPECT_EQ(h.repo.alerts.size(), 1u);
}

TEST(FeedbackRules, AFrequentReasonFiresPerReasonWithTheTopReasons) {
    CasesConfig c;
    AlertRule r;
    r.name = "reasons";
    r.kind = AlertKind::FrequentReason;
    r.minCount = 3;
    r.windowMinutes = 30;
    c.alerts.push_back(r);
    NotificationsConfig n;
    WebhookTarget w;
    w.name = "ops";
    n.webhooks.push_back(w);
    Harness h(c, n);
    std::vector<IngestMessage> b;
    for (int i = 0; i < 3; ++i)
        b.push_back(answer("q" + std::to_string(i), kT0 + (i + 1) * kMin, 2, "s1", {"queue", "staff"}));
    b.push_back(answer("x", kT0 + 5 * kMin, 9, "s1", {"price"}));
    h.ingest(b);
    ASSERT_EQ(h.repo.alerts.size(), 2u);  // queue and staff, each once; price only once
    std::set<std::string> reasons;
    for (const auto& [key, a] : h.repo.alerts) {
        reasons.insert(a.detail);
        ASSERT_FALSE(a.topReasons.empty());
        EXPECT_EQ(a.topReasons[0].second, 3);
    }
    EXPECT_EQ(reasons, (std::set<std::string>{"queue", "staff"}));
    ASSERT_EQ(h.repo.notifications.size(), 2u);
    EXPECT_EQ(h.repo.notifications[0].target, "webhook:ops");
    EXPECT_EQ(json::parse(h.repo.notifications[0].payload)["type"], "alert");
}

TEST(FeedbackRules, AContactRequestOpensOneCaseInEitherOrder) {
    for (bool consentFirst : {false, true}) {
        Harness h(CasesConfig{});  // the default rule: a detractor who asked to be contacted
        const auto fb = answer("fb-1", kT0, 3);
        const auto consent = contact("consent-1", "fb-1", kT0 + kMin);
        if (consentFirst) {
            h.ingest({consent});
            EXPECT_TRUE(h.repo.cases.empty()) << "no answer yet";
            h.clock.advanceMs(3 * 86'400'000);  // days apart
            h.ingest({fb});
        } else {
            h.ingest({fb});
            EXPECT_TRUE(h.repo.cases.empty()) << "no consent yet";
            h.ingest({consent});
        }
        h.ingest({consent, fb});                                   // both again
        h.ingest({contact("consent-2", "fb-1", kT0 + 2 * kMin)});  // a second consent for the same answer
        ASSERT_EQ(h.repo.cases.size(), 1u) << consentFirst;
        const auto& c = h.repo.cases.begin()->second;
        EXPECT_EQ(c.kind, "contact_request");
        EXPECT_EQ(c.dueAtMs - c.openedAtMs, 48 * 3'600'000);
        EXPECT_EQ(h.repo.contacts.size(), 1u);
        EXPECT_EQ(h.repo.contacts.begin()->second.value, "+12025550123");  // normalised
        EXPECT_EQ(h.repo.contacts.begin()->second.consentMessageId, "consent-1");
    }
}

TEST(FeedbackRules, AHappyShopperOrAnotherStoresKioskOpensNoCase) {
    Harness h(CasesConfig{});
    h.ingest({answer("happy", kT0, 9), contact("c1", "happy", kT0)});
    h.ingest({answer("sad", kT0, 2, "s1"), contact("c2", "sad", kT0, "s2")});
    h.ingest({contact("c3", "sad-2", kT0, "s2"), answer("sad-2", kT0, 2, "s1")});  // the other order
    EXPECT_TRUE(h.repo.cases.empty());
}

TEST(FeedbackRules, CommentWordsOpenACaseWithoutAContact) {
    CasesConfig c;
    CaseRule words;
    words.name = "words";
    words.kind = CaseKind::CommentWords;
    words.words = {"rude", "dirty"};
    words.slaHours = 4;
    c.rules.push_back(words);
    Harness h(c);
    h.ingest({answer("w1", kT0, 9, "s1", {}, "The fitting room was DIRTY"),
              answer("w2", kT0, 1, "s1", {}, "fine")});
    ASSERT_EQ(h.repo.cases.size(), 1u);
    EXPECT_EQ(h.repo.cases.begin()->first, "w1");
    EXPECT_EQ(h.repo.cases.begin()->second.dueAtMs - h.repo.cases.begin()->second.openedAtMs, 4 * 3'600'000);
    // A contact given later joins that case rather than opening another.
    h.ingest({contact("c-w1", "w1", kT0)});
    EXPECT_EQ(h.repo.cases.size(), 1u);
    EXPECT_EQ(h.repo.contacts.size(), 1u);
}

TEST(FeedbackRules, CaseNotificationsCarryNothingPersonal) {
    NotificationsConfig n;
    n.linkBaseUrl = "https://hub.example.com";
    WebhookTarget w;
    w.name = "ops";
    w.alerts = false;
    n.webhooks.push_back(w);
    SmtpRelay smtp;
    smtp.stores.patterns = {"s*"};
    n.smtp = smtp;
    Harness h(CasesConfig{}, n);
    h.ingest({answer("fb", kT0, 0, "s1", {}, "call me on 202 555 0123"), contact("c", "fb", kT0)});
    ASSERT_EQ(h.repo.notifications.size(), 2u);
    for (const auto& r : h.repo.notifications) {
        // The comment's number as written; a bare "555" could be part of the case id's hex digits.
        EXPECT_EQ(r.payload.find("555 0123"), std::string::npos) << r.payload;
        EXPECT_EQ(r.payload.find("call me"), std::string::npos) << r.payload;
        EXPECT_NE(r.payload.find("https://hub.example.com/v1/cases/"), std::string::npos) << r.payload;
    }
}

TEST(StoreScope, MostSpecificWins) {
    StoreScope all, region{{"north-*"}}, one{{"north-1"}};
    EXPECT_LT(all.specificity("north-1"), region.specificity("north-1"));
    EXPECT_LT(region.specificity("north-1"), one.specificity("north-1"));
    EXPECT_FALSE(region.covers("south-1"));
    EXPECT_FALSE(one.covers("north-10"));
}

}  // namespace
}  // namespace touchpoint::hub
