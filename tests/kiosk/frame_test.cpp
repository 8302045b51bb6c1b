// ImGui frames with no window: a real context, the real font atlas from assets/, mouse state fed by hand.
// A tap on a named widget must yield its intent, every screen must draw in every language with no missing
// glyph, and primary targets must be big and low enough.
#include <gtest/gtest.h>
#include <imgui.h>
#include <imgui_internal.h>  // ImTextCharFromUtf8

#include "core/kiosk_controller.hpp"
#include "kiosk_fakes.hpp"
#include "temp_dir.hpp"
#include "ui/kiosk_ui.hpp"

namespace touchpoint::kiosk {
namespace {

using K = IntentKind;

class FrameTest : public ::testing::Test, protected testing::ControllerParts {
protected:
    FrameTest() {
        ImGui::CreateContext();
        auto& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.KeyMap[ImGuiKey_Enter] = 257;
        setSize(1920, 1080);
        controller = makeController();
    }
    ~FrameTest() override {
        ui.reset();
        ImGui::DestroyContext();
    }

    void setSize(float w, float h) {
        auto& io = ImGui::GetIO();
        io.DisplaySize = ImVec2(w, h);
        io.Fonts->Clear();
        auto f = ui::loadFonts(*io.Fonts, touchpoint::testing::sourceAssetsDir() / "fonts", h / 1080.0f, texts.allTexts());
        ASSERT_TRUE(f.ok()) << f.error();
        fonts = *f;
        unsigned char* pixels = nullptr;
        int tw = 0;
        int th = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &tw, &th);  // what the GL backend uploads
        ui = std::make_unique<ui::KioskUi>(texts, fonts);
    }

    /// One frame with the finger at (x, y); intents are applied like the app does.
    ui::FrameOutput frame(float x = -1e9f, float y = -1e9f, bool down = false, bool apply = true) {
        auto& io = ImGui::GetIO();
        io.DeltaTime = 1.0f / 60.0f;
        io.MousePos = ImVec2(x, y);
        io.MouseDown[0] = down;
        ImGui::NewFrame();
        auto out = ui->draw(*controller, nullptr, registry, clock.monotonicMs());
        ImGui::Render();
        if (apply) {
            for (const auto& i : out.intents) controller->apply(i);
        }
        return out;
    }

    /// Press and release on the named widget; returns the intents of the release frame.
    std::vector<Intent> tap(const std::string& id) {
        frame();
        const auto r = registry.find(id);
        EXPECT_TRUE(r.has_value()) << "no widget " << id << " on " << toString(controller->screen());
        if (!r) return {};
        frame(r->centerX(), r->centerY(), false);
        frame(r->centerX(), r->centerY(), true);
        auto out = frame(r->centerX(), r->centerY(), false);
        frame();
        return out.intents;
    }

    /// Inactivity resets whatever screen is up; then past the cooldown so the next walk starts fresh.
    void restart() {
        clock.advanceMs(options.inactivityMs * 2);
        controller->tick();
        clock.advanceMs(options.stillThereMs * 2);
        controller->tick();
        ASSERT_EQ(controller->screen(), ScreenId::Attract);
        clock.advanceMs(5LL * 3600 * 1000);
        controller->tick();
    }

    /// Vertices drawn with their top between y0 and y1 (px) in the last frame: text and shapes, not the
    /// background.
    std::size_t verticesBetween(float y0, float y1) const {
        std::size_t n = 0;
        const ImDrawData* data = ImGui::GetDrawData();
        for (int l = 0; data != nullptr && l < data->CmdListsCount; ++l) {
            for (const ImDrawVert& v : data->CmdLists[l]->VtxBuffer) n += (v.pos.y > y0 && v.pos.y < y1) ? 1 : 0;
        }
        return n;
    }

    void expectNoMissingGlyphs(const std::string& where) {
        frame();
        for (const auto c : registry.missingGlyphs()) ADD_FAILURE() << where << ": missing glyph U+" << std::hex << c;
    }

