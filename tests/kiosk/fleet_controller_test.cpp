// Head office's documents in the controller: a document that arrives while a shopper is in the middle of a
// survey changes nothing on screen until that session has ended, and the sleep screen outside opening hours
// (a manual clock) lets a touch show the hours and nothing else, while staff mode stays reachable.
#include <gtest/gtest.h>

#include "core/kiosk_controller.hpp"
#include "kiosk_fakes.hpp"

namespace touchpoint::kiosk {
namespace {

using K = IntentKind;

class FleetControllerTest : public ::testing::Test, protected testing::ControllerParts {
  protected:
    FleetControllerTest() {
        controller = makeController();
        ContentTarget target;
        target.slot = &slot;
        target.texts = &texts;
        target.survey = &survey;
        target.applied = [this](const FleetContent& c) { appliedVersions.push_back(c.configVersion); };
        controller->takeContentFrom(std::move(target));
    }

    void tap(K kind) { controller->apply(Intent::of(kind)); }

    /// Version 12 of head office's document: its own survey (id and version), a new NPS question in English,
    /// Spanish first, a longer inactivity time and high contrast for everyone.
    std::shared_ptr<const FleetContent> document() const {
        auto c = std::make_shared<FleetContent>();
        c->configVersion = 12;
        c->etag = "\"cfg-12\"";
        c->texts = texts.withOverrides({{"en", {{"survey.q.nps", "Would you send a friend to this shop?"}}}});
        c->survey = survey;
        c->survey.id = "hq-winter";
        c->survey.version = 7;
        c->settings.languages = {"es", "en"};
        c->settings.defaultLanguage = "es";
        c->settings.inactivityS = 90;
        c->settings.highContrastDefault = true;
        return c;
    }

    FleetContentSlot slot;
    std::vector<int> appliedVersions;
    std::unique_ptr<KioskController> controller;
};

TEST_F(FleetControllerTest, ADocumentArrivingMidSurveyWaitsUntilTheSessionHasEnded) {
    const std::string builtInQuestion = texts.text("en", "survey.q.nps");
    tap(K::Start);
    tap(K::SkipSignIn);
    ASSERT_EQ(controller->screen(), ScreenId::Feedback);
    controller->apply(Intent::withValue(K::Score, 3));

    slot.offer(document());
    for (int i = 0; i < 5; ++i) {
        clock.advanceMs(1000);
        controller->tick();
    }
    // Same screen, same step, same survey and words: the shopper sees nothing change.
    EXPECT_EQ(controller->screen(), ScreenId::Feedback);
    EXPECT_EQ(controller->feedbackVm().step.id, "nps");
    EXPECT_EQ(controller->feedbackVm().score, 3);
    EXPECT_EQ(texts.text("en", "survey.q.nps"), builtInQuestion);
    EXPECT_EQ(survey.id, "store-visit");
    EXPECT_EQ(controller->displayVm().language, "en");
    EXPECT_EQ(controller->configVersion(), 0);
    EXPECT_TRUE(appliedVersions.empty());
    EXPECT_TRUE(slot.hasPending());

    // The session ends: its abandoned survey is recorded under the survey it was started with.
    tap(K::ExitSurvey);
    const auto old = store.of(event::EventKind::FeedbackAbandoned);
    ASSERT_EQ(old.size(), 1u);
    EXPECT_EQ(old[0].properties["surveyId"], "store-visit");
    EXPECT_EQ(old[0].properties["surveyVersion"], 1);

    // Attract, no session: the next tick applies the document.
    ASSERT_EQ(controller->screen(), ScreenId::Attract);
    controller->tick();
    EXPECT_EQ(appliedVersions, std::vector<int>{12});
    EXPECT_EQ(controller->configVersion(), 12);
    EXPECT_EQ(slot.appliedVersion(), 12);
    EXPECT_FALSE(slot.hasPending());
    EXPECT_EQ(texts.text("en", "survey.q.nps"), "Would you send a friend to this shop?");
    EXPECT_EQ(controller->displayVm().language, "es");
    EXPECT_TRUE(controller->displayVm().highContrast);
    EXPECT_EQ(controller->attractVm().languages, (std::vector<std::string>{"es", "en"}));
    EXPECT_TRUE(controller->sessionIsBlank());

    // The next shopper answers the new survey: its id and version are in the events.
    tap(K::Start);
    tap(K::SkipSignIn);
    controller->apply(Intent::withValue(K::Score, 9));
    tap(K::ExitSurvey);
    const auto now = store.of(event::EventKind::FeedbackAbandoned);
    ASSERT_EQ(now.size(), 2u);
    EXPECT_EQ(now[1].properties["surveyId"], "hq-winter");
    EXPECT_EQ(now[1].properties["surveyVersion"], 7);
}

TEST_F(FleetControllerTest, AShopperWhoOnlyChoseALanguageAndLeftDoesNotHoldADocumentBack) {
    controller->apply(Intent::withText(K::ChooseLanguage, "fr"));
    slot.offer(document());
    controller->tick();
    EXPECT_EQ(controller->configVersion(), 0) << "someone may be about to tap Start";
    clock.advanceMs(options.inactivityMs);
    controller->tick();
    EXPECT_EQ(controller->configVersion(), 12);
    EXPECT_EQ(controller->displayVm().language, "es");
}

class FleetFeedbackTest : public FleetControllerTest {
  protected:
    FleetFeedbackTest() {
        // kiosk.toml's [feedback], deliberately not the built-in defaults (6 and 2).
        options.configFeedback = {true, 7, 3};
        options.feedback = options.configFeedback;
        controller = makeController();
        ContentTarget target;
        target.slot = &slot;
        target.texts = &texts;
        target.survey = &survey;
        controller->takeContentFrom(std::move(target));
    }

