// Sleep: outside the store's opening hours (head office's document), between sessions. The closed message in
// the kiosk's default language, with a button per offered language along the bottom; a touch anywhere shows
// the opening times for a while, a language button shows them in that language, and nothing else happens.
// The staff corner still works (drawn above every screen by KioskUi).
#include "core/i18n.hpp"
#include "screen_frame.hpp"
#include "screens.hpp"
#include "widgets.hpp"

namespace touchpoint::kiosk::ui {

Intent drawSleep(const SleepVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##sleep");
    // The language buttons first: the first item under a touch takes it, and the rest of the screen is one
    // touch target drawn next.
    Intent out = languageRow(ctx, vm.languages, "sleep.lang.", 950, 96, 300, Tone::Quiet);
    ImGui::SetCursorScreenPos(ImVec2(0, 0));
    if (ImGui::InvisibleButton("sleep.wake", ctx.screen()) && out.kind == IntentKind::None) {
        out = Intent::of(IntentKind::Wake);
    }
    ctx.registry.add("sleep.wake", 0, 0, ctx.screen().x, ctx.screen().y);
    if (!vm.showHours) {
        frame.title(ctx.tr("sleep.closed"), 420);
        frame.body(ctx.tr("sleep.touch_hint"), 560, 160, 1600, true, true);
        return out;
    }
    frame.title(ctx.tr("sleep.closed"), 140);
    frame.body(ctx.tr("sleep.hours_title"), 250);
    float y = 340;
    for (const auto& day : vm.days) {
        std::string hours;
        for (const auto& [open, close] : day.periods) {
            if (!hours.empty()) hours += ", ";
            hours += formatText(ctx.tr("sleep.period"), {{"open", open}, {"close", close}});
        }
        if (hours.empty()) hours = ctx.tr("sleep.day_closed");
        frame.body(ctx.tr(day.dayKey), y, 460, 400, false);
        frame.body(hours, y, 900, 700, false);
        y += 80;
    }
    return out;
}

}  // namespace touchpoint::kiosk::ui