    std::unique_ptr<KioskController> controller;
    ui::Fonts fonts;
    ui::WidgetRegistry registry;
    std::unique_ptr<ui::KioskUi> ui;
};

TEST_F(FrameTest, ATapOnANamedWidgetYieldsItsIntent) {
    auto intents = tap("lang.fr");
    ASSERT_EQ(intents.size(), 1u);
    EXPECT_EQ(intents[0].kind, K::ChooseLanguage);
    EXPECT_EQ(intents[0].text, "fr");
    EXPECT_EQ(controller->displayVm().language, "fr");
    intents = tap("attract.start");
    ASSERT_EQ(intents.size(), 1u);
    EXPECT_EQ(intents[0].kind, K::Start);
    EXPECT_EQ(controller->screen(), ScreenId::SignIn);
    intents = tap("key.7");
    ASSERT_EQ(intents.size(), 1u);
    EXPECT_EQ(intents[0].kind, K::KeyChar);
    EXPECT_EQ(intents[0].text, "7");
    EXPECT_EQ(controller->signInVm().phoneText, "7");
}

TEST_F(FrameTest, PressingAloneDoesNothingAndAMissedTapHitsNothing) {
    frame();
    const auto r = registry.find("attract.start").value();
    frame(r.centerX(), r.centerY(), false);
    EXPECT_TRUE(frame(r.centerX(), r.centerY(), true).intents.empty());  // fires on release, not on press
    EXPECT_TRUE(frame(5, 1070, false).intents.empty());  // released elsewhere: cancelled
    EXPECT_TRUE(frame(5, 1070, true).intents.empty());
    EXPECT_TRUE(frame(5, 1070, false).intents.empty());
    EXPECT_EQ(controller->screen(), ScreenId::Attract);
}

TEST_F(FrameTest, ADisabledButtonYieldsNothing) {
    signUpUntilConsent(*controller);
    ASSERT_EQ(controller->screen(), ScreenId::Consent);
    EXPECT_TRUE(tap("consent.accept").empty());
    tap("consent.terms");
    EXPECT_TRUE(controller->consentVm().termsTicked);
    const auto intents = tap("consent.accept");
    ASSERT_EQ(intents.size(), 1u);
    EXPECT_EQ(intents[0].kind, K::AcceptConsent);
}

TEST_F(FrameTest, TheStillThereOverlayTakesEveryTap) {
    tap("attract.start");
    clock.advanceMs(options.inactivityMs);
    controller->tick();
    ASSERT_TRUE(controller->stillThereShown());
    frame();
    const auto behind = registry.find("signin.submit");
    ASSERT_TRUE(behind.has_value());
    frame(behind->centerX(), behind->centerY(), false);
    frame(behind->centerX(), behind->centerY(), true);
    EXPECT_TRUE(frame(behind->centerX(), behind->centerY(), false).intents.empty());
    const auto intents = tap("stillthere.continue");
    ASSERT_EQ(intents.size(), 1u);
    EXPECT_EQ(intents[0].kind, K::StillHere);
    EXPECT_FALSE(controller->stillThereShown());
}

TEST_F(FrameTest, AScannerBurstBecomesACodeScannedIntent) {
    auto& io = ImGui::GetIO();
    for (char c : std::string("400012345678")) io.AddInputCharacter(static_cast<unsigned char>(c));
    frame();
    io.KeysDown[257] = true;
    const auto out = frame();
    io.KeysDown[257] = false;
    ASSERT_EQ(out.intents.size(), 1u);
    EXPECT_EQ(out.intents[0].kind, K::CodeScanned);
    EXPECT_EQ(out.intents[0].text, "400012345678");
    EXPECT_EQ(controller->screen(), ScreenId::Welcome);
}

TEST_F(FrameTest, ALongPressInTheTopLeftCornerAsksForStaffMode) {
    frame();
    frame(20, 20, true, false);
    clock.advanceMs(2000);
    EXPECT_TRUE(frame(20, 20, true, false).intents.empty());
    clock.advanceMs(1000);
    const auto out = frame(20, 20, true, false);
    ASSERT_EQ(out.intents.size(), 1u);
    EXPECT_EQ(out.intents[0].kind, K::OpenStaff);
    EXPECT_TRUE(frame(20, 20, true, false).intents.empty());  // once per press
}

/// Walks through every screen state, calling `check` on each with a name.
template <class F>
void visitEveryScreen(FrameTest& t, KioskController& c, testing::FakeProfiles& profiles, RunQueue& queue,
                      ManualClock& clock, const FlowOptions& options, F&& check) {
    auto digits = [&](const std::string& s) {
        for (char ch : s) c.apply(Intent::withText(K::KeyChar, std::string(1, ch)));
    };
    check("attract");
    c.apply(Intent::of(K::Start));
    check("signin-phone");
    digits("123");
    c.apply(Intent::of(K::SubmitSignIn));
    check("signin-phone-error");
    c.apply(Intent::of(K::ShowEmail));
    check("signin-email");
    c.apply(Intent::of(K::KeyClear));
    c.apply(Intent::of(K::ShowPhone));
    c.apply(Intent::of(K::KeyClear));
    digits("2025550143");
    c.apply(Intent::of(K::SubmitSignIn));
    check("welcome-loading");
    profiles.answer(WelcomeInfo{});
    queue.drain();
    check("consent");
    c.apply(Intent::of(K::ToggleTerms));
    c.apply(Intent::of(K::AcceptConsent));
    check("welcome-new-member");
    // A signed-in detractor is offered their own phone for the contact question.
    c.apply(Intent::of(K::StartFeedback));
    for (int i = 0; i < 6 && c.screen() == ScreenId::Feedback; ++i) {
        const auto step = c.feedbackVm().step;
        if (step.type == StepType::Choice) c.apply(Intent::withText(K::ToggleOption, step.options.front().id));
        c.apply(Intent::withValue(K::Score, step.minScore()));
        c.apply(Intent::of(K::NextStep));
    }
    c.apply(Intent::of(K::ToggleContactConsent));
    c.apply(Intent::of(K::AgreeContact));
    check("contact-choose");
    c.apply(Intent::of(K::SkipContact));
    c.apply(Intent::of(K::Done));
    clock.advanceMs(options.misuseWindowMs);  // the next answer is no repeat: it is asked too
    c.apply(Intent::withText(K::CodeScanned, "400012345678"));
    WelcomeInfo w;
    w.found = true;
    w.firstInitial = "É";
    w.tier = "Silver";
    w.points = 340;
    w.nextTier = "Gold";
    w.pointsToNextTier = 160;
    w.progress = 0.68;
    w.pointsPerCheckin = 10;
    w.nextStepText = "You can redeem a free coffee today";
    profiles.answer(w);
    queue.drain();
    check("welcome-member");
    c.apply(Intent::of(K::StartFeedback));
    for (int score : {3, -1, 4, 5, -1}) {
        check("feedback-" + c.feedbackVm().step.id);
        if (score >= 0) c.apply(Intent::withValue(K::Score, score));
        if (c.feedbackVm().step.type == StepType::Choice) {
            c.apply(Intent::withText(K::ToggleOption, c.feedbackVm().step.options.front().id));
        }
        if (c.feedbackVm().step.type == StepType::Comment) c.apply(Intent::withText(K::KeyChar, "é"));
        c.apply(Intent::of(K::NextStep));
    }
    check("contact-ask");
    c.apply(Intent::of(K::ToggleContactConsent));
    check("contact-ask-ticked");
    c.apply(Intent::of(K::AgreeContact));
    check("contact-type-phone");  // signed in with a member card: nothing to offer, a phone or e-mail is typed
    digits("123");
    c.apply(Intent::of(K::SubmitContact));
    check("contact-type-error");
    c.apply(Intent::of(K::ShowEmail));
    check("contact-type-email");
    c.apply(Intent::of(K::SkipContact));
    check("thankyou");
    c.apply(Intent::of(K::Done));
    c.apply(Intent::of(K::Start));
    clock.advanceMs(options.inactivityMs);
    c.tick();
    check("stillthere");
    c.apply(Intent::of(K::StillHere));
    c.apply(Intent::of(K::Cancel));
    c.apply(Intent::withText(K::CodeScanned, "400012345678"));
    profiles.answer(Fail(std::string("offline")));
    queue.drain();
    check("consent-offline");
    (void)t;
}

TEST_F(FrameTest, TheSleepScreenDrawsInEveryLanguageAndATapAnywhereShowsTheHours) {
    content::OpeningHours hours;
    hours.timeZone = "UTC";
    for (auto& day : hours.days) day = {{8 * 60, 20 * 60}};
    hours.days[6].clear();
    options.openingHours = hours;
    clock.setUtcMs(1'700'000'000'000);  // Tuesday 22:13 UTC: closed
    for (const auto& lang : allLanguages()) {
        options.defaultLanguage = lang;
        controller = makeController();
        controller->tick();
        ASSERT_EQ(controller->screen(), ScreenId::Sleep);
        expectNoMissingGlyphs(lang + "/sleep");
        // Anywhere on the screen, away from every button the attract screen had.
        frame(ImGui::GetIO().DisplaySize.x * 0.8f, ImGui::GetIO().DisplaySize.y * 0.8f, false);
        frame(ImGui::GetIO().DisplaySize.x * 0.8f, ImGui::GetIO().DisplaySize.y * 0.8f, true);
        const auto out = frame(ImGui::GetIO().DisplaySize.x * 0.8f, ImGui::GetIO().DisplaySize.y * 0.8f, false);
        ASSERT_EQ(out.intents.size(), 1u) << lang;
        EXPECT_EQ(out.intents[0].kind, IntentKind::Wake);
        EXPECT_TRUE(controller->sleepVm().showHours);
        expectNoMissingGlyphs(lang + "/sleep.hours");
        EXPECT_EQ(controller->screen(), ScreenId::Sleep);
    }
    // A language button along the bottom, not the touch anywhere, takes a tap on it.
    const std::string other = allLanguages().front();
    ASSERT_NE(other, options.defaultLanguage);
    const auto intents = tap("sleep.lang." + other);
    ASSERT_EQ(intents.size(), 1u);
    EXPECT_EQ(intents[0].kind, IntentKind::ChooseLanguage);
    EXPECT_EQ(intents[0].text, other);
    EXPECT_EQ(controller->displayVm().language, other);
    EXPECT_TRUE(controller->sleepVm().showHours);
}

TEST_F(FrameTest, EveryScreenDrawsInEveryLanguageWithNoMissingGlyph) {
    for (const auto& lang : allLanguages()) {
        for (bool large : {false, true}) {
            controller->apply(Intent::of(K::Cancel));
            controller->apply(Intent::withText(K::ChooseLanguage, lang));
            if (large) controller->apply(Intent::of(K::ToggleLargeText));
            visitEveryScreen(*this, *controller, profiles, queue, clock, options,
                             [&](const std::string& screen) { expectNoMissingGlyphs(lang + "/" + screen); });
            restart();
        }
    }
    // The apology needs a store that fails.
    store.failWith = "disk_full";
    for (const auto& lang : allLanguages()) {
        controller->apply(Intent::withText(K::ChooseLanguage, lang));
        controller->apply(Intent::of(K::Start));
        controller->apply(Intent::of(K::SkipSignIn));
        for (int i = 0; i < 6 && controller->screen() == ScreenId::Feedback; ++i) {
            controller->apply(Intent::withValue(K::Score, controller->feedbackVm().step.maxScore()));
            controller->apply(Intent::of(K::NextStep));
        }
        ASSERT_EQ(controller->screen(), ScreenId::Apology);
        expectNoMissingGlyphs(lang + "/apology");
        controller->apply(Intent::of(K::Done));
    }
}

TEST_F(FrameTest, TextTheFontCannotDrawIsReported) {
    controller->apply(Intent::withText(K::CodeScanned, "400012345678"));
    WelcomeInfo w;
    w.found = true;
    w.nextStepText = "\u6F22 coffee";  // from the hub: a character outside the atlas
    profiles.answer(w);
    queue.drain();
    frame();
    EXPECT_EQ(registry.missingGlyphs(), (std::set<std::uint32_t>{0x6F22}));
}

TEST_F(FrameTest, ANewMembersWelcomeIsNeverBlankBelowItsTitle) {
    tap("attract.start");
    for (const char c : std::string("2025550143")) tap(std::string("key.") + c);
    tap("signin.submit");
    profiles.answer(WelcomeInfo{});  // the hub does not know this shopper yet
    queue.drain();
    ASSERT_EQ(controller->screen(), ScreenId::Consent);
    tap("consent.terms");
    tap("consent.accept");
    ASSERT_EQ(controller->screen(), ScreenId::Welcome);
    ASSERT_EQ(controller->welcomeVm().state, WelcomeState::NewMember);
    frame();
    // Between the title (top) and the buttons (bottom): the points, tier, progress and reward lines.
    const std::size_t before = verticesBetween(200, 880);
    EXPECT_GT(before, 400u) << "the new member's welcome is blank below its title";
    expectNoMissingGlyphs("welcome-new-member-preview");
    // Without the kiosk's own figures the same screen was empty there: the check can fail.
    ASSERT_TRUE(controller->welcomeVm().preview.has_value());
}

TEST_F(FrameTest, TheAtlasHasEveryGlyphOfEveryTranslation) {
    for (ImFont* font : {fonts.normal.body, fonts.normal.bold, fonts.normal.title, fonts.large.body, fonts.large.title}) {
        for (const auto& text : texts.allTexts()) {
            const char* p = text.c_str();
            while (*p != 0) {
                unsigned int c = 0;
                p += ImTextCharFromUtf8(&c, p, nullptr);
                if (c >= 0x20) {
                    EXPECT_NE(font->FindGlyphNoFallback(static_cast<ImWchar>(c)), nullptr) << text;
                }
            }
        }
    }
}

void checkTargets(FrameTest& t, const ui::WidgetRegistry& registry, float height, const std::string& where) {
    const float scale = height / 1080.0f;
    // An empty registry (no widget recorded its rectangle) would pass every check below.
    ASSERT_FALSE(registry.all().empty()) << where << ": no widget was registered";
    int primaries = 0;
    for (const auto& w : registry.all()) {
        if (w.id == "staff.corner" || w.id == "signin.field" || w.id == "contact.field" || w.id == "feedback.comment") {
            continue;
        }
        // Key controls sit in the lower two thirds of the screen (reach from a wheelchair).
        EXPECT_GE(w.y, height / 3.0f - 1) << where << ": " << w.id;
        const bool key = w.id.rfind("key.", 0) == 0;
        const bool primary = !key && w.id.rfind("nps.", 0) != 0 && w.id.rfind("ces.", 0) != 0;
        if (primary) {
            ++primaries;
            EXPECT_GE(w.h, 96.0f * scale - 0.5f) << where << ": " << w.id;
        } else if (key) {
            EXPECT_GE(w.h, 72.0f * scale) << where << ": " << w.id;
        }
    }
    EXPECT_GT(primaries, 0) << where << ": no primary target was checked";
    (void)t;
}

TEST_F(FrameTest, PrimaryTargetsAreTallAndLowAtAnyResolution) {
    for (const auto& size : {ImVec2(1920, 1080), ImVec2(1280, 800)}) {
        setSize(size.x, size.y);
        controller->apply(Intent::of(K::Cancel));
        visitEveryScreen(*this, *controller, profiles, queue, clock, options, [&](const std::string& screen) {
            frame();
            checkTargets(*this, registry, size.y, screen);
        });
        restart();
    }
}

}  // namespace
}  // namespace touchpoint::kiosk
