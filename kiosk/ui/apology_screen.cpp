// Apology: the event could not be made durable (disk full, read-only storage). Never a fake "thank you".
#include "screen_frame.hpp"
#include "screens.hpp"
#include "widgets.hpp"

namespace touchpoint::kiosk::ui {

Intent drawApology(const ApologyVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##apology");
    Intent out;
    frame.title(ctx.tr("apology.title"), 300);
    frame.body(ctx.tr(vm.messageKey.empty() ? "apology.not_saved" : vm.messageKey), 420, 310, 1300);
    if (bigButton(ctx, "apology.done", ctx.tr("common.done"), ImVec2(ctx.xs(660), ctx.px(860)),
                  ImVec2(ctx.xs(600), ctx.px(kPrimaryHeight)), Tone::Primary)) {
        out = Intent::of(IntentKind::Done);
    }
    return out;
}

}  // namespace touchpoint::kiosk::ui
