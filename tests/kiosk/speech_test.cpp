// Speech and keypad mode in the core: what each shopper screen says, focus and the key set, and a whole
// visit (sign-in, consent, survey) driven by keys alone through the real controller. No audio: the texts
// that would be spoken are checked.
#include <gtest/gtest.h>

#include "core/kiosk_controller.hpp"
#include "core/speech_navigator.hpp"
#include "core/speech_screens.hpp"
#include "kiosk_fakes.hpp"
#include "temp_dir.hpp"

namespace touchpoint::kiosk {
namespace {

using K = IntentKind;

class SpeechTest : public ::testing::Test, protected testing::ControllerParts {
protected:
    SpeechTest() : controller(makeController()), nav(texts) {}

    ScreenSpeech screen() const { return describeScreen(*controller, texts); }
    /// What the app does each frame in speech mode: announce changes, then handle a key.
    std::string update() { return nav.update(screen()); }
    NavResult press(NavKey key) {
        update();
        auto r = nav.key(key, screen());
        if (r.intent) controller->apply(r.intent);
        return r;
    }
    std::string focused() { return nav.focusedId(screen()); }
    /// Next until `id` has focus (at most once round the screen), then Select.
    void selectControl(const std::string& id) {
        update();
        const auto n = screen().controls.size();
        for (std::size_t i = 0; i <= n && focused() != id; ++i) press(NavKey::Next);
        ASSERT_EQ(focused(), id) << "not on screen " << screen().key;
        press(NavKey::Select);
    }
    void typeByKeys(const std::string& chars) {
        for (char c : chars) selectControl(c == '+' ? "key.plus" : "key." + std::string(1, c));
    }
    void startSpeech() {
        controller->apply(Intent::of(K::StartSpeech));
        ASSERT_TRUE(controller->displayVm().speech);
    }