    /// Document `version` with `feedback` as its settings' feedback part (none: no part), applied at once.
    void applyDocument(int version, std::optional<content::FeedbackSettings> feedback) {
        auto c = std::make_shared<FleetContent>(*document());
        c->configVersion = version;
        c->settings.feedback = feedback;
        slot.offer(c);
        controller->tick();
        ASSERT_EQ(controller->configVersion(), version);
    }

    /// An anonymous shopper answers the built-in survey; true when "May we contact you?" follows. Leaves the
    /// kiosk on the attract screen, past the misuse window, for the next one.
    bool asksForContact(int nps, int csat) {
        tap(K::Start);
        tap(K::SkipSignIn);
        controller->apply(Intent::withValue(K::Score, nps));
        tap(K::NextStep);
        if (controller->feedbackVm().step.type == StepType::Choice) {
            controller->apply(
                Intent::withText(K::ToggleOption, controller->feedbackVm().step.options.front().id));
            tap(K::NextStep);
        }
        controller->apply(Intent::withValue(K::Score, csat));
        tap(K::NextStep);
        controller->apply(Intent::withValue(K::Score, 5));
        tap(K::NextStep);
        tap(K::NextStep);  // the optional comment, skipped
        const bool asked = controller->screen() == ScreenId::Contact;
        if (asked) tap(K::SkipContact);
        EXPECT_EQ(controller->screen(), ScreenId::ThankYou);
        tap(K::Done);
        EXPECT_EQ(controller->screen(), ScreenId::Attract);
        clock.advanceMs(options.misuseWindowMs);
        return asked;
    }
};

TEST_F(FleetFeedbackTest,
       HeadOfficesThresholdsApplyBetweenSessionsAndADocumentWithoutThemReturnsToKioskToml) {
    EXPECT_TRUE(asksForContact(7, 5));  // kiosk.toml: NPS up to 7
    EXPECT_FALSE(asksForContact(8, 4));
    EXPECT_TRUE(asksForContact(9, 3));  // and CSAT up to 3

    // Head office lowers them: a score that asked before no longer does.
    applyDocument(20, content::FeedbackSettings{true, 4, 1});
    EXPECT_FALSE(asksForContact(7, 5));
    EXPECT_FALSE(asksForContact(5, 3));
    EXPECT_TRUE(asksForContact(4, 5));
    EXPECT_TRUE(asksForContact(9, 1));

    // Head office turns the question off: even the lowest scores are not asked.
    applyDocument(21, content::FeedbackSettings{false, 10, 5});
    EXPECT_FALSE(asksForContact(0, 1));

    // A later document without a feedback part: kiosk.toml's values again, not the format's defaults.
    applyDocument(22, std::nullopt);
    EXPECT_TRUE(asksForContact(7, 5));
    EXPECT_TRUE(asksForContact(9, 3));
    EXPECT_FALSE(asksForContact(8, 4));
}

TEST_F(FleetFeedbackTest, NewThresholdsWaitForTheSessionInProgress) {
    tap(K::Start);
    tap(K::SkipSignIn);
    slot.offer([&] {
        auto c = std::make_shared<FleetContent>(*document());
        c->settings.feedback = content::FeedbackSettings{false, -1, 0};
        return c;
    }());
    controller->tick();
    EXPECT_EQ(controller->configVersion(), 0);
    tap(K::ExitSurvey);
    EXPECT_TRUE(asksForContact(7, 5)) << "applied on the next tick between sessions, not in the middle";
    EXPECT_EQ(controller->configVersion(), 0);
    controller->tick();
    EXPECT_EQ(controller->configVersion(), 12);
    EXPECT_FALSE(asksForContact(0, 1));
}

class SleepScreenTest : public FleetControllerTest {
  protected:
    static constexpr std::int64_t kTuesday2213Utc = 1'700'000'000'000;  // 2023-11-14T22:13:20Z
    static constexpr std::int64_t kWednesday0800Utc = 1'700'035'200'000;

