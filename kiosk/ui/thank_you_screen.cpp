// Thank you: shown only after the outbox COMMIT returned, then back to attract on a timer or a tap.
#include "screen_frame.hpp"
#include "screens.hpp"
#include "widgets.hpp"

namespace touchpoint::kiosk::ui {

Intent drawThankYou(const ThankYouVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##thankyou");
    Intent out;
    frame.title(ctx.tr("thanks.title"), 360);
    float y = 470;
    if (vm.member) {
        frame.body(ctx.tr("thanks.member"), y);
        y += 60;
    }
    frame.body(ctx.tr("thanks.body"), y);
    if (bigButton(ctx, "thanks.done", ctx.tr("common.done"), ImVec2(ctx.xs(660), ctx.px(860)),
                  ImVec2(ctx.xs(600), ctx.px(kPrimaryHeight)), Tone::Primary)) {
        out = Intent::of(IntentKind::Done);
    }
    return out;
}

}  // namespace touchpoint::kiosk::ui
