// "Still there?": after inactivity, over whatever screen is up, with a visible countdown (WCAG 2.2.1: at
// least 20 s and one simple action to continue). Modal: the full-screen overlay window takes every tap.
#include "core/i18n.hpp"
#include "screen_frame.hpp"
#include "screens.hpp"
#include "widgets.hpp"

namespace touchpoint::kiosk::ui {

Intent drawStillThere(const StillThereVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##stillthere", /*overlay=*/true);
    Intent out;
    const ImVec2 p0(ctx.xs(410), ctx.px(300));
    const ImVec2 p1(ctx.xs(1510), ctx.px(900));
    auto* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p0, p1, ctx.colors.panel, ctx.px(24));
    dl->AddRect(p0, p1, ctx.colors.outline, ctx.px(24), 0, ctx.px(3));
    frame.title(ctx.tr("stillthere.title"), 360, 410, 1100);
    frame.body(formatText(ctx.tr("stillthere.body"), {{"seconds", std::to_string(vm.secondsLeft)}}), 480, 470, 980);
    if (bigButton(ctx, "stillthere.continue", ctx.tr("stillthere.continue"), ImVec2(ctx.xs(560), ctx.px(700)),
                  ImVec2(ctx.xs(800), ctx.px(kPrimaryHeight + 16)), Tone::Primary)) {
        out = Intent::of(IntentKind::StillHere);
    }
    return out;
}

}  // namespace touchpoint::kiosk::ui
