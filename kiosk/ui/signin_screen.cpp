// Sign-in: phone on the app's keypad or email on the app's keyboard (the OS keyboard never shows over a
// full-screen kiosk); a member card or QR can be scanned at any time. Controls sit in the lower two thirds.
#include <algorithm>

#include "identifier_entry.hpp"
#include "screen_frame.hpp"
#include "screens.hpp"
#include "widgets.hpp"

namespace touchpoint::kiosk::ui {

Intent drawSignIn(const SignInVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##signin");
    Intent out;
    // The title wraps to two lines in some languages (French, larger text): the hint goes below it.
    const float titleHeight = frame.title(ctx.tr("signin.title"), 60, 60, 800) / ctx.scale;
    frame.body(ctx.tr("signin.scan_hint"), std::max(170.0f, 60 + titleHeight + 16), 60, 800, true, true);

    const float colX = ctx.xs(80);
    const float colW = ctx.xs(740);
    const float half = (colW - ctx.xs(20)) / 2;
    out = drawIdentifierEntry({"signin", vm.tab, vm.phoneText, vm.emailText, vm.errorKey}, ctx);
    if (bigButton(ctx, "signin.submit", ctx.tr("signin.submit"), ImVec2(colX, ctx.px(770)),
                  ImVec2(colW, ctx.px(kPrimaryHeight)), Tone::Primary)) {
        out = Intent::of(IntentKind::SubmitSignIn);
    }
    if (bigButton(ctx, "signin.skip", ctx.tr("signin.skip"), ImVec2(colX, ctx.px(900)), ImVec2(half, ctx.px(120)))) {
        out = Intent::of(IntentKind::SkipSignIn);
    }
    if (bigButton(ctx, "signin.cancel", ctx.tr("common.cancel"), ImVec2(colX + half + ctx.xs(20), ctx.px(900)),
                  ImVec2(half, ctx.px(120)), Tone::Quiet)) {
        out = Intent::of(IntentKind::Cancel);
    }

    const Intent typed = drawIdentifierKeys(vm.tab, ctx);
    return typed ? typed : out;
}

}  // namespace touchpoint::kiosk::ui