    SleepScreenTest() {
        content::OpeningHours hours;
        hours.timeZone = "UTC";
        for (auto& day : hours.days) day = {{8 * 60, 20 * 60}};
        hours.days[6].clear();  // closed on Sunday
        options.openingHours = hours;
        clock.setUtcMs(kTuesday2213Utc);
        controller = makeController();
    }
};

TEST_F(SleepScreenTest, OutsideOpeningHoursTouchesOnlyShowTheHours) {
    controller->tick();
    ASSERT_EQ(controller->screen(), ScreenId::Sleep);
    EXPECT_FALSE(controller->sleepVm().showHours);

    // Nothing a shopper does starts a session: not a tap on the screen, not a member card.
    tap(K::Start);
    controller->apply(Intent::withText(K::CodeScanned, "TP-123456"));
    EXPECT_EQ(controller->screen(), ScreenId::Sleep);
    EXPECT_TRUE(store.messages.empty());
    EXPECT_TRUE(profiles.requests.empty());

    tap(K::Wake);
    const auto vm = controller->sleepVm();
    EXPECT_TRUE(vm.showHours);
    ASSERT_EQ(vm.days.size(), 7u);
    EXPECT_EQ(vm.days[0].dayKey, "sleep.day.mon");
    ASSERT_EQ(vm.days[0].periods.size(), 1u);
    EXPECT_EQ(vm.days[0].periods[0], (std::pair<std::string, std::string>{"08:00", "20:00"}));
    EXPECT_TRUE(vm.days[6].periods.empty());
    clock.advanceMs(options.sleepHoursShownMs);
    controller->tick();
    EXPECT_FALSE(controller->sleepVm().showHours);
    EXPECT_EQ(controller->screen(), ScreenId::Sleep);

    // Staff mode is reached as on any screen; leaving it returns to the sleep screen.
    tap(K::OpenStaff);
    EXPECT_EQ(controller->mode(), AppMode::Staff);
    controller->leaveStaffMode();
    controller->tick();
    EXPECT_EQ(controller->screen(), ScreenId::Sleep);

    // Opening time: the attract screen comes back by itself.
    clock.setUtcMs(kWednesday0800Utc);
    clock.advanceMs(options.openingCheckMs);
    controller->tick();
    EXPECT_EQ(controller->screen(), ScreenId::Attract);
}

TEST_F(SleepScreenTest, ALanguageButtonShowsTheHoursInThatLanguageUntilTheyHideAgain) {
    controller->tick();
    ASSERT_EQ(controller->screen(), ScreenId::Sleep);
    ASSERT_EQ(controller->sleepVm().languages, options.languages);
    const std::string defaultLanguage = controller->displayVm().language;
    const std::string other = options.languages.back() != defaultLanguage ? options.languages.back()
                                                                          : options.languages.front();
    ASSERT_NE(other, defaultLanguage);

    controller->apply(Intent::withText(K::ChooseLanguage, "xx"));  // not offered: nothing changes
    EXPECT_EQ(controller->displayVm().language, defaultLanguage);
    EXPECT_FALSE(controller->sleepVm().showHours);

    controller->apply(Intent::withText(K::ChooseLanguage, other));
    EXPECT_EQ(controller->displayVm().language, other);
    EXPECT_TRUE(controller->sleepVm().showHours);
    EXPECT_EQ(controller->screen(), ScreenId::Sleep);
    EXPECT_TRUE(store.messages.empty()) << "choosing a language on the sleep screen starts nothing";

    // When the hours hide, the next passer-by reads the default language again, and the kiosk counts as
    // between sessions (a document could be applied).
    clock.advanceMs(options.sleepHoursShownMs);
    controller->tick();
    EXPECT_FALSE(controller->sleepVm().showHours);
    EXPECT_EQ(controller->displayVm().language, defaultLanguage);
    EXPECT_TRUE(controller->sessionIsBlank());
}

TEST_F(SleepScreenTest, ASessionAtClosingTimeFinishesBeforeTheSleepScreen) {
    clock.setUtcMs(kWednesday0800Utc);
    controller->tick();
    ASSERT_EQ(controller->screen(), ScreenId::Attract);
    tap(K::Start);
    tap(K::SkipSignIn);
    ASSERT_EQ(controller->screen(), ScreenId::Feedback);
    clock.setUtcMs(kTuesday2213Utc + 24 * 3600 * 1000);  // Wednesday evening, closed
    for (std::int64_t t = 0; t <= options.openingCheckMs; t += 10'000) {  // the shopper keeps answering
        clock.advanceMs(10'000);
        controller->noteActivity();
        controller->tick();
    }
    EXPECT_EQ(controller->screen(), ScreenId::Feedback);
    controller->apply(Intent::withValue(K::Score, 8));
    tap(K::ExitSurvey);
    controller->tick();
    EXPECT_EQ(controller->screen(), ScreenId::Sleep);
    EXPECT_EQ(store.of(event::EventKind::FeedbackAbandoned).size(), 1u);
}

TEST_F(SleepScreenTest, ADocumentWithoutHoursWakesTheKioskUp) {
    controller->tick();
    ASSERT_EQ(controller->screen(), ScreenId::Sleep);
    ContentTarget target;
    target.slot = &slot;
    target.texts = &texts;
    target.survey = &survey;
    controller->takeContentFrom(std::move(target));
    slot.offer(document());  // no opening hours: always open
    controller->tick();
    EXPECT_EQ(controller->configVersion(), 12);
    EXPECT_EQ(controller->screen(), ScreenId::Attract);
}

}  // namespace
}  // namespace touchpoint::kiosk
