// KioskController on a ManualClock with a fake store and hub: every flow of issue 5, timers included.
#include <gtest/gtest.h>

#include "core/consent_hash.hpp"
#include "core/kiosk_controller.hpp"
#include "core/welcome_store.hpp"
#include "kiosk_fakes.hpp"
#include "temp_dir.hpp"

namespace touchpoint::kiosk {
namespace {

using testing::FakeProfiles;
using testing::FakeStore;
using K = IntentKind;

class FlowTest : public ::testing::Test, protected testing::ControllerParts {
protected:
    FlowTest() { remake(); }

    void remake(bool withHub = true) {
        controller.reset();
        controller = makeController(withHub);
    }
    void tap(K kind) { controller->apply(Intent::of(kind)); }
    void tapText(K kind, const std::string& text) { controller->apply(Intent::withText(kind, text)); }
    void typeDigits(const std::string& digits) {
        for (char c : digits) tapText(K::KeyChar, std::string(1, c));
    }
    void signInByPhone(const std::string& digits = "2025550143") {
        tap(K::Start);
        typeDigits(digits);
        tap(K::SubmitSignIn);
    }
    void hubAnswers(Result<WelcomeInfo, std::string> r) {
        ASSERT_TRUE(profiles.pending);
        profiles.answer(std::move(r));
        queue.drain();
    }
    static WelcomeInfo member(std::optional<std::int64_t> lastCheckinMs = std::nullopt) {
        return testing::memberWelcome(lastCheckinMs);
    }
    void answerSurvey(int nps) {
        controller->apply(Intent::withValue(K::Score, nps));
        tap(K::NextStep);
        if (controller->feedbackVm().step.type == StepType::Choice) {
            tapText(K::ToggleOption, controller->feedbackVm().step.options.front().id);
            tap(K::NextStep);
        }
        controller->apply(Intent::withValue(K::Score, 4));
        tap(K::NextStep);
        controller->apply(Intent::withValue(K::Score, 6));
        tap(K::NextStep);
        for (const char* ch : {"g", "r", "e", "a", "t", " ", "s", "e", "r", "v", "i", "ç", "o"}) tapText(K::KeyChar, ch);
        tap(K::NextStep);
    }

