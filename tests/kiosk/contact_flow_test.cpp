// The contact question after a low score ("May we contact you about this?") on a ManualClock with a fake
// store: who is asked, skipping at every step, the inactivity reset, the signed-in shopper's own contact, a
// typed phone refused then accepted, and the consent event it records (its notice, the feedback it is about,
// the contact sealed), plus the wipe at session end.
#include <gtest/gtest.h>

#include "core/consent_hash.hpp"
#include "core/kiosk_controller.hpp"
#include "core/speech_screens.hpp"
#include "kiosk_fakes.hpp"

namespace touchpoint::kiosk {
namespace {

using K = IntentKind;

class ContactFlowTest : public ::testing::Test, protected testing::ControllerParts {
protected:
    ContactFlowTest() { remake(); }

    void remake() {
        controller.reset();
        controller = makeController();
    }
    void tap(K kind) { controller->apply(Intent::of(kind)); }
    void type(const std::string& text) {
        for (char c : text) controller->apply(Intent::withText(K::KeyChar, std::string(1, c)));
    }
    /// The built-in survey to its end: NPS, the first reason (when asked), CSAT, CES 5, no comment.
    void answerSurvey(int nps, int csat) {
        controller->apply(Intent::withValue(K::Score, nps));
        tap(K::NextStep);
        if (controller->feedbackVm().step.type == StepType::Choice) {
            controller->apply(Intent::withText(K::ToggleOption, controller->feedbackVm().step.options.front().id));
            tap(K::NextStep);
        }
        controller->apply(Intent::withValue(K::Score, csat));
        tap(K::NextStep);
        controller->apply(Intent::withValue(K::Score, 5));
        tap(K::NextStep);
        tap(K::NextStep);  // the optional comment, skipped
    }
    void anonymousFeedback(int nps, int csat = 4) {
        tap(K::Start);
        tap(K::SkipSignIn);
        answerSurvey(nps, csat);
    }
    /// A known member signs in by phone (+12025550143) and gives feedback.
    void memberFeedback(int nps) {
        tap(K::Start);
        type("2025550143");
        tap(K::SubmitSignIn);
        profiles.answer(testing::memberWelcome());
        queue.drain();
        ASSERT_EQ(controller->welcomeVm().state, WelcomeState::Member);
        tap(K::StartFeedback);
        answerSurvey(nps, 4);
    }
    event::Message onlyContactConsent() const {
        const auto consents = store.of(event::EventKind::Consent);
        EXPECT_EQ(consents.size(), 1u);
        return consents.empty() ? event::Message{} : consents.front();
    }
    std::string unseal(const event::Message& m, const std::string& field) const {
        event::Unsealer unsealer;
        EXPECT_TRUE(unsealer.addSecretKeyB64(keys.sealing.secretKeyB64).ok());
        const auto it = m.sealed.find(field);
        if (it == m.sealed.end()) return {};
        auto opened = unsealer.open(it->second);
        return opened ? *opened : std::string();
    }

