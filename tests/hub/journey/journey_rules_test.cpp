// The journey rules (docs/JOURNEY_RULES.md) on an in-memory repository, without SQL: identity resolution and
// merges, check-in cooldown and velocity, points and tiers, stage changes, tombstoned identifiers.

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "event/message.hpp"
#include "hub/journey/journey_rules.hpp"
#include "memory_journey_repository.hpp"

namespace touchpoint::hub {
namespace {

using nlohmann::json;
using test::MemoryJourneyRepository;

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kDay = 24 * kHour;
constexpr std::int64_t kT0 = 1'795'000'000'000 - (1'795'000'000'000 % kDay) + 9 * kHour;  // 09:00 UTC

class JourneyRulesTest : public ::testing::Test {
protected:
    MemoryJourneyRepository repo;
    JourneyRules rules{LoyaltyConfig{}};
    int next = 0;

    IngestMessage track(std::string_view event, std::int64_t atMs, json properties = json::object(),
                        std::string channel = "in_store_kiosk") {
        IngestMessage m;
        m.type = "track";
        m.messageId = "m" + std::to_string(++next);
        m.event = std::string(event);
        m.channel = std::move(channel);
        m.storeId = "s1";
        m.kioskId = "k1";
        m.timestampMs = m.correctedMs = m.receivedMs = atMs;
        m.properties = std::move(properties);
        return m;
    }

    /// Resolves and applies one message as the ingest transaction does; returns its profile.
    Resolution ingest(const IngestMessage& m) {
        auto r = rules.resolveProfile(repo, m, rules.messageIdentifiers(m));
        EXPECT_TRUE(r) << (r ? "" : r.error().message);
        if (!r) return {};
        auto a = rules.apply(repo, m, r->profileId, r->tombstoned);
        EXPECT_TRUE(a) << (a ? "" : a.error().message);
        return *r;
    }

    std::string signin(const std::string& email, std::int64_t atMs, bool newMember = false) {
        auto r = ingest(track(event::names::kSignin, atMs, {{"email", email}, {"method", "email"}, {"newMember", newMember}}));
        return r.profileId.value_or("");
    }

