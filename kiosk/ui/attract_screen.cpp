// Attract: the brand, "tap to start", language choice, the accessibility toggles and speech and keypad mode.
// The only motion is a short pulse around the start button every half minute, so the idle kiosk draws almost
// nothing.
#include <cmath>

#include "screen_frame.hpp"
#include "screens.hpp"
#include "widgets.hpp"

namespace touchpoint::kiosk::ui {

Intent drawAttract(const AttractVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##attract");
    Intent out;
    frame.title(ctx.tr("attract.brand"), 150);
    frame.body(ctx.tr("attract.subtitle"), 260);
    frame.body(ctx.tr("attract.scan_hint"), 330, 160, 1600, true, true);

    const ImVec2 startPos(ctx.xs(560), ctx.px(440));
    const ImVec2 startSize(ctx.xs(800), ctx.px(220));
    if (vm.pulse) {
        // A ring that grows and fades once: drawn behind the button.
        const float t = static_cast<float>(*vm.pulse);
        const float grow = ctx.px(60) * t;
        const auto alpha = static_cast<int>(200 * (1.0f - t));
        auto* dl = ImGui::GetWindowDrawList();
        dl->AddRect(ImVec2(startPos.x - grow, startPos.y - grow),
                    ImVec2(startPos.x + startSize.x + grow, startPos.y + startSize.y + grow),
                    (ctx.colors.primary & 0x00FFFFFFu) | (static_cast<ImU32>(alpha) << 24), ctx.px(30), 0,
                    ctx.px(10));
    }
    if (bigButton(ctx, "attract.start", ctx.tr("attract.tap_to_start"), startPos, startSize, Tone::Primary)) {
        out = Intent::of(IntentKind::Start);
    }

    if (auto chosen = languageRow(ctx, vm.languages, "lang.", 740, 104, 320, Tone::Secondary);
        chosen.kind != IntentKind::None) {
        out = chosen;
    }
    // The display and speech choices in one row; speech and keypad mode also starts from any key of its set.
    const float aw = ctx.xs(560);
    const float ay = ctx.px(900);
    if (bigButton(ctx, "a11y.contrast", ctx.tr("a11y.high_contrast"), ImVec2(ctx.xs(100), ay),
                  ImVec2(aw, ctx.px(124)), ctx.display.highContrast ? Tone::Selected : Tone::Quiet)) {
        out = Intent::of(IntentKind::ToggleHighContrast);
    }
    if (bigButton(ctx, "a11y.large", ctx.tr("a11y.large_text"), ImVec2(ctx.xs(680), ay),
                  ImVec2(aw, ctx.px(124)), ctx.display.largeText ? Tone::Selected : Tone::Quiet)) {
        out = Intent::of(IntentKind::ToggleLargeText);
    }
    if (bigButton(ctx, "attract.speech", ctx.tr("attract.speech"), ImVec2(ctx.xs(1260), ay),
                  ImVec2(aw, ctx.px(124)), ctx.display.speech ? Tone::Selected : Tone::Quiet)) {
        out = Intent::of(ctx.display.speech ? IntentKind::StopSpeech : IntentKind::StartSpeech);
    }
    return out;
}

}  // namespace touchpoint::kiosk::ui