    std::unique_ptr<KioskController> controller;
};

TEST_F(ContactFlowTest, ALowNpsIsAskedAndAHighOneIsNot) {
    anonymousFeedback(6);
    ASSERT_EQ(controller->screen(), ScreenId::Contact);
    EXPECT_EQ(controller->contactVm().stage, ContactStage::Ask);
    EXPECT_FALSE(controller->contactVm().consentTicked) << "never ticked before the shopper taps it";
    ASSERT_EQ(store.messages.size(), 1u) << "the answer is saved before the question";
    EXPECT_EQ(store.messages[0].kind, event::EventKind::Feedback);
    tap(K::SkipContact);

    tap(K::Done);
    clock.advanceMs(options.misuseWindowMs);
    anonymousFeedback(7);
    EXPECT_EQ(controller->screen(), ScreenId::ThankYou);
}

TEST_F(ContactFlowTest, ALowCsatIsAskedAndTheThresholdsComeFromTheOptions) {
    anonymousFeedback(9, 2);
    EXPECT_EQ(controller->screen(), ScreenId::Contact);
    tap(K::SkipContact);
    tap(K::Done);

    options.feedback.contactNpsMax = 3;
    options.feedback.contactCsatMax = 0;  // never by CSAT
    remake();
    anonymousFeedback(4, 1);
    EXPECT_EQ(controller->screen(), ScreenId::ThankYou);
    tap(K::Done);
    clock.advanceMs(options.misuseWindowMs);
    anonymousFeedback(3, 5);
    EXPECT_EQ(controller->screen(), ScreenId::Contact);
    tap(K::SkipContact);
    tap(K::Done);

    options.feedback.contactQuestion = false;
    remake();
    clock.advanceMs(options.misuseWindowMs);
    anonymousFeedback(0, 1);
    EXPECT_EQ(controller->screen(), ScreenId::ThankYou);
}

TEST_F(ContactFlowTest, ARepeatInsideTheMisuseWindowIsNotAsked) {
    anonymousFeedback(2);
    ASSERT_EQ(controller->screen(), ScreenId::Contact);
    tap(K::SkipContact);
    tap(K::Done);
    anonymousFeedback(2);  // at once: the hub opens no case for a misuse answer
    EXPECT_EQ(controller->screen(), ScreenId::ThankYou);
}

TEST_F(ContactFlowTest, SkippingAtEveryStepRecordsNothingMore) {
    anonymousFeedback(3);
    tap(K::SkipContact);  // at the question
    EXPECT_EQ(controller->screen(), ScreenId::ThankYou);

    tap(K::Done);
    clock.advanceMs(options.misuseWindowMs);
    anonymousFeedback(3);
    tap(K::AgreeContact);  // refused while the box is not ticked
    EXPECT_EQ(controller->contactVm().stage, ContactStage::Ask);
    tap(K::ToggleContactConsent);
    tap(K::AgreeContact);
    ASSERT_EQ(controller->contactVm().stage, ContactStage::Type) << "not signed in: type a phone or e-mail";
    type("2025550199");
    tap(K::SkipContact);  // while typing
    EXPECT_EQ(controller->screen(), ScreenId::ThankYou);

    tap(K::Done);
    clock.advanceMs(options.misuseWindowMs);
    memberFeedback(1);
    tap(K::ToggleContactConsent);
    tap(K::AgreeContact);
    ASSERT_EQ(controller->contactVm().stage, ContactStage::Choose);
    tap(K::SkipContact);  // at the choice of the member's own contact
    EXPECT_EQ(controller->screen(), ScreenId::ThankYou);

    EXPECT_EQ(store.of(event::EventKind::Feedback).size(), 3u);
    EXPECT_TRUE(store.of(event::EventKind::Consent).empty());
}

TEST_F(ContactFlowTest, InactivityLeavesTheQuestionRecordingNothingAndWipesWhatWasTyped) {
    anonymousFeedback(2);
    tap(K::ToggleContactConsent);
    tap(K::AgreeContact);
    type("20255501");
    EXPECT_EQ(controller->contactVm().phoneText, "20255501");
    const auto before = store.messages.size();
    clock.advanceMs(options.inactivityMs);
    controller->tick();
    ASSERT_TRUE(controller->stillThereShown());
    clock.advanceMs(options.stillThereMs);
    controller->tick();
    EXPECT_EQ(controller->screen(), ScreenId::Attract);
    EXPECT_EQ(store.messages.size(), before) << "no consent and no abandoned survey: the answer was saved";
    EXPECT_TRUE(controller->sessionIsBlank());
    EXPECT_TRUE(controller->contactVm().phoneText.empty());
    EXPECT_FALSE(controller->contactVm().consentTicked);
}

TEST_F(ContactFlowTest, ASignedInShopperChoosesTheirOwnPhone) {
    memberFeedback(4);
    ASSERT_EQ(controller->screen(), ScreenId::Contact);
    tap(K::ToggleContactConsent);
    tap(K::AgreeContact);
    const auto vm = controller->contactVm();
    ASSERT_EQ(vm.stage, ContactStage::Choose);
    EXPECT_TRUE(vm.memberContactIsPhone);
    EXPECT_EQ(vm.memberContact, "0143") << "masked: only the last four digits are shown";
    // Spoken as it is shown, digit by digit, in the shopper's language.
    const auto speech = describeScreen(*controller, texts);
    ASSERT_FALSE(speech.controls.empty());
    EXPECT_EQ(speech.controls[0].id, "contact.use_member");
    EXPECT_NE(speech.controls[0].label.find("0 1 4 3"), std::string::npos) << speech.controls[0].label;

    tap(K::UseMemberContact);
    EXPECT_EQ(controller->screen(), ScreenId::ThankYou);
    const auto feedback = store.of(event::EventKind::Feedback);
    ASSERT_EQ(feedback.size(), 1u);
    const auto consent = onlyContactConsent();
    EXPECT_EQ(consent.properties["purposes"], nlohmann::json::array({"feedback_contact"}));
    EXPECT_EQ(consent.properties["feedbackMessageId"], feedback[0].messageId);
    EXPECT_EQ(unseal(consent, "properties.phone"), "+12025550143");
    EXPECT_EQ(consent.anonymousId, feedback[0].anonymousId) << "the same visit";
}

TEST_F(ContactFlowTest, ASignedInShopperMayTypeAnotherContactInstead) {
    memberFeedback(0);
    tap(K::ToggleContactConsent);
    tap(K::AgreeContact);
    tap(K::TypeOtherContact);
    ASSERT_EQ(controller->contactVm().stage, ContactStage::Type);
    EXPECT_TRUE(controller->contactVm().phoneText.empty()) << "nothing of the sign-in is carried over";
    tap(K::ShowEmail);
    for (const char* ch : {"m", "e", "@", "e", "x", "a", "m", "p", "l", "e", ".", "o", "r", "g"}) {
        controller->apply(Intent::withText(K::KeyChar, ch));
    }
    tap(K::SubmitContact);
    EXPECT_EQ(controller->screen(), ScreenId::ThankYou);
    const auto consent = onlyContactConsent();
    EXPECT_EQ(unseal(consent, "properties.email"), "me@example.org");
    EXPECT_EQ(consent.sealed.count("properties.phone"), 0u);
}

TEST_F(ContactFlowTest, ATypedPhoneIsRefusedUntilValidThenRecordedSealedWithItsNotice) {
    options.contactNoticeId = "care-contact";
    options.contactNoticeVersion = "2027-02";
    remake();
    controller->apply(Intent::withText(K::ChooseLanguage, "pt"));
    anonymousFeedback(3);
    tap(K::ToggleContactConsent);
    tap(K::AgreeContact);
    ASSERT_EQ(controller->contactVm().stage, ContactStage::Type);
    tap(K::SubmitContact);
    EXPECT_EQ(controller->contactVm().errorKey, "signin.error.empty");
    type("123");
    tap(K::SubmitContact);
    EXPECT_EQ(controller->contactVm().errorKey, "signin.error.phone_invalid");
    EXPECT_EQ(controller->screen(), ScreenId::Contact);
    EXPECT_TRUE(store.of(event::EventKind::Consent).empty());
    tap(K::KeyClear);
    type("2025550199");
    EXPECT_TRUE(controller->contactVm().errorKey.empty()) << "typing clears the error";
    tap(K::SubmitContact);
    ASSERT_EQ(controller->screen(), ScreenId::ThankYou);

    const auto feedback = store.of(event::EventKind::Feedback);
    ASSERT_EQ(feedback.size(), 1u);
    const auto consent = onlyContactConsent();
    EXPECT_EQ(consent.event, "Consent Given");
    EXPECT_EQ(consent.properties["noticeId"], "care-contact");
    EXPECT_EQ(consent.properties["noticeVersion"], "2027-02");
    EXPECT_EQ(consent.properties["textSha256"], sha256Hex(texts.text("pt", "contact.notice_text")));
    EXPECT_NE(texts.text("pt", "contact.notice_text"), texts.text("en", "contact.notice_text"));
    EXPECT_EQ(consent.properties["locale"], "pt-US");
    EXPECT_EQ(consent.properties["purposes"], nlohmann::json::array({"feedback_contact"}));
    EXPECT_EQ(consent.properties["feedbackMessageId"], feedback[0].messageId);
    EXPECT_EQ(consent.properties["identityType"], "phone");
    EXPECT_EQ(unseal(consent, "properties.phone"), "+12025550199");
    EXPECT_EQ(event::toJson(consent).dump().find("5550199"), std::string::npos) << "sealed, never plain";
    EXPECT_TRUE(controller->contactVm().phoneText.empty()) << "what was typed is wiped once recorded";
    tap(K::Done);
    EXPECT_TRUE(controller->sessionIsBlank());
}

TEST_F(ContactFlowTest, AScanDuringTheQuestionIsIgnored) {
    anonymousFeedback(2);
    tap(K::ToggleContactConsent);
    controller->apply(Intent::withText(K::CodeScanned, "400012345678"));
    EXPECT_EQ(controller->screen(), ScreenId::Contact);
    EXPECT_TRUE(controller->contactVm().consentTicked);
    EXPECT_TRUE(profiles.requests.empty()) << "no sign-in started";
}

TEST_F(ContactFlowTest, AConsentThatCannotBeSavedIsApologisedFor) {
    anonymousFeedback(5);
    tap(K::ToggleContactConsent);
    tap(K::AgreeContact);
    type("2025550199");
    store.failWith = "disk full";
    tap(K::SubmitContact);
    EXPECT_EQ(controller->screen(), ScreenId::Apology);
    EXPECT_EQ(controller->apologyVm().messageKey, "apology.not_saved");
}

TEST_F(ContactFlowTest, EveryStepIsSpokenInEveryLanguageWithNoMissingText) {
    for (const auto& lang : allLanguages()) {
        remake();
        clock.advanceMs(options.misuseWindowMs);
        controller->apply(Intent::withText(K::ChooseLanguage, lang));
        anonymousFeedback(1);
        auto speech = describeScreen(*controller, texts);
        EXPECT_EQ(speech.key, "contact.ask");
        EXPECT_EQ(speech.title, texts.text(lang, "contact.title"));
        EXPECT_NE(speech.body.find(texts.text(lang, "contact.notice_text")), std::string::npos) << lang;
        tap(K::ToggleContactConsent);
        tap(K::AgreeContact);
        speech = describeScreen(*controller, texts);
        EXPECT_EQ(speech.key, "contact.type.phone");
        EXPECT_EQ(speech.controls.at(speech.initialFocus).id, "key.1") << "focus starts on the keypad";
        for (const auto& key : {"contact.title", "contact.body", "contact.notice_text", "contact.consent_label",
                                "contact.agree", "contact.skip", "contact.choose_title", "contact.use_phone",
                                "contact.use_email", "contact.use_other", "contact.type_title", "contact.submit"}) {
            EXPECT_TRUE(texts.has(lang, key)) << lang << " " << key;
        }
    }
}

}  // namespace
}  // namespace touchpoint::kiosk