    const ProfileRow& row(const std::string& id) { return repo.profiles.at(id); }
};

TEST_F(JourneyRulesTest, ANewIdentifierMakesAProfileAndTheSameOneFindsItAgain) {
    auto m = track("Product Viewed", kT0, json::object(), "web");
    m.anonymousId = "anon-1";
    const auto first = ingest(m);
    ASSERT_TRUE(first.profileId);
    EXPECT_EQ(repo.identifiers.at({"anon", "anon-1"}), *first.profileId);
    EXPECT_EQ(row(*first.profileId).stage, "consideration");

    auto again = track("Page Viewed", kT0 + 1000, {{"email", " Ann@Example.COM "}}, "web");
    again.anonymousId = "anon-1";
    const auto second = ingest(again);
    EXPECT_EQ(second.profileId, first.profileId);
    EXPECT_EQ(second.merges, 0);
    // The e-mail is normalised and joins the profile the anonymous id found.
    EXPECT_EQ(repo.identifiers.at({"email", "ann@example.com"}), *first.profileId);
    EXPECT_EQ(repo.profiles.size(), 1u);
}

TEST_F(JourneyRulesTest, AMemberCodeIsReadByTheKiosksRuleAndOneItRefusesIsNoIdentity) {
    auto card = track(event::names::kSignin, kT0, {{"memberId", " AB/1234\n"}, {"method", "member"}});
    EXPECT_EQ(rules.messageIdentifiers(card), (Identifiers{{"member", "AB/1234"}}));  // trimmed, case kept
    const auto signedIn = ingest(card);
    ASSERT_TRUE(signedIn.profileId);
    EXPECT_EQ(repo.identifiers.at({"member", "AB/1234"}), *signedIn.profileId);

    // As with a phone the hub cannot read: the message is stored, the code joins nobody.
    const std::vector<std::string> refused{"M99", "12 34 56", "<script>", "ab\"cd", std::string(65, '7'),
                                           std::string(257, '7')};
    for (const std::string& bad : refused) {
        auto m = track("Page Viewed", kT0 + kHour, {{"memberId", bad}}, "web");
        m.anonymousId = "anon-" + std::to_string(next);
        EXPECT_EQ(rules.messageIdentifiers(m), (Identifiers{{"anon", m.anonymousId}})) << bad;
        const auto r = ingest(m);
        EXPECT_TRUE(r.profileId) << bad;
        EXPECT_TRUE(r.conflicts.empty()) << bad;
        EXPECT_EQ(repo.identifiers.count({"member", bad}), 0u) << bad;
    }
}

TEST_F(JourneyRulesTest, KioskEventsAndMessagesNamingNobodyTouchNoProfile) {
    auto heartbeat = track(event::names::kHeartbeat, kT0);
    heartbeat.userId = "someone";
    EXPECT_FALSE(ingest(heartbeat).profileId);
    auto lookup = track(event::names::kStaffLookup, kT0, {{"email", "x@example.com"}});
    EXPECT_FALSE(ingest(lookup).profileId);
    EXPECT_FALSE(ingest(track("Page Viewed", kT0)).profileId);
    EXPECT_TRUE(repo.profiles.empty());
    EXPECT_TRUE(repo.identifiers.empty());
}

TEST_F(JourneyRulesTest, AnEventTyingTwoProfilesMergesThemIntoTheMember) {
    const auto member = signin("member@example.com", kT0, true);  // a member with 10 points
    auto web = track("Product Viewed", kT0 - kDay, json::object(), "web");  // older, not a member
    web.userId = "web-user";
    const auto visitor = *ingest(web).profileId;
    ASSERT_NE(member, visitor);
    ASSERT_EQ(row(member).points, 10);

    auto tie = track("Order Completed", kT0 + kHour, {{"email", "member@example.com"}}, "web");
    tie.userId = "web-user";
    const auto r = ingest(tie);
    EXPECT_EQ(r.merges, 1);
    EXPECT_EQ(r.profileId, member);  // the member survives although the visitor is older
    EXPECT_EQ(repo.profiles.count(visitor), 0u);
    EXPECT_EQ(repo.identifiers.at({"user", "web-user"}), member);
    EXPECT_EQ(repo.channels.count({visitor, "web"}), 0u);  // the visitor's channel is the member's now
    EXPECT_EQ(repo.channels.at({member, "web"}), std::make_pair(kT0 - kDay, kT0 + kHour));
    EXPECT_EQ(row(member).points, 10);
    EXPECT_EQ(row(member).facts.considered, 2);  // the member's sign-in and the visitor's product view
    EXPECT_EQ(row(member).facts.orders, 1);
    EXPECT_EQ(row(member).facts.visitDays, 1);
}

TEST_F(JourneyRulesTest, WithoutAMemberTheOldestProfileSurvivesAndBalancesAddUp) {
    auto older = track("Page Viewed", kT0 - kDay);
    older.userId = "u-old";
    const auto a = *ingest(older).profileId;
    auto newer = track("Page Viewed", kT0);
    newer.anonymousId = "anon-new";
    const auto b = *ingest(newer).profileId;
    repo.profiles.at(a).points = 5;
    repo.profiles.at(b).points = 7;
    repo.profiles.at(b).latestNps = 9;
    repo.profiles.at(b).latestNpsAtMs = kT0;
    repo.profiles.at(b).facts.latestNps = 9;

    IngestMessage alias = track("", kT0 + 1000);
    alias.type = "alias";
    alias.event.clear();
    alias.userId = "u-old";
    alias.previousId = "anon-new";
    const auto r = ingest(alias);
    EXPECT_EQ(r.merges, 1);
    EXPECT_EQ(r.profileId, a);
    EXPECT_EQ(row(a).points, 12);
    EXPECT_EQ(row(a).latestNps, 9);
    EXPECT_EQ(row(a).stage, "advocacy");
}

TEST_F(JourneyRulesTest, CheckinsEarnOnlyOutsideTheCooldownOnEitherSide) {
    const auto p = signin("c@example.com", kT0, true);
    signin("c@example.com", kT0 + kHour);          // within 3 h after: nothing
    signin("c@example.com", kT0 + 3 * kHour);      // exactly the cooldown later: earns
    signin("c@example.com", kT0 + 2 * kHour - 1);  // offline, arrives late, within 3 h of both earners: nothing
    signin("c@example.com", kT0 - 4 * kHour);      // offline, four hours before the first: earns
    ASSERT_EQ(repo.checkins.size(), 5u);
    std::vector<std::string> reasons;
    for (const auto& c : repo.checkins) reasons.push_back(c.awarded ? "earned" : c.reason);
    EXPECT_EQ(reasons, (std::vector<std::string>{"earned", "cooldown", "earned", "cooldown", "earned"}));
    EXPECT_EQ(row(p).points, 30);
    EXPECT_EQ(row(p).lastCheckinMs, kT0 + 3 * kHour);  // the latest earning one, not the latest to arrive
    EXPECT_EQ(repo.signins.back().awarded, true);
}

TEST_F(JourneyRulesTest, CheckinsBeforeMembershipAreJudgedWhenItArrivesInCaptureOrder) {
    const auto p = signin("late@example.com", kT0 + kHour);
    signin("late@example.com", kT0);
    EXPECT_EQ(row(p).points, 0);
    EXPECT_EQ(repo.checkins[0].reason, "not_member");

    auto consent = track(event::names::kConsent, kT0 + 2 * kHour,
                         {{"email", "late@example.com"}, {"purposes", {"marketing", "loyalty_terms"}}});
    ingest(consent);
    EXPECT_TRUE(row(p).facts.isMember);
    EXPECT_EQ(row(p).memberId.size(), 12u);
    EXPECT_EQ(row(p).memberId.substr(0, 2), "TP");
    EXPECT_EQ(repo.identifiers.at({"member", row(p).memberId}), p);
    // The earlier capture (kT0) earns; the one an hour later falls in its cooldown.
    EXPECT_TRUE(repo.checkins[1].awarded);
    EXPECT_FALSE(repo.checkins[0].awarded);
    EXPECT_EQ(repo.checkins[0].reason, "cooldown");
    EXPECT_EQ(row(p).points, 10);
    EXPECT_EQ(row(p).stage, "purchase");
}

TEST_F(JourneyRulesTest, MoreThanTheDailyVelocitySetsTheFlagAndTwoDaysMakeRetention) {
    const auto p = signin("v@example.com", kT0, true);
    for (int i = 1; i < 5; ++i) signin("v@example.com", kT0 + i * 60'000);
    EXPECT_FALSE(row(p).velocityFlag);  // five in a day is allowed
    EXPECT_EQ(row(p).facts.visitDays, 1);
    EXPECT_EQ(row(p).stage, "purchase");
    signin("v@example.com", kT0 + 6 * 60'000);
    EXPECT_TRUE(row(p).velocityFlag);
    EXPECT_EQ(row(p).points, 10);  // the cooldown still governs points
    signin("v@example.com", kT0 + kDay);
    EXPECT_EQ(row(p).facts.visitDays, 2);
    EXPECT_EQ(row(p).stage, "retention");
}

TEST_F(JourneyRulesTest, PointsFromCheckinsReachTheNextTier) {
    const LoyaltyConfig config;
    const auto p = signin("t@example.com", kT0, true);
    for (int i = 1; i < 20; ++i) signin("t@example.com", kT0 + i * 3 * kHour);
    EXPECT_EQ(row(p).points, 200);
    EXPECT_EQ(tierFor(config, row(p).points).tier, "Silver");
    EXPECT_EQ(tierFor(config, row(p).points - 10).tier, "Bronze");
}

TEST_F(JourneyRulesTest, StageChangesAreRecordedWithTheChannelThatCausedThem) {
    auto view = track("Page Viewed", kT0, json::object(), "web");
    view.userId = "s-user";
    const auto p = *ingest(view).profileId;
    EXPECT_TRUE(repo.transitions.empty());  // a new profile starts at awareness
    auto product = track("Product Viewed", kT0 + 1, json::object(), "app");
    product.userId = "s-user";
    ingest(product);
    auto promoter = track(event::names::kFeedback, kT0 + 2, {{"answers", {{"nps", 10}}}, {"comment", "great"}});
    promoter.userId = "s-user";
    ingest(promoter);
    auto detractor = track(event::names::kFeedback, kT0 + 3, {{"answers", {{"nps", 3}}}});
    detractor.userId = "s-user";
    ingest(detractor);
    auto share = track("Product Shared", kT0 + 4, json::object(), "web");
    share.userId = "s-user";
    ingest(share);
    ASSERT_EQ(repo.transitions.size(), 4u);
    const auto& t = repo.transitions;
    EXPECT_EQ(t[0].from + ">" + t[0].to + "@" + t[0].channel, "awareness>consideration@app");
    EXPECT_EQ(t[1].from + ">" + t[1].to + "@" + t[1].channel, "consideration>advocacy@in_store_kiosk");
    EXPECT_EQ(t[2].from + ">" + t[2].to, "advocacy>consideration");  // a later detractor answer
    EXPECT_EQ(t[3].from + ">" + t[3].to + "@" + t[3].channel, "consideration>advocacy@web");
    EXPECT_EQ(row(p).latestNps, 3);
    EXPECT_EQ(repo.channels.at({p, "web"}), std::make_pair(kT0, kT0 + 4));
    EXPECT_EQ(repo.feedback[0].comment, "great");
}

TEST_F(JourneyRulesTest, AnOlderNpsAnswerArrivingLateDoesNotReplaceTheLatest) {
    auto now = track(event::names::kFeedback, kT0, {{"email", "n@example.com"}, {"answers", {{"nps", 10}}}});
    const auto p = *ingest(now).profileId;
    auto earlier = track(event::names::kFeedback, kT0 - kHour, {{"email", "n@example.com"}, {"answers", {{"nps", 2}}}});
    ingest(earlier);
    EXPECT_EQ(row(p).latestNps, 10);
    auto outOfScale = track(event::names::kFeedback, kT0 + 1, {{"email", "n@example.com"}, {"answers", {{"nps", 11}}}});
    ingest(outOfScale);
    EXPECT_EQ(row(p).latestNps, 10);
    EXPECT_FALSE(repo.feedback.back().nps);  // stored without a score, not rejected
}

TEST_F(JourneyRulesTest, ATombstonedIdentifierKeepsTheFactButNotThePerson) {
    repo.tombstones.insert({"email", "gone@example.com"});
    auto fb = track(event::names::kFeedback, kT0,
                    {{"email", "gone@example.com"}, {"answers", {{"nps", 9}}}, {"comment", "call me on 555"}});
    const auto r = ingest(fb);
    EXPECT_TRUE(r.tombstoned);
    EXPECT_FALSE(r.profileId);
    ASSERT_EQ(repo.feedback.size(), 1u);
    EXPECT_FALSE(repo.feedback[0].profileId);
    EXPECT_FALSE(repo.feedback[0].comment);  // the comment goes with the person
    EXPECT_EQ(repo.feedback[0].nps, 9);      // the score stays
    ingest(track(event::names::kSignin, kT0, {{"email", "gone@example.com"}, {"newMember", true}}));
    EXPECT_TRUE(repo.profiles.empty());
    EXPECT_TRUE(repo.identifiers.empty());
    EXPECT_TRUE(repo.checkins.empty());
    ASSERT_EQ(repo.signins.size(), 1u);
    EXPECT_FALSE(repo.signins[0].awarded);
}

TEST_F(JourneyRulesTest, AnIdentifierClaimedByAnotherProfileMeanwhileIsARetry) {
    // The rules looked the identifier up as unknown; another writer attached it before this one could.
    struct Racing : MemoryJourneyRepository {
        StoreResult<std::optional<std::string>> findProfileId(const Identifier&) override {
            return std::optional<std::string>{};
        }
    } racing;
    racing.identifiers[{"user", "u"}] = "someone-else";
    auto m = track("Page Viewed", kT0);
    m.userId = "u";
    auto r = rules.resolveProfile(racing, m, rules.messageIdentifiers(m));
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().retryable);
}

}  // namespace
}  // namespace touchpoint::hub

namespace touchpoint::hub {
namespace {

TEST_F(JourneyRulesTest, CheckinsCapturedOutsideTheEarnWindowAreKeptButEarnNothingAndMoveNoCooldown) {
    const auto member = signin("ann@example.com", kT0, /*newMember=*/true);
    ASSERT_EQ(row(member).points, 10);
    auto backdated = [&](std::int64_t atMs, std::int64_t receivedMs) {
        auto m = track(event::names::kSignin, atMs, {{"email", "ann@example.com"}, {"method", "email"}});
        m.receivedMs = receivedMs;
        ingest(m);
    };
    // Received 8 h later: one captured 31 days earlier (older than the 30-day window), one 10 minutes ahead
    // of the hub (more than 5 minutes), one in year 0000 (RFC 3339 allows it), one at the int64 extremes.
    const std::int64_t now = kT0 + 8 * kHour;
    backdated(now - 31 * kDay, now);
    backdated(now + 10 * 60'000, now);
    backdated(-62'167'219'200'000, now);
    backdated(std::numeric_limits<std::int64_t>::min(), now);
    backdated(std::numeric_limits<std::int64_t>::max(), now);
    EXPECT_EQ(row(member).points, 10);
    EXPECT_EQ(*row(member).lastCheckinMs, kT0);
    EXPECT_FALSE(row(member).velocityFlag);
    int flagged = 0;
    for (const auto& c : repo.checkins) flagged += c.reason == "out_of_window" && !c.awarded && c.points == 0;
    EXPECT_EQ(flagged, 5);
    // The out-of-window check-ins moved no cooldown: an honest one 4 h after the last earning one earns.
    backdated(now, now);
    EXPECT_EQ(row(member).points, 20);
    // The window's edges: 30 days old and 5 minutes ahead still earn (cooldowns permitting).
    backdated(now - 30 * kDay, now);
    backdated(now + 4 * kHour + 5 * 60'000, now + 4 * kHour);
    EXPECT_EQ(row(member).points, 40);
}

TEST_F(JourneyRulesTest, ACheckinOutsideTheEarnWindowIsNoVisitNowLaterOrInAMerge) {
    const auto member = signin("cy@example.com", kT0, /*newMember=*/true);
    // Captured tomorrow at 09:00, received now: out of the window, and tomorrow's honest first visit must still
    // count as a visit day.
    auto ahead = track(event::names::kSignin, kT0 + kDay, {{"email", "cy@example.com"}, {"method", "email"}});
    ahead.receivedMs = kT0 + kHour;
    ingest(ahead);
    ASSERT_EQ(repo.checkins.back().reason, "out_of_window");
    EXPECT_EQ(row(member).facts.visitDays, 1);
    signin("cy@example.com", kT0 + kDay + kHour);
    EXPECT_EQ(row(member).facts.visitDays, 2);
    EXPECT_EQ(row(member).stage, "retention");

    // A merge recounts the survivor's days: the other's out-of-window check-in (a day of its own) is no visit.
    const auto other = signin("dee@example.com", kT0 + kDay + 2 * kHour, /*newMember=*/true);
    auto stale = track(event::names::kSignin, kT0 - 40 * kDay, {{"email", "dee@example.com"}, {"method", "email"}});
    stale.receivedMs = kT0 + kDay + 2 * kHour;
    ingest(stale);
    ASSERT_NE(other, member);
    auto tie = track("Page Viewed", kT0 + kDay + 3 * kHour, {{"email", "dee@example.com"}}, "server");
    tie.userId = "crm-cy";
    ingest(tie);
    auto tie2 = track("Page Viewed", kT0 + kDay + 3 * kHour, {{"email", "cy@example.com"}}, "server");
    tie2.userId = "crm-cy";
    const auto joined = ingest(tie2);
    ASSERT_EQ(joined.merges, 1);
    EXPECT_EQ(row(*joined.profileId).facts.visitDays, 2);  // kT0's day and the next; not the stale one's
}

TEST_F(JourneyRulesTest, AMergeIsRecordedAndTwoProfilesAnAdminSeparatedAreNotMergedAgain) {
    auto older = track("Page Viewed", kT0 - kDay);
    older.userId = "u-1";
    const auto a = *ingest(older).profileId;
    auto newer = track("Page Viewed", kT0);
    newer.anonymousId = "anon-1";
    const auto b = *ingest(newer).profileId;
    auto tie = track("Page Viewed", kT0 + 1000);
    tie.userId = "u-1";
    tie.anonymousId = "anon-1";
    EXPECT_EQ(ingest(tie).merges, 1);
    ASSERT_EQ(repo.merges.size(), 1u);
    EXPECT_EQ(repo.merges[0], std::make_pair(a, b));  // the older survives

    // After an undo the same tie is refused, recorded as a conflict, and each keeps its own identifiers.
    ProfileRow separated;
    separated.id = b;
    separated.createdMs = kT0;
    separated.stage = "awareness";
    repo.profiles[b] = separated;
    repo.identifiers[{"anon", "anon-1"}] = b;
    repo.undoneMerges.insert({a, b});
    const auto again = ingest(tie);
    EXPECT_EQ(again.merges, 0);
    ASSERT_EQ(again.conflicts.size(), 1u);
    EXPECT_EQ(again.conflicts[0].reason, "merge_undone");
    EXPECT_EQ(repo.merges.size(), 1u);
    EXPECT_EQ(repo.identifiers.at({"anon", "anon-1"}), b);
    EXPECT_EQ(repo.identifiers.at({"user", "u-1"}), a);
}

TEST_F(JourneyRulesTest, APublicSourceAttachesOnlyIdentifiersNobodyHoldsUpToTheLimit) {
    const auto member = signin("ann@example.com", kT0, true);
    auto web = [&](const std::string& anon, json traits) {
        auto m = track("Page Viewed", kT0 + kHour, json::object(), "web");
        m.sourceKind = "web";
        m.anonymousId = anon;
        m.traits = std::move(traits);
        return ingest(m);
    };
    // The member's e-mail named beside the visitor's own id: not attached, not merged, one conflict.
    const auto visitor = web("anon-1", {{"email", "ann@example.com"}, {"phone", "+12025550166"}});
    ASSERT_TRUE(visitor.profileId);
    EXPECT_NE(*visitor.profileId, member);
    EXPECT_EQ(visitor.merges, 0);
    ASSERT_EQ(visitor.conflicts.size(), 1u);
    EXPECT_EQ(visitor.conflicts[0].identifierKind, "email");
    EXPECT_EQ(visitor.conflicts[0].reason, "held_by_another_profile");
    EXPECT_EQ(visitor.conflicts[0].heldBy, member);
    EXPECT_EQ(repo.identifiers.at({"email", "ann@example.com"}), member);
    EXPECT_EQ(repo.identifiers.at({"phone", "+12025550166"}), *visitor.profileId);  // nobody held it
    // A member number is never taken from a public source.
    const auto memberClaim = web("anon-1", {{"memberId", "M-0001"}});  // refused even when nobody holds it
    ASSERT_EQ(memberClaim.conflicts.size(), 1u);
    EXPECT_EQ(memberClaim.conflicts[0].reason, "member_id_from_public_source");
    EXPECT_EQ(repo.identifiers.count({"member", "M-0001"}), 0u);
    // At most five e-mails per profile from public sources.
    for (int i = 0; i < 5; ++i) web("anon-1", {{"email", "v" + std::to_string(i) + "@example.com"}});
    const auto overLimit = web("anon-1", {{"email", "v9@example.com"}});
    ASSERT_EQ(overLimit.conflicts.size(), 1u);
    EXPECT_EQ(overLimit.conflicts[0].reason, "limit_reached");
    EXPECT_EQ(repo.identifiers.count({"email", "v9@example.com"}), 0u);
    // Without an id of its own it joins nobody.
    const auto nobody = web("", {{"email", "w@example.com"}});
    EXPECT_FALSE(nobody.profileId);
    ASSERT_EQ(nobody.conflicts.size(), 1u);
    EXPECT_EQ(nobody.conflicts[0].reason, "names_nobody");
}

class VerifiedIdentifiersTest : public JourneyRulesTest {
protected:
    /// A non-member's sign-in by phone at a kiosk, in kiosk session `session`: its profile.
    std::string kioskSignin(const std::string& session, const std::string& phone, std::string sourceKind = "kiosk") {
        auto m = track(event::names::kSignin, kT0, {{"phone", phone}, {"method", "phone"}, {"newMember", false}});
        m.sourceKind = std::move(sourceKind);
        m.anonymousId = session;
        return ingest(m).profileId.value_or("");
    }

    /// A message of `sourceKind` on its channel naming `anonymousId` and, when not empty, `userId`.
    IngestMessage from(const std::string& sourceKind, const std::string& anonymousId, const std::string& userId = "",
                       json traits = json::object()) {
        auto m = track("Page Viewed", kT0 + kHour, json::object(), sourceKind);
        m.type = "identify";
        m.sourceKind = sourceKind;
        m.anonymousId = anonymousId;
        m.userId = userId;
        m.traits = std::move(traits);
        return m;
    }

    /// An alias of `sourceKind` from `previousId` to its own `anonymousId`.
    IngestMessage alias(const std::string& sourceKind, const std::string& anonymousId, const std::string& previousId) {
        auto m = from(sourceKind, anonymousId);
        m.type = "alias";
        m.previousId = previousId;
        return m;
    }

    bool isVerified(const std::string& kind, const std::string& value) { return repo.verified.count({kind, value}) > 0; }
};

TEST_F(VerifiedIdentifiersTest, AKioskSigninOrConsentVerifiesThePhoneAndEmailItNames) {
    const auto p = kioskSignin("session-a", "+12025550101");
    ASSERT_FALSE(p.empty());
    EXPECT_TRUE(isVerified("phone", "+12025550101"));
    EXPECT_FALSE(isVerified("anon", "session-a"));  // the session's id is no contact a kiosk proved
    EXPECT_TRUE(*repo.holdsVerifiedIdentifier(p));

    // The same sign-in from a server key, and a web visitor's e-mail, verify nothing.
    const auto server = kioskSignin("session-s", "+12025550102", "server");
    EXPECT_FALSE(isVerified("phone", "+12025550102"));
    EXPECT_FALSE(*repo.holdsVerifiedIdentifier(server));
    ingest(from("web", "visitor-1", "", {{"email", "visitor@example.com"}}));
    const auto visitor = repo.identifiers.at({"email", "visitor@example.com"});
    EXPECT_FALSE(isVerified("email", "visitor@example.com"));

    // A kiosk consent naming that e-mail later proves it, on the profile that holds it.
    auto consent = track(event::names::kConsent, kT0 + 2 * kHour,
                         {{"email", "visitor@example.com"}, {"purposes", json::array({"marketing_email"})}});
    consent.sourceKind = "kiosk";
    consent.anonymousId = "session-b";
    EXPECT_EQ(ingest(consent).profileId, visitor);
    EXPECT_TRUE(isVerified("email", "visitor@example.com"));
    EXPECT_TRUE(*repo.holdsVerifiedIdentifier(visitor));
}

TEST_F(VerifiedIdentifiersTest, APublicSourceNeverMergesTwoProfilesWithVerifiedIdentifiers) {
    const auto a = kioskSignin("session-a", "+12025550111");
    const auto b = kioskSignin("session-b", "+12025550112");
    ASSERT_NE(a, b);
    ASSERT_FALSE(row(a).facts.isMember);
    ASSERT_FALSE(row(b).facts.isMember);

    for (const char* kind : {"web", "app"}) {
        const auto r = ingest(alias(kind, "session-a", "session-b"));
        EXPECT_EQ(r.profileId, a) << kind;  // the message's own profile, nothing merged
        EXPECT_EQ(r.merges, 0) << kind;
        ASSERT_EQ(r.conflicts.size(), 1u) << kind;
        EXPECT_EQ(r.conflicts[0].reason, "two_verified_profiles");
        EXPECT_EQ(r.conflicts[0].identifierKind, "");
        EXPECT_EQ(r.conflicts[0].heldBy, b);
    }
    // Through a userId of its own the same: the identify attaches its userId to the first, the alias is refused.
    ingest(from("web", "session-a", "attacker-user"));
    auto viaUser = alias("web", "session-b", "attacker-user");
    const auto r = ingest(viaUser);
    EXPECT_EQ(r.merges, 0);
    ASSERT_EQ(r.conflicts.size(), 1u);
    EXPECT_EQ(r.conflicts[0].reason, "two_verified_profiles");
    EXPECT_EQ(r.conflicts[0].heldBy, a);
    EXPECT_TRUE(repo.merges.empty());
    EXPECT_EQ(repo.identifiers.at({"phone", "+12025550111"}), a);
    EXPECT_EQ(repo.identifiers.at({"phone", "+12025550112"}), b);

    // The retailer's back end and kiosks still join them.
    const auto server = ingest(alias("server", "session-a", "session-b"));
    EXPECT_EQ(server.merges, 1);
    EXPECT_TRUE(server.conflicts.empty());
    EXPECT_EQ(repo.identifiers.at({"phone", "+12025550111"}), repo.identifiers.at({"phone", "+12025550112"}));
    EXPECT_TRUE(isVerified("phone", "+12025550111"));  // the mark stays with each identifier
    EXPECT_TRUE(isVerified("phone", "+12025550112"));
}

TEST_F(VerifiedIdentifiersTest, APublicSourceStillMergesWhenOnlyOneOrNeitherProfileIsVerified) {
    // One side verified: the kiosk shopper's own web visit joins their kiosk profile.
    const auto shopper = kioskSignin("session-c", "+12025550121");
    const auto visit = *ingest(from("web", "web-visitor-c")).profileId;
    ASSERT_NE(shopper, visit);
    const auto one = ingest(alias("web", "web-visitor-c", "session-c"));
    EXPECT_EQ(one.merges, 1);
    EXPECT_TRUE(one.conflicts.empty());
    EXPECT_EQ(repo.identifiers.at({"anon", "web-visitor-c"}), repo.identifiers.at({"phone", "+12025550121"}));

    // A phone a page attached is not verified: with one kiosk-proved side the two still join.
    const auto typed = *ingest(from("web", "web-visitor-d", "", {{"phone", "+12025550122"}})).profileId;
    const auto proved = kioskSignin("session-d", "+12025550123");
    ASSERT_NE(typed, proved);
    const auto withPhone = ingest(alias("web", "web-visitor-d", "session-d"));
    EXPECT_EQ(withPhone.merges, 1);
    EXPECT_TRUE(withPhone.conflicts.empty());

    // Neither verified.
    const auto first = *ingest(from("web", "anon-e")).profileId;
    const auto second = *ingest(from("web", "anon-f", "", {{"email", "f@example.com"}})).profileId;
    ASSERT_NE(first, second);
    const auto none = ingest(alias("web", "anon-e", "anon-f"));
    EXPECT_EQ(none.merges, 1);
    EXPECT_TRUE(none.conflicts.empty());
}

TEST_F(JourneyRulesTest, TheEarnWindowIsConfigurable) {
    LoyaltyConfig narrow;
    narrow.earnWindowDays = 1;
    narrow.earnFutureSeconds = 0;
    rules = JourneyRules(narrow);
    const auto member = signin("bo@example.com", kT0, true);
    auto m = track(event::names::kSignin, kT0 + 4 * kHour - 2 * kDay, {{"email", "bo@example.com"}, {"method", "email"}});
    m.receivedMs = kT0 + 4 * kHour;
    ingest(m);
    EXPECT_EQ(row(member).points, 10);
}

}  // namespace
}  // namespace touchpoint::hub