    std::unique_ptr<KioskController> controller;
};

TEST_F(FlowTest, NewMemberConsentsThenIsSignedInAndRecorded) {
    signInByPhone();
    EXPECT_EQ(controller->screen(), ScreenId::Welcome);
    EXPECT_EQ(controller->welcomeVm().state, WelcomeState::Loading);
    ASSERT_EQ(profiles.requests.size(), 1u);
    EXPECT_EQ(profiles.requests[0].value, "+12025550143");
    hubAnswers(WelcomeInfo{});  // found = false
    ASSERT_EQ(controller->screen(), ScreenId::Consent);
    EXPECT_FALSE(controller->consentVm().termsTicked);
    EXPECT_FALSE(controller->consentVm().marketingTicked);  // never pre-ticked
    tap(K::AcceptConsent);  // refused until the terms are ticked
    EXPECT_EQ(controller->screen(), ScreenId::Consent);
    EXPECT_TRUE(store.messages.empty());
    tap(K::ToggleTerms);
    tap(K::AcceptConsent);
    ASSERT_EQ(controller->screen(), ScreenId::Welcome);
    EXPECT_EQ(controller->welcomeVm().state, WelcomeState::NewMember);
    ASSERT_EQ(store.messages.size(), 2u);
    const auto& consent = store.messages[0];
    EXPECT_EQ(consent.kind, event::EventKind::Consent);
    EXPECT_EQ(consent.properties["noticeId"], "loyalty-terms");
    EXPECT_EQ(consent.properties["noticeVersion"], "2026-01");
    EXPECT_EQ(consent.properties["textSha256"], sha256Hex(texts.text("en", "consent.terms_text")));
    EXPECT_EQ(consent.properties["purposes"], nlohmann::json::array({"loyalty_terms"}));
    EXPECT_EQ(consent.context.locale, "en-US");
    const auto& signin = store.messages[1];
    EXPECT_EQ(signin.kind, event::EventKind::Signin);
    EXPECT_EQ(signin.properties["newMember"], true);
    EXPECT_EQ(signin.properties["method"], "phone");
    EXPECT_EQ(signin.anonymousId, controller->sessionId());
    EXPECT_EQ(toJson(signin).dump().find("2025550143"), std::string::npos);  // sealed, never plain
}

TEST(StartingWelcome, FollowsTheLoyaltySettings) {
    NewMemberStart start;
    start.pointsPerVisit = 25;
    start.startingTier = "Green";
    start.nextTier = "Blue";
    start.nextTierPoints = 100;
    start.nextReward = "Tote bag";
    start.nextRewardPoints = 150;
    const auto w = startingWelcome(start);
    EXPECT_TRUE(w.found);
    EXPECT_EQ(w.points, 25);
    EXPECT_EQ(w.tier, "Green");
    EXPECT_EQ(w.nextTier, "Blue");
    EXPECT_EQ(w.pointsToNextTier, 75);
    EXPECT_DOUBLE_EQ(w.progress, 0.25);
    ASSERT_EQ(w.rewards.size(), 1u);
    EXPECT_EQ(w.rewards[0].points, 150);
    start.nextReward.clear();
    start.nextTierPoints = 20;  // this visit alone reaches it: no progress line toward it
    const auto v = startingWelcome(start);
    EXPECT_TRUE(v.rewards.empty());
    EXPECT_TRUE(v.nextTier.empty());
}

TEST_F(FlowTest, ANewMembersWelcomeAsksTheHubAgainForTheBalance) {
    signInByPhone();
    hubAnswers(WelcomeInfo{});  // not a member yet
    tap(K::ToggleTerms);
    tap(K::AcceptConsent);
    ASSERT_EQ(controller->welcomeVm().state, WelcomeState::NewMember);
    EXPECT_FALSE(controller->welcomeVm().info.has_value());
    // At once, before the hub has the sign-up: this visit's points (pending sync), the starting tier, the
    // next tier and the next reward, from the kiosk's own [loyalty] settings.
    {
        const auto preview = controller->welcomeVm().preview;
        ASSERT_TRUE(preview.has_value());
        EXPECT_EQ(preview->pointsPerCheckin, options.newMemberStart.pointsPerVisit);
        EXPECT_EQ(preview->points, options.newMemberStart.pointsPerVisit);
        EXPECT_EQ(preview->tier, options.newMemberStart.startingTier);
        EXPECT_EQ(preview->nextTier, options.newMemberStart.nextTier);
        EXPECT_EQ(preview->pointsToNextTier, options.newMemberStart.nextTierPoints - options.newMemberStart.pointsPerVisit);
        ASSERT_EQ(preview->rewards.size(), 1u);
        EXPECT_EQ(preview->rewards[0].name, options.newMemberStart.nextReward);
    }
    ASSERT_EQ(profiles.requests.size(), 1u);
    // Nothing is asked until the uploader has had a moment to deliver the sign-up.
    ASSERT_TRUE(controller->nextWakeMs().has_value());
    EXPECT_LE(*controller->nextWakeMs(), clock.monotonicMs() + options.balanceRefreshMs);
    controller->tick();
    EXPECT_EQ(profiles.requests.size(), 1u);
    clock.advanceMs(options.balanceRefreshMs);
    controller->tick();
    ASSERT_EQ(profiles.requests.size(), 2u);
    EXPECT_EQ(profiles.requests[1].value, "+12025550143");
    hubAnswers(WelcomeInfo{});  // the hub has not seen the sign-up yet: ask again later
    EXPECT_FALSE(controller->welcomeVm().info.has_value());
    clock.advanceMs(options.balanceRefreshMs);
    controller->tick();
    ASSERT_EQ(profiles.requests.size(), 3u);
    auto fresh = member(clock.utcMs());
    fresh.points = 10;
    hubAnswers(fresh);
    const auto vm = controller->welcomeVm();
    EXPECT_EQ(vm.state, WelcomeState::NewMember);  // still the sign-up welcome, now with the balance
    ASSERT_TRUE(vm.info.has_value());
    EXPECT_EQ(vm.info->points, 10);
    EXPECT_FALSE(vm.infoFromCache);
    EXPECT_FALSE(vm.preview.has_value()) << "the hub's figures replace the kiosk's own";
    EXPECT_EQ(store.of(event::EventKind::Signin).size(), 1u);  // the refresh records nothing
    clock.advanceMs(options.balanceRefreshMs * 5);
    controller->tick();
    EXPECT_EQ(profiles.requests.size(), 3u);  // found: no more asks
}

TEST_F(FlowTest, TheBalanceRefreshGivesUpAfterItsAttemptsAndIgnoresAGoneShopper) {
    signInByPhone();
    hubAnswers(WelcomeInfo{});
    tap(K::ToggleTerms);
    tap(K::AcceptConsent);
    for (int i = 0; i < options.balanceRefreshAttempts; ++i) {
        clock.advanceMs(options.balanceRefreshMs);
        controller->tick();
        hubAnswers(Fail(std::string("ConnectFailed")));
    }
    EXPECT_EQ(profiles.requests.size(), 1u + static_cast<std::size_t>(options.balanceRefreshAttempts));
    clock.advanceMs(options.balanceRefreshMs * 5);
    controller->tick();
    EXPECT_EQ(profiles.requests.size(), 1u + static_cast<std::size_t>(options.balanceRefreshAttempts));
    EXPECT_EQ(controller->welcomeVm().state, WelcomeState::NewMember);

    // A shopper who leaves before the answer: it is dropped, and nothing more is asked for them.
    tap(K::FinishWelcome);
    tap(K::Done);
    signInByPhone("2025550144");
    hubAnswers(WelcomeInfo{});
    tap(K::ToggleTerms);
    tap(K::AcceptConsent);
    clock.advanceMs(options.balanceRefreshMs);
    controller->tick();
    const auto asked = profiles.requests.size();
    tap(K::FinishWelcome);
    hubAnswers(member());
    EXPECT_EQ(controller->screen(), ScreenId::ThankYou);
    clock.advanceMs(options.balanceRefreshMs * 5);
    controller->tick();
    EXPECT_EQ(profiles.requests.size(), asked);
}

TEST_F(FlowTest, NoBalanceRefreshForAMemberConfirmedOffline) {
    signInByPhone();
    hubAnswers(Fail(std::string("Timeout")));
    tap(K::ToggleTerms);
    tap(K::AcceptConsent);
    EXPECT_EQ(controller->welcomeVm().state, WelcomeState::Offline);
    clock.advanceMs(options.balanceRefreshMs * 5);
    controller->tick();
    EXPECT_EQ(profiles.requests.size(), 1u);
}

TEST_F(FlowTest, ConsentHashFollowsTheLanguageShownAndMarketingIsSeparate) {
    tapText(K::ChooseLanguage, "de");
    signInByPhone();
    hubAnswers(WelcomeInfo{});
    tap(K::ToggleTerms);
    tap(K::ToggleMarketing);
    tap(K::AcceptConsent);
    const auto& consent = store.messages.at(0);
    EXPECT_EQ(consent.properties["textSha256"], sha256Hex(texts.text("de", "consent.terms_text")));
    EXPECT_NE(consent.properties["textSha256"], sha256Hex(texts.text("en", "consent.terms_text")));
    EXPECT_EQ(consent.properties["purposes"], nlohmann::json::array({"loyalty_terms", "marketing_email"}));
    EXPECT_EQ(consent.context.locale, "de-US");
}

TEST_F(FlowTest, DecliningConsentRecordsNothingAndContinuesAnonymously) {
    signInByPhone();
    hubAnswers(WelcomeInfo{});
    tap(K::DeclineConsent);
    EXPECT_EQ(controller->screen(), ScreenId::Feedback);
    answerSurvey(9);
    ASSERT_EQ(store.messages.size(), 1u);
    EXPECT_EQ(store.messages[0].kind, event::EventKind::Feedback);
    EXPECT_TRUE(store.messages[0].identityHashes.empty());
}

TEST_F(FlowTest, KnownMemberOnlineEarnsAndFeedbackIsTiedToThem) {
    signInByPhone();
    hubAnswers(member());
    ASSERT_EQ(controller->welcomeVm().state, WelcomeState::Member);
    ASSERT_EQ(store.messages.size(), 1u);
    EXPECT_EQ(store.messages[0].properties["newMember"], false);
    tap(K::StartFeedback);
    answerSurvey(4);
    ASSERT_EQ(controller->screen(), ScreenId::Contact);  // a detractor is asked whether we may contact them
    tap(K::SkipContact);
    ASSERT_EQ(controller->screen(), ScreenId::ThankYou);
    const auto feedback = store.of(event::EventKind::Feedback);
    ASSERT_EQ(feedback.size(), 1u);
    const auto& p = feedback[0].properties;
    EXPECT_EQ(p["answers"]["nps"], 4);
    EXPECT_EQ(p["answers"]["csat"], 4);
    EXPECT_EQ(p["answers"]["ces"], 6);
    EXPECT_EQ(p["answers"]["reasons"], nlohmann::json::array({"wait_time"}));
    EXPECT_EQ(p["misuse"], false);
    EXPECT_EQ(p["hasComment"], true);
    EXPECT_TRUE(feedback[0].sealed.count("properties.comment"));
    EXPECT_EQ(feedback[0].identityHashes, store.messages[0].identityHashes);
}

TEST_F(FlowTest, HubCooldownMeansAlreadyCheckedInAndNoSecondSignin) {
    signInByPhone();
    hubAnswers(member(clock.utcMs() - 3600 * 1000));  // an hour ago, cooldown 3 h
    EXPECT_EQ(controller->welcomeVm().state, WelcomeState::Cooldown);
    EXPECT_TRUE(store.messages.empty());
    tap(K::FinishWelcome);  // nothing recorded: no "thank you", straight back to attract
    EXPECT_EQ(controller->screen(), ScreenId::Attract);
}

TEST_F(FlowTest, LocalCooldownCatchesASigninTheHubHasNotSeenYet) {
    signInByPhone();
    hubAnswers(member(clock.utcMs() - 5 * 3600 * 1000));
    ASSERT_EQ(store.of(event::EventKind::Signin).size(), 1u);
    tap(K::FinishWelcome);
    tap(K::Done);
    clock.advanceMs(60 * 1000);
    signInByPhone("(202) 555-0143");
    EXPECT_GE(store.lastSince, clock.utcMs() - options.cooldownMs - 1);
    hubAnswers(member(clock.utcMs() - 5 * 3600 * 1000));  // the hub still has the old check-in
    EXPECT_EQ(controller->welcomeVm().state, WelcomeState::Cooldown);
    EXPECT_EQ(store.of(event::EventKind::Signin).size(), 1u);
    // After the cooldown the same member earns again.
    tap(K::Cancel);
    clock.advanceMs(options.cooldownMs);
    signInByPhone();
    hubAnswers(member(clock.utcMs() - options.cooldownMs - 60'000));
    EXPECT_EQ(controller->welcomeVm().state, WelcomeState::Member);
    EXPECT_EQ(store.of(event::EventKind::Signin).size(), 2u);
}

TEST_F(FlowTest, OfflineWithACachedProfileSaysPointsWillBeAdded) {
    signInByPhone();
    hubAnswers(member(clock.utcMs() - 10 * 3600 * 1000));
    tap(K::Cancel);
    clock.advanceMs(options.cooldownMs + 1000);
    store.messages.clear();
    signInByPhone();
    hubAnswers(Fail(std::string("ConnectFailed")));
    const auto vm = controller->welcomeVm();
    EXPECT_EQ(vm.state, WelcomeState::Offline);
    ASSERT_TRUE(vm.info.has_value());
    EXPECT_TRUE(vm.infoFromCache);
    EXPECT_EQ(vm.info->points, 340);
    EXPECT_EQ(store.of(event::EventKind::Signin).size(), 1u);
}

TEST_F(FlowTest, ARestartedKioskOfflineStillShowsTheLastKnownBalance) {
    auto welcomeStore = WelcomeStore::open({":memory:"}, clock);
    ASSERT_TRUE(welcomeStore) << welcomeStore.error();
    controller = std::make_unique<KioskController>(options, clock, texts, survey, factory, store, &profiles, queue,
                                                   welcomeStore->get());
    signInByPhone();
    hubAnswers(member(clock.utcMs() - 10 * 3600 * 1000));
    tap(K::Cancel);
    // The kiosk restarts (a new controller, so an empty memory cache) and the hub is unreachable.
    controller = std::make_unique<KioskController>(options, clock, texts, survey, factory, store, &profiles, queue,
                                                   welcomeStore->get());
    clock.advanceMs(options.cooldownMs + 1000);
    store.messages.clear();
    signInByPhone();
    hubAnswers(Fail(std::string("ConnectFailed")));
    const auto vm = controller->welcomeVm();
    EXPECT_EQ(vm.state, WelcomeState::Offline);
    ASSERT_TRUE(vm.info.has_value());
    EXPECT_TRUE(vm.infoFromCache);
    EXPECT_EQ(vm.info->points, 340);
    EXPECT_EQ(vm.info->tier, "Silver");
    EXPECT_TRUE(vm.info->firstInitial.empty());  // never written to disk
    EXPECT_EQ(store.of(event::EventKind::Signin).size(), 1u);
}

TEST_F(FlowTest, OfflineWithoutCacheAsksForConsentRatherThanGuessing) {
    signInByPhone();
    hubAnswers(Fail(std::string("Timeout")));
    EXPECT_EQ(controller->screen(), ScreenId::Consent);
    tap(K::ToggleTerms);
    tap(K::AcceptConsent);
    EXPECT_EQ(controller->welcomeVm().state, WelcomeState::Offline);
    ASSERT_EQ(store.of(event::EventKind::Signin).size(), 1u);
    EXPECT_EQ(store.of(event::EventKind::Signin)[0].properties["newMember"], false);
}

TEST_F(FlowTest, ASlowHubTimesOutOnTheClockAndItsLateAnswerIsIgnored) {
    signInByPhone();
    clock.advanceMs(options.welcomeTimeoutMs + 300);
    controller->tick();
    EXPECT_EQ(controller->screen(), ScreenId::Consent);  // offline, unknown shopper
    hubAnswers(member());                                 // arrives late
    EXPECT_EQ(controller->screen(), ScreenId::Consent);
    EXPECT_TRUE(store.messages.empty());
}

TEST_F(FlowTest, NoHubConfiguredWorksOffline) {
    remake(/*withHub=*/false);
    signInByPhone();
    EXPECT_EQ(controller->screen(), ScreenId::Consent);
}

TEST_F(FlowTest, InvalidInputShowsAnErrorAndKeepsTheShopperOnSignin) {
    tap(K::Start);
    typeDigits("12345");
    tap(K::SubmitSignIn);
    EXPECT_EQ(controller->screen(), ScreenId::SignIn);
    EXPECT_EQ(controller->signInVm().errorKey, "signin.error.phone_invalid");
    tapText(K::KeyChar, "x");  // not a phone character: ignored
    EXPECT_EQ(controller->signInVm().phoneText, "12345");
    tap(K::KeyBackspace);
    EXPECT_EQ(controller->signInVm().phoneText, "1234");
    tap(K::ShowEmail);
    for (const char* c : {"a", "@", "b"}) tapText(K::KeyChar, c);
    tap(K::SubmitSignIn);
    EXPECT_EQ(controller->signInVm().errorKey, "signin.error.email_invalid");
    EXPECT_TRUE(profiles.requests.empty());
}

TEST_F(FlowTest, EmailSignInLowerCasesTheAddress) {
    tap(K::Start);
    tap(K::ShowEmail);
    for (char c : std::string("Ana@Example.com")) tapText(K::KeyChar, std::string(1, c));
    tap(K::SubmitSignIn);
    ASSERT_EQ(profiles.requests.size(), 1u);
    EXPECT_EQ(profiles.requests[0].type, event::Identity::Type::Email);
    EXPECT_EQ(profiles.requests[0].value, "ana@example.com");
}

TEST_F(FlowTest, ACardScanSignsInFromAnyScreen) {
    tapText(K::CodeScanned, "400012345678");
    EXPECT_EQ(controller->screen(), ScreenId::Welcome);
    ASSERT_EQ(profiles.requests.size(), 1u);
    EXPECT_EQ(profiles.requests[0].type, event::Identity::Type::Member);
    hubAnswers(member());
    const auto signin = store.of(event::EventKind::Signin).at(0);
    EXPECT_EQ(signin.properties["method"], "card");
    EXPECT_EQ(signin.userId, "400012345678");
    tapText(K::CodeScanned, "TP:OTHER-1");  // already signed in: ignored
    EXPECT_EQ(profiles.requests.size(), 1u);
}

TEST_F(FlowTest, ARepeatSubmissionWithinFiveSecondsIsFlaggedNotDropped) {
    tap(K::Start);
    tap(K::SkipSignIn);
    answerSurvey(10);
    tap(K::Done);
    clock.advanceMs(3000);
    tap(K::Start);
    tap(K::SkipSignIn);
    answerSurvey(10);
    tap(K::Done);
    clock.advanceMs(6000);
    tap(K::Start);
    tap(K::SkipSignIn);
    answerSurvey(10);
    const auto fb = store.of(event::EventKind::Feedback);
    ASSERT_EQ(fb.size(), 3u);
    EXPECT_EQ(fb[0].properties["misuse"], false);
    EXPECT_EQ(fb[1].properties["misuse"], true);
    EXPECT_EQ(fb[2].properties["misuse"], false);
}

TEST_F(FlowTest, InactivityWarnsThenWipesAndRecordsTheAbandonedSurvey) {
    signInByPhone();
    hubAnswers(member());
    tap(K::StartFeedback);
    controller->apply(Intent::withValue(K::Score, 2));
    tap(K::NextStep);
    tapText(K::ToggleOption, "stock");
    clock.advanceMs(options.inactivityMs - 1);
    controller->tick();
    EXPECT_FALSE(controller->stillThereShown());
    clock.advanceMs(1);
    controller->tick();
    ASSERT_TRUE(controller->stillThereShown());
    EXPECT_EQ(controller->stillThereVm().secondsLeft, 20);
    tap(K::NextStep);  // modal: nothing behind it reacts
    EXPECT_EQ(controller->feedbackVm().step.id, "low_reason");
    clock.advanceMs(options.stillThereMs - 1);
    controller->tick();
    EXPECT_EQ(controller->screen(), ScreenId::Feedback);
    clock.advanceMs(1);
    controller->tick();
    EXPECT_EQ(controller->screen(), ScreenId::Attract);
    EXPECT_TRUE(controller->sessionIsBlank());
    const auto abandoned = store.of(event::EventKind::FeedbackAbandoned);
    ASSERT_EQ(abandoned.size(), 1u);
    EXPECT_EQ(abandoned[0].properties["abandonReason"], "timeout");
    EXPECT_EQ(abandoned[0].properties["lastStep"], "low_reason");
    EXPECT_EQ(abandoned[0].properties["answers"]["nps"], 2);
    EXPECT_EQ(abandoned[0].properties["answers"]["reasons"], nlohmann::json::array({"stock"}));
    EXPECT_FALSE(abandoned[0].identityHashes.empty());  // tied to the member
}

TEST_F(FlowTest, StillHereKeepsEverything) {
    tap(K::Start);
    typeDigits("202555");
    clock.advanceMs(options.inactivityMs);
    controller->tick();
    ASSERT_TRUE(controller->stillThereShown());
    tap(K::StillHere);
    EXPECT_FALSE(controller->stillThereShown());
    EXPECT_EQ(controller->signInVm().phoneText, "202555");
    clock.advanceMs(options.inactivityMs - 1);
    controller->tick();
    EXPECT_FALSE(controller->stillThereShown());
}

TEST_F(FlowTest, ResetWipesEveryFieldOfTheSession) {
    const auto firstSession = controller->sessionId();
    tapText(K::ChooseLanguage, "pt");
    tap(K::ToggleHighContrast);
    tap(K::ToggleLargeText);
    signInByPhone();
    hubAnswers(member());
    tap(K::StartFeedback);
    controller->apply(Intent::withValue(K::Score, 8));
    EXPECT_FALSE(controller->sessionIsBlank());
    tap(K::ExitSurvey);
    EXPECT_TRUE(controller->sessionIsBlank());
    EXPECT_NE(controller->sessionId(), firstSession);
    EXPECT_EQ(controller->displayVm().language, "en");
    EXPECT_FALSE(controller->displayVm().highContrast);
    EXPECT_TRUE(controller->signInVm().phoneText.empty());
    EXPECT_FALSE(controller->welcomeVm().info.has_value());
    const auto abandoned = store.of(event::EventKind::FeedbackAbandoned);
    ASSERT_EQ(abandoned.size(), 1u);
    EXPECT_EQ(abandoned[0].properties["abandonReason"], "exit");
}

TEST_F(FlowTest, LeavingASurveyWithoutAnswersIsASkip) {
    tap(K::Start);
    tap(K::SkipSignIn);
    tap(K::ExitSurvey);
    const auto abandoned = store.of(event::EventKind::FeedbackAbandoned);
    ASSERT_EQ(abandoned.size(), 1u);
    EXPECT_EQ(abandoned[0].properties["abandonReason"], "skip");
}

TEST_F(FlowTest, AccessibilityModeLengthensTimeouts) {
    tap(K::ToggleLargeText);
    tap(K::Start);
    clock.advanceMs(options.inactivityMs);
    controller->tick();
    EXPECT_FALSE(controller->stillThereShown());
    clock.advanceMs(options.inactivityMs);  // factor 2
    controller->tick();
    ASSERT_TRUE(controller->stillThereShown());
    EXPECT_EQ(controller->stillThereVm().secondsLeft, 40);
}

TEST_F(FlowTest, AFailedEnqueueShowsAnApologyNeverAThankYou) {
    tap(K::Start);
    tap(K::SkipSignIn);
    store.failWith = "disk_full: database or disk is full";
    answerSurvey(7);
    EXPECT_EQ(controller->screen(), ScreenId::Apology);
    EXPECT_EQ(controller->apologyVm().messageKey, "apology.not_saved");
    clock.advanceMs(options.apologyMs);
    controller->tick();
    EXPECT_EQ(controller->screen(), ScreenId::Attract);
    EXPECT_TRUE(controller->sessionIsBlank());
}

TEST_F(FlowTest, AFailedSigninEnqueueIsAnApologyToo) {
    store.failWith = "disk_full";
    signInByPhone();
    hubAnswers(member());
    EXPECT_EQ(controller->screen(), ScreenId::Apology);
}

TEST_F(FlowTest, ThankYouReturnsToAttractOnItsOwn) {
    tap(K::Start);
    tap(K::SkipSignIn);
    answerSurvey(9);
    ASSERT_EQ(controller->screen(), ScreenId::ThankYou);
    clock.advanceMs(options.thankYouMs);
    controller->tick();
    EXPECT_EQ(controller->screen(), ScreenId::Attract);
}

TEST_F(FlowTest, AttractPulsesBrieflyThenSleepsUntilTheNextPulse) {
    ASSERT_TRUE(controller->attractVm().pulse.has_value());
    EXPECT_EQ(*controller->nextWakeMs(), clock.monotonicMs() + 100);
    clock.advanceMs(options.pulseMs + 1);
    EXPECT_FALSE(controller->attractVm().pulse.has_value());
    EXPECT_EQ(*controller->nextWakeMs(), clock.monotonicMs() + options.pulsePeriodMs - options.pulseMs - 1);
}

TEST_F(FlowTest, StaffModeDropsTheShopperSession) {
    tap(K::Start);
    typeDigits("202");
    tap(K::OpenStaff);
    EXPECT_EQ(controller->mode(), AppMode::Staff);
    EXPECT_TRUE(controller->signInVm().phoneText.empty());
    EXPECT_FALSE(controller->nextWakeMs().has_value());
    controller->leaveStaffMode();
    EXPECT_EQ(controller->mode(), AppMode::Shopper);
    EXPECT_EQ(controller->screen(), ScreenId::Attract);
}

}  // namespace
}  // namespace touchpoint::kiosk