    std::unique_ptr<KioskController> controller;
    SpeechNavigator nav;
};

TEST_F(SpeechTest, TheAttractScreenStartsTheModeAndSaysItsTitleAndFocusedControl) {
    const auto attract = screen();
    EXPECT_EQ(attract.title, "Touchpoint Rewards");
    ASSERT_GE(attract.controls.size(), 2u);
    EXPECT_EQ(attract.controls[0].id, "attract.start");
    EXPECT_EQ(attract.controls[1].id, "attract.speech");
    EXPECT_EQ(attract.controls[1].intent.kind, K::StartSpeech);
    startSpeech();
    const auto said = update();
    EXPECT_EQ(said.rfind("Speech is on. Touchpoint Rewards. Collect points", 0), 0u) << said;
    EXPECT_NE(said.find("Tap to start, button, 1 of 2"), std::string::npos) << said;
    // The languages are said in their own language, the current one as selected.
    press(NavKey::Next);
    const auto r = press(NavKey::Next);
    EXPECT_EQ(r.say, "English, button, selected, 1 of 5");
    EXPECT_EQ(press(NavKey::Next).say, "Español, button, 2 of 5");
    press(NavKey::Select);
    EXPECT_EQ(controller->displayVm().language, "es");
    EXPECT_EQ(update(), "Español, seleccionado");
    EXPECT_EQ(press(NavKey::Previous).say, "English, botón, 1 de 5");
}

TEST_F(SpeechTest, ScoresAreSaidWithTheirPositionAmongTheScoresAndTheChoiceIsConfirmed) {
    startSpeech();
    controller->apply(Intent::of(K::Start));
    controller->apply(Intent::of(K::SkipSignIn));
    auto said = update();
    EXPECT_NE(said.find("Question 1 of 4. How likely are you to recommend us"), std::string::npos) << said;
    EXPECT_NE(said.find("0, button, 1 of 11"), std::string::npos) << said;
    for (int i = 0; i < 6; ++i) press(NavKey::Next);
    EXPECT_EQ(press(NavKey::Next).say, "7, button, 8 of 11");
    press(NavKey::Select);
    EXPECT_EQ(controller->feedbackVm().score, 7);
    EXPECT_EQ(update(), "7, selected");
    EXPECT_EQ(press(NavKey::Repeat).say.rfind("Question 1 of 5", 0), 0u);  // 7 opened its own branch
    // The bottom bar is its own group; Next is the last control, then focus wraps to the first score.
    EXPECT_EQ(press(NavKey::Previous).say, "6, button, 7 of 11");
    for (int i = 0; i < 4; ++i) press(NavKey::Next);
    EXPECT_EQ(press(NavKey::Next).say, "Exit survey, button, 1 of 2");
    EXPECT_EQ(press(NavKey::Next).say, "Next, button, 2 of 2");
    EXPECT_EQ(press(NavKey::Next).say, "0, button, 1 of 11");
    // Back on the first question has nowhere to go; on the second it returns with the answer focused.
    EXPECT_EQ(press(NavKey::Back).say, "There is nothing to go back to here.");
    controller->apply(Intent::of(K::NextStep));
    said = update();
    EXPECT_EQ(said.rfind("Question 2 of 5", 0), 0u) << said;  // the branch for 7 adds a step
    EXPECT_NE(said.find("checkbox, not checked, 1 of 4"), std::string::npos) << said;
    press(NavKey::Back);
    said = update();
    EXPECT_NE(said.find("7, button, selected, 8 of 11"), std::string::npos) << said;
}

TEST_F(SpeechTest, SignInUsesTheAppsKeypadKeysAndAnnouncesTheError) {
    startSpeech();
    controller->apply(Intent::of(K::Start));
    auto said = update();
    EXPECT_EQ(said, "Speech is on. Sign in to rewards. You can also scan your member card or QR code. 1, key, 1 of 12");
    EXPECT_NE(said.find("1, key, 1 of 12"), std::string::npos) << said;
    const auto keypad = screen();
    std::vector<std::string> ids;
    for (const auto& c : keypad.controls) ids.push_back(c.id);
    EXPECT_EQ(ids, (std::vector<std::string>{"signin.tab.phone", "signin.tab.email", "signin.field", "key.1", "key.2",
                                             "key.3", "key.4", "key.5", "key.6", "key.7", "key.8", "key.9", "key.plus",
                                             "key.0", "key.backspace", "signin.submit", "signin.skip", "signin.cancel"}));
    EXPECT_EQ(press(NavKey::Next).say, "2, key, 2 of 12");
    EXPECT_EQ(press(NavKey::Select).say, "2");  // typed keys echo
    typeByKeys("12");
    EXPECT_EQ(controller->signInVm().phoneText, "212");
    EXPECT_EQ(press(NavKey::Back).say, "Delete");  // Back deletes the last digit
    EXPECT_EQ(controller->signInVm().phoneText, "21");
    selectControl("signin.submit");
    said = update();
    EXPECT_EQ(said, "That doesn't look like a valid phone number");
    selectControl("signin.field");
    const auto repeated = press(NavKey::Repeat).say;
    EXPECT_EQ(repeated, "Sign in to rewards. You can also scan your member card or QR code. That doesn't look like a "
                        "valid phone number. Enter your phone number, text field, 2 1, 1 of 1");
    selectControl("signin.tab.email");
    said = update();
    EXPECT_NE(said.find("Sign in to rewards"), std::string::npos) << said;  // a new layout: announced afresh
    EXPECT_NE(said.find("1, key, 1 of 42"), std::string::npos) << said;
    EXPECT_EQ(focused(), "key.1");
}

TEST_F(SpeechTest, AcceptIsUnavailableUntilTheTermsAreTicked) {
    startSpeech();
    signUpUntilConsent(*controller);
    ASSERT_EQ(controller->screen(), ScreenId::Consent);
    const auto said = update();
    EXPECT_NE(said.find("Touchpoint Rewards terms (version 2026-01)"), std::string::npos) << said;
    EXPECT_NE(said.find("I agree to the rewards terms (required), checkbox, not checked, 1 of 2"), std::string::npos);
    press(NavKey::Next);
    EXPECT_EQ(press(NavKey::Next).say, "Join, button, unavailable, 1 of 3");
    const auto r = press(NavKey::Select);
    EXPECT_FALSE(r.intent);
    EXPECT_EQ(r.say, "Join, unavailable");
    selectControl("consent.terms");
    EXPECT_EQ(update(), "I agree to the rewards terms (required), checked");
    EXPECT_EQ(press(NavKey::Next).say.find("unavailable"), std::string::npos);
}

TEST_F(SpeechTest, StillThereWelcomeAndThankYouAreSpokenAndBackMeansStillHere) {
    startSpeech();
    controller->apply(Intent::of(K::Start));
    update();
    clock.advanceMs(45'000);
    controller->tick();
    EXPECT_FALSE(controller->stillThereShown());  // speech mode doubles the timeouts
    clock.advanceMs(45'000);
    controller->tick();
    ASSERT_TRUE(controller->stillThereShown());
    auto said = update();
    EXPECT_EQ(said, "Are you still there? For your privacy, this screen will reset in 40 seconds. "
                    "I'm still here, button, 1 of 1");
    press(NavKey::Back);
    EXPECT_FALSE(controller->stillThereShown());
    said = update();
    EXPECT_EQ(said.rfind("Sign in to rewards", 0), 0u) << said;

    for (char c : std::string("2025550143")) controller->apply(Intent::withText(K::KeyChar, std::string(1, c)));
    controller->apply(Intent::of(K::SubmitSignIn));
    EXPECT_EQ(update().rfind("Checking your rewards", 0), 0u);
    profiles.answer(testing::memberWelcome());
    queue.drain();
    said = update();
    EXPECT_EQ(said, "Welcome back, A! +10 points for today's visit. Silver member. 340 points. "
                    "Tell us how we did, button, 1 of 2");
    selectControl("welcome.done");
    said = update();
    EXPECT_EQ(said, "Thank you! Your visit has been recorded. Have a great day. Done, button, 1 of 1");
}

TEST_F(SpeechTest, EveryShopperScreenIsSpokenInEveryLanguageWithoutAMissingText) {
    for (const auto& lang : allLanguages()) {
        SCOPED_TRACE(lang);
        controller = makeController();
        nav.reset();
        std::vector<std::string> spoken;
        const auto take = [&] {
            const auto s = screen();
            spoken.push_back(nav.update(s));
            for (std::size_t i = 0; i < s.controls.size(); ++i) spoken.push_back(nav.describeControl(s, i));
            for (auto k : {NavKey::Help, NavKey::Back, NavKey::VolumeUp, NavKey::RateDown}) {
                spoken.push_back(nav.key(k, s).say);
            }
        };
        controller->apply(Intent::withText(K::ChooseLanguage, lang));
        startSpeech();
        take();
        controller->apply(Intent::of(K::Start));
        controller->apply(Intent::withText(K::KeyChar, "1"));
        controller->apply(Intent::of(K::SubmitSignIn));
        take();
        controller->apply(Intent::of(K::ShowEmail));
        take();
        controller->apply(Intent::of(K::ShowPhone));
        controller->apply(Intent::of(K::KeyClear));
        for (char c : std::string("2025550143")) controller->apply(Intent::withText(K::KeyChar, std::string(1, c)));
        controller->apply(Intent::of(K::SubmitSignIn));
        take();  // welcome, loading
        profiles.answer(WelcomeInfo{});
        queue.drain();
        take();  // consent
        controller->apply(Intent::of(K::ToggleTerms));
        controller->apply(Intent::of(K::AcceptConsent));
        take();  // welcome, new member
        controller->apply(Intent::of(K::StartFeedback));
        for (int step = 0; step < 5; ++step) {
            take();
            const auto vm = controller->feedbackVm();
            if (vm.step.type == StepType::Choice) controller->apply(Intent::withText(K::ToggleOption, vm.step.options[0].id));
            if (vm.step.type != StepType::Choice && vm.step.type != StepType::Comment) {
                controller->apply(Intent::withValue(K::Score, vm.step.minScore()));
            }
            if (step == 2) {
                clock.advanceMs(200'000);
                controller->tick();
                ASSERT_TRUE(controller->stillThereShown());
                take();
                controller->apply(Intent::of(K::StillHere));
            }
            controller->apply(Intent::of(K::NextStep));
        }
        // The lowest scores: the contact question, each of its steps.
        ASSERT_EQ(controller->screen(), ScreenId::Contact);
        take();
        controller->apply(Intent::of(K::ToggleContactConsent));
        controller->apply(Intent::of(K::AgreeContact));
        ASSERT_EQ(controller->contactVm().stage, ContactStage::Choose);
        take();
        controller->apply(Intent::of(K::TypeOtherContact));
        take();
        controller->apply(Intent::of(K::ShowEmail));
        take();
        controller->apply(Intent::of(K::SkipContact));
        ASSERT_EQ(controller->screen(), ScreenId::ThankYou);
        take();
        for (const auto& s : spoken) {
            EXPECT_EQ(s.find("speech."), std::string::npos) << s;  // a key said instead of its text
            EXPECT_EQ(s.find("{"), std::string::npos) << s;
        }
        if (lang != "en") {
            // Really in that language: the role words differ from English.
            const bool english = std::any_of(spoken.begin(), spoken.end(),
                                             [](const std::string& s) { return s.find(", button, ") != std::string::npos; });
            EXPECT_FALSE(english);
        }
    }
}

TEST_F(SpeechTest, VolumeAndSpeedStayWithinTheirLevelsAndResetEndsEverything) {
    startSpeech();
    update();
    for (int i = 0; i < 20; ++i) press(NavKey::VolumeUp);
    EXPECT_EQ(nav.volume(), kSpeechLevels);
    EXPECT_EQ(press(NavKey::VolumeUp).say, "Volume 10");
    for (int i = 0; i < 20; ++i) press(NavKey::RateDown);
    EXPECT_EQ(nav.rate(), 1);
    const auto r = press(NavKey::RateUp);
    EXPECT_TRUE(r.settingsChanged);
    EXPECT_EQ(r.say, "Speed 2");
    EXPECT_NE(press(NavKey::Help).say.find("repeat"), std::string::npos);
    // The session wipe leaves the mode.
    controller->apply(Intent::of(K::Start));
    controller->apply(Intent::of(K::Cancel));
    EXPECT_FALSE(controller->displayVm().speech);
    EXPECT_TRUE(controller->sessionIsBlank());
    nav.reset();
    EXPECT_EQ(nav.volume(), kDefaultSpeechLevel);
    // The dedicated key switches it off from anywhere.
    startSpeech();
    EXPECT_EQ(press(NavKey::Speech).say, "Speech is off.");
    EXPECT_FALSE(controller->displayVm().speech);
    // Speech starts only on the attract screen.
    controller->apply(Intent::of(K::Start));
    controller->apply(Intent::of(K::StartSpeech));
    EXPECT_FALSE(controller->displayVm().speech);
}

TEST_F(SpeechTest, ANewMembersWelcomeSaysWhatTheScreenShowsBeforeTheHubAnswers) {
    startSpeech();
    signUpUntilConsent(*controller);
    ASSERT_EQ(controller->screen(), ScreenId::Consent);
    controller->apply(Intent::of(K::ToggleTerms));
    controller->apply(Intent::of(K::AcceptConsent));
    ASSERT_EQ(controller->screen(), ScreenId::Welcome);
    const auto vm = controller->welcomeVm();
    ASSERT_TRUE(vm.preview) << "the screen shows the kiosk's own figures until the hub answers";
    const auto spoken = screen();
    const std::string all = spoken.title + " " + spoken.body;
    const auto& p = *vm.preview;
    auto said = [&](const std::string& key, const std::map<std::string, std::string>& values) {
        std::string sentence = formatText(texts.text("en", key), values);
        if (!sentence.empty() && sentence.back() == '.') sentence.pop_back();
        return all.find(sentence) != std::string::npos;
    };
    EXPECT_TRUE(said("welcome.pending", {{"points", std::to_string(p.pointsPerCheckin)}})) << all;
    EXPECT_TRUE(said("welcome.points", {{"points", std::to_string(p.points)}})) << all;
    ASSERT_FALSE(p.rewards.empty()) << "the default loyalty settings name a next reward";
    EXPECT_TRUE(said("welcome.next_reward",
                     {{"reward", p.rewards.front().name}, {"points", std::to_string(p.rewards.front().points)}}))
        << all;
}

TEST_F(SpeechTest, AWholeVisitWithKeysAloneRecordsSignInConsentAndFeedback) {
    startSpeech();
    selectControl("attract.start");
    ASSERT_EQ(controller->screen(), ScreenId::SignIn);
    typeByKeys("2025550143");
    selectControl("signin.submit");
    ASSERT_EQ(controller->screen(), ScreenId::Welcome);
    profiles.answer(WelcomeInfo{});
    queue.drain();
    ASSERT_EQ(controller->screen(), ScreenId::Consent);
    selectControl("consent.terms");
    selectControl("consent.accept");
    ASSERT_EQ(controller->screen(), ScreenId::Welcome);
    selectControl("welcome.feedback");
    selectControl("nps.9");
    selectControl("feedback.next");
    selectControl("choice.friendly_staff");
    selectControl("feedback.next");
    selectControl("csat.5");
    selectControl("feedback.next");
    selectControl("ces.6");
    selectControl("feedback.next");
    typeByKeys("ok");
    selectControl("feedback.next");
    ASSERT_EQ(controller->screen(), ScreenId::ThankYou);
    ASSERT_EQ(store.messages.size(), 3u);
    EXPECT_EQ(store.messages[0].kind, event::EventKind::Consent);
    EXPECT_EQ(store.messages[1].kind, event::EventKind::Signin);
    const auto answers = store.messages[2].properties["answers"];
    EXPECT_EQ(answers["nps"], 9);
    EXPECT_EQ(answers["csat"], 5);
    EXPECT_EQ(answers["ces"], 6);
    EXPECT_EQ(answers["reasons"], nlohmann::json::array({"friendly_staff"}));
}

}  // namespace
}  // namespace touchpoint::kiosk
