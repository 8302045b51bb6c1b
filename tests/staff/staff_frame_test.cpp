// Staff screens drawn with a real ImGui context and font atlas but no window: a tap at the centre of a named
// widget (press, then release a frame later, as a finger does) must yield that widget's intent, and every
// page must draw with no missing glyph and with its controls on screen.
#include <gtest/gtest.h>

#include <imgui.h>

#include "staff/pin.hpp"
#include "staff_screens.hpp"
#include "temp_dir.hpp"
#include "ui/theme.hpp"
#include "ui/widget_registry.hpp"

namespace touchpoint::kiosk::ui::staff {
namespace {

using Page = kiosk::staff::StaffPage;

const std::vector<std::string> kLanguages{"en", "es", "fr", "de", "pt"};
using Kind = StaffIntent::Kind;

class StaffFrames : public ::testing::Test {
protected:
    void SetUp() override {
        m_context = ImGui::CreateContext();
        auto& io = ImGui::GetIO();
        io.DisplaySize = ImVec2(1920, 1080);
        io.IniFilename = nullptr;
        io.DeltaTime = 1.0f / 60.0f;
        auto texts = Translations::loadKiosk(touchpoint::testing::sourceAssetsDir() / "i18n", kLanguages);
        ASSERT_TRUE(texts) << texts.error();
        m_texts = std::move(texts).value();
        // As the app does: the atlas holds the glyphs of every table, the staff ones included.
        auto fonts = loadFonts(*io.Fonts, touchpoint::testing::sourceAssetsDir() / "fonts", 1.0f, m_texts->allTexts());
        ASSERT_TRUE(fonts) << fonts.error();
        m_fonts = *fonts;
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    }
    void TearDown() override { ImGui::DestroyContext(m_context); }

    StaffIntent frame(const StaffVm& vm, ImVec2 mouse = ImVec2(-1, -1), bool down = false) {
        auto& io = ImGui::GetIO();
        io.MousePos = mouse;
        io.MouseDown[0] = down;
        m_now += 16;
        ImGui::NewFrame();
        registry.beginFrame();
        UiContext ctx(*m_texts, DisplayVm{language, false, false}, registry, m_fonts, 1.0f, m_now);
        ImGui::PushFont(ctx.font().body);
        const StaffIntent intent = drawStaffPage(vm, ctx);
        ImGui::PopFont();
        ImGui::Render();
        return intent;
    }

    /// Draws once to find `id`, then presses and releases at its centre; returns the release frame's intent.
    StaffIntent tap(const StaffVm& vm, const std::string& id) {
        frame(vm);
        const auto rect = registry.find(id);
        EXPECT_TRUE(rect) << "no widget " << id;
        if (!rect) return {};
        const ImVec2 at(rect->centerX(), rect->centerY());
        EXPECT_EQ(frame(vm, at, false).kind, Kind::None);  // the pointer arrives
        EXPECT_EQ(frame(vm, at, true).kind, Kind::None);   // press: nothing fires yet
        const StaffIntent released = frame(vm, at, false);
        frame(vm);  // the finger leaves
        return released;
    }

    void expectOnScreenAndNoMissingGlyphs(const StaffVm& vm) {
        frame(vm);
        EXPECT_TRUE(registry.missingGlyphs().empty()) << "page " << kiosk::staff::toString(vm.page);
        // With nothing registered the bounds checks below would pass on a blank page.
        EXPECT_FALSE(registry.all().empty()) << "page " << kiosk::staff::toString(vm.page) << " registered no widget";
        for (const auto& r : registry.all()) {
            EXPECT_GE(r.x, 0) << r.id;
            EXPECT_GE(r.y, 0) << r.id;
            EXPECT_LE(r.x + r.w, 1920.5f) << r.id;
            EXPECT_LE(r.y + r.h, 1080.5f) << r.id;
        }
    }

    WidgetRegistry registry;
    std::string language = "en";
    std::optional<Translations> m_texts;

private:
    ImGuiContext* m_context = nullptr;
    Fonts m_fonts;
    std::int64_t m_now = 1000;
};

StaffVm page(kiosk::staff::StaffPage p) {
    StaffVm vm;
    vm.page = p;
    vm.syncAvailable = true;
    vm.idleRemainingMs = 42'000;
    vm.sync = kiosk::staff::describeSyncHealth({}, 0);
    return vm;
}

TEST_F(StaffFrames, PinPadTapsAreDigitsDeleteAndOk) {
    StaffVm vm = page(Page::Pin);
    EXPECT_EQ(tap(vm, "staff.pin.7").key, '7');
    EXPECT_EQ(tap(vm, "staff.pin.0").kind, Kind::PinDigit);
    EXPECT_EQ(tap(vm, "staff.pin.delete").kind, Kind::PinBackspace);
    EXPECT_EQ(tap(vm, "staff.pin.ok").kind, Kind::None) << "OK is disabled with no digits";
    vm.pin.digitsEntered = 4;
    EXPECT_EQ(tap(vm, "staff.pin.ok").kind, Kind::PinSubmit);
    EXPECT_EQ(tap(vm, "staff.leave").kind, Kind::Leave);
    vm.pin.locked = true;
    vm.pin.lockRemainingMs = 240'000;
    EXPECT_EQ(tap(vm, "staff.pin.5").kind, Kind::None) << "the pad is dead while locked";
    // Primary targets are at least 96 px tall at 1080p and sit in the lower two thirds.
    const auto key = registry.find("staff.pin.5");
    ASSERT_TRUE(key);
    EXPECT_GE(key->h, 96.0f);
    EXPECT_GE(key->y, 360.0f);
}

TEST_F(StaffFrames, HomeButtonsOpenEachPage) {
    const StaffVm vm = page(Page::Home);
    EXPECT_EQ(tap(vm, "staff.home.lookup").page, Page::Lookup);
    EXPECT_EQ(tap(vm, "staff.home.sync").page, Page::SyncHealth);
    EXPECT_EQ(tap(vm, "staff.home.dead").page, Page::DeadLetters);
    EXPECT_EQ(tap(vm, "staff.home.info").page, Page::KioskInfo);
    EXPECT_EQ(tap(vm, "staff.home.exit").kind, Kind::AskExit);
    EXPECT_EQ(tap(vm, "staff.home.restart").kind, Kind::AskRestartUploader);
}

TEST_F(StaffFrames, LookupTypesOnTheAppsOwnKeypadAndKeyboard) {
    StaffVm vm = page(Page::Lookup);
    EXPECT_EQ(tap(vm, "key.5").key, '5');
    EXPECT_EQ(tap(vm, "staff.lookup.mode.email").mode, kiosk::staff::LookupMode::Email);
    vm.lookup.mode = kiosk::staff::LookupMode::Email;
    EXPECT_EQ(tap(vm, "key.a").key, 'a');
    EXPECT_EQ(tap(vm, "key.@").key, '@');
    EXPECT_EQ(tap(vm, "staff.lookup.submit").kind, Kind::None) << "nothing typed yet";
    vm.lookup.input = "ana@example.com";
    EXPECT_EQ(tap(vm, "staff.lookup.submit").kind, Kind::LookupSubmit);
    EXPECT_EQ(tap(vm, "staff.back").kind, Kind::Back);
}

TEST_F(StaffFrames, AnOfflineAnswerIsMarkedWithItsAge) {
    StaffVm vm = page(Page::Lookup);
    kiosk::staff::LookupResultVm r;
    r.outcome = kiosk::staff::LookupOutcome::Cached;
    r.problem = kiosk::staff::LookupProblem::Offline;
    r.ageMs = 3 * 3'600'000;
    r.nowUtcMs = 1'700'000'000'000;
    kiosk::staff::LoyaltyStatus s;
    s.firstInitial = "J";
    s.tier = "Silver";
    s.points = 340;
    s.nextTier = "Gold";
    s.pointsToNextTier = 160;
    s.progress = 0.68;
    s.rewards = {{"coffee", "Free coffee", 300}};
    s.lastVisitsUtcMs = {{"web", r.nowUtcMs - 86'400'000}};
    s.latestNps = 9;
    s.journeyStage = "retention";
    r.status = s;
    vm.lookup.result = r;
    expectOnScreenAndNoMissingGlyphs(vm);
    EXPECT_TRUE(registry.find("staff.lookup.offline_banner"));
    vm.lookup.result->outcome = kiosk::staff::LookupOutcome::Found;
    frame(vm);
    EXPECT_FALSE(registry.find("staff.lookup.offline_banner")) << "a fresh answer is not marked offline";

    // Past the hub's limit on one staff token's lookups, the cached answer says to wait, in every language.
    vm.lookup.result->outcome = kiosk::staff::LookupOutcome::Cached;
    vm.lookup.result->problem = kiosk::staff::LookupProblem::TooManyLookups;
    for (const auto& lang : kLanguages) {
        SCOPED_TRACE(lang);
        language = lang;
        EXPECT_TRUE(m_texts->has(lang, "staff.lookup.problem.too_many_lookups"));
        expectOnScreenAndNoMissingGlyphs(vm);
        EXPECT_TRUE(registry.find("staff.lookup.offline_banner"));
    }
}

TEST_F(StaffFrames, DeadLetterActionsAskFirst) {
    StaffVm vm = page(Page::DeadLetters);
    vm.deadLetters.rows = {{7, "feedback", "answers.nps: out of range", 200, 1, 0}};
    vm.deadLetters.total = 1;
    const auto replay = tap(vm, "staff.dead.replay.7");
    EXPECT_EQ(replay.kind, Kind::AskReplay);
    EXPECT_EQ(replay.id, 7);
    EXPECT_EQ(tap(vm, "staff.dead.drop.7").kind, Kind::AskDrop);
    EXPECT_EQ(tap(vm, "staff.dead.replay_all").kind, Kind::AskReplayAll);
    EXPECT_EQ(tap(vm, "staff.dead.drop_all").kind, Kind::AskDropAll);

    vm.confirm = {kiosk::staff::ConfirmAction::ReplayOne, 7};
    EXPECT_EQ(tap(vm, "staff.confirm.yes").kind, Kind::Confirm);
    EXPECT_EQ(tap(vm, "staff.confirm.no").kind, Kind::CancelConfirm);
    // The modal takes the taps: the row's buttons underneath do nothing.
    frame(vm);
    EXPECT_EQ(tap(vm, "staff.dead.drop.7").kind, Kind::None);
}

TEST_F(StaffFrames, SyncPageButtons) {
    const StaffVm vm = page(Page::SyncHealth);
    EXPECT_EQ(tap(vm, "staff.sync.now").kind, Kind::SyncNow);
    EXPECT_EQ(tap(vm, "staff.sync.restart").kind, Kind::AskRestartUploader);
    EXPECT_EQ(tap(vm, "staff.sync.dead").page, Page::DeadLetters);
    frame(vm);
    EXPECT_FALSE(registry.find("staff.sync.recover")) << "no set-aside file, no offer";
}

TEST_F(StaffFrames, SyncPageOffersToRecoverSetAsideFiles) {
    StaffVm vm = page(Page::SyncHealth);
    vm.recovery.available = true;
    vm.recovery.pendingFiles = 1;
    EXPECT_EQ(tap(vm, "staff.sync.recover").kind, Kind::AskRecover);
    EXPECT_EQ(tap(vm, "staff.sync.now").kind, Kind::SyncNow) << "the other buttons still work";
    vm.recovery.running = true;
    frame(vm);
    EXPECT_FALSE(registry.find("staff.sync.recover")) << "not offered twice while it runs";
    vm.recovery = {true, 0, false, kiosk::staff::RecoveryOutcome{1, 2988, 0, 12, 0}, ""};
    frame(vm);
    EXPECT_FALSE(registry.find("staff.sync.recover")) << "nothing left to recover";
}

TEST_F(StaffFrames, EveryPageDrawsOnScreenWithEveryGlyphInEveryLanguage) {
    for (const auto& lang : kLanguages) {
        SCOPED_TRACE(lang);
        language = lang;
        for (const auto p : {Page::Pin, Page::Home, Page::Lookup, Page::SyncHealth, Page::DeadLetters, Page::KioskInfo}) {
            StaffVm vm = page(p);
            vm.pin.lastWrong = true;
            vm.pin.attemptsLeft = 3;
            vm.sync.drops = {{"evicted_heartbeat", 2}};
            vm.sync.lastError = "cannot connect to the hub";
            vm.sync.configRefusal = "cfg-12: texts.es: no text for \"survey.q.nps\"";
            vm.info.identity = {"store-0001", "kiosk-01", "0.1.0", "/etc/touchpoint/kiosk.toml", "/var/lib/touchpoint/outbox.db"};
            vm.info.freeDiskBytes = 12'000'000'000ULL;
            vm.info.clockOffsetMs = 1200;
            vm.recovery = {true, 2, false, kiosk::staff::RecoveryOutcome{1, 2988, 3, 12, 40}, ""};
            expectOnScreenAndNoMissingGlyphs(vm);
            vm.recovery.problem = "live outbox: disk full";
            expectOnScreenAndNoMissingGlyphs(vm);
            vm.recovery.running = true;
            expectOnScreenAndNoMissingGlyphs(vm);
            for (const auto a : {kiosk::staff::ConfirmAction::ExitApp, kiosk::staff::ConfirmAction::DropAll,
                                 kiosk::staff::ConfirmAction::RestartUploader,
                                 kiosk::staff::ConfirmAction::RecoverSetAside}) {
                vm.confirm.action = a;
                expectOnScreenAndNoMissingGlyphs(vm);
            }
        }
    }
    // The shared keypad's own labels come from the shopper table, in the kiosk's language.
    EXPECT_EQ(m_texts->text("de", "keys.backspace"),
              Translations::load(touchpoint::testing::sourceAssetsDir() / "i18n", {"de"})->text("de", "keys.backspace"));
}

TEST_F(StaffFrames, StaffTextsAreTranslatedInEveryLanguage) {
    const auto keys = m_texts->allKeys();
    std::size_t staffKeys = 0;
    for (const auto& key : keys) {
        if (key.rfind("staff.", 0) != 0) continue;
        ++staffKeys;
        for (const auto& lang : kLanguages) EXPECT_TRUE(m_texts->has(lang, key)) << lang << " lacks " << key;
    }
    EXPECT_GT(staffKeys, 100u);
    // Real translations, not English copies: only words that are the same in both languages ("OK", "Web",
    // "{kind}: {reason}") may match the English text.
    for (const auto& lang : kLanguages) {
        if (lang == "en") continue;
        std::size_t same = 0;
        for (const auto& key : keys) {
            if (key.rfind("staff.", 0) == 0 && !m_texts->text("en", key).empty() &&
                m_texts->text(lang, key) == m_texts->text("en", key)) {
                ++same;
            }
        }
        EXPECT_LE(same, staffKeys / 10) << lang << ": " << same << " staff texts are the English ones";
    }
    EXPECT_EQ(m_texts->text("de", "staff.lookup.submit"), "Nachschlagen");
    EXPECT_EQ(m_texts->text("pt", "staff.home.title"), "Modo funcionário");
}

}  // namespace
}  // namespace touchpoint::kiosk::ui::staff
