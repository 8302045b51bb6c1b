// Consent for new members: the loyalty terms (required) and marketing (separate, unticked by default). The
// terms text drawn here is exactly the text whose SHA-256 the consent event records.
#include "screen_frame.hpp"
#include "screens.hpp"
#include "widgets.hpp"

namespace touchpoint::kiosk::ui {

Intent drawConsent(const ConsentVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##consent");
    Intent out;
    frame.title(ctx.tr("consent.title"), 50);
    const ImVec2 panel(ctx.xs(210), ctx.px(150));
    const ImVec2 panelMax(ctx.xs(1710), ctx.px(540));
    auto* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(panel, panelMax, ctx.colors.panel, ctx.px(18));
    dl->AddRect(panel, panelMax, ctx.colors.outline, ctx.px(18), 0, ctx.px(2));
    textBlock(ctx, ctx.font().body, ctx.tr(vm.termsKey), ImVec2(panel.x + ctx.xs(40), panel.y + ctx.px(30)),
              panelMax.x - panel.x - ctx.xs(80), ctx.colors.text, false);

    if (toggleRow(ctx, "consent.terms", ctx.tr("consent.terms_label"), vm.termsTicked, ImVec2(ctx.xs(210), ctx.px(570)),
                  ctx.xs(1500))) {
        out = Intent::of(IntentKind::ToggleTerms);
    }
    if (toggleRow(ctx, "consent.marketing", ctx.tr(vm.marketingKey), vm.marketingTicked,
                  ImVec2(ctx.xs(210), ctx.px(700)), ctx.xs(1500))) {
        out = Intent::of(IntentKind::ToggleMarketing);
    }
    if (bigButton(ctx, "consent.accept", ctx.tr("consent.accept"), ImVec2(ctx.xs(210), ctx.px(880)),
                  ImVec2(ctx.xs(700), ctx.px(kPrimaryHeight)), Tone::Primary, vm.termsTicked)) {
        out = Intent::of(IntentKind::AcceptConsent);
    }
    if (bigButton(ctx, "consent.decline", ctx.tr("consent.decline"), ImVec2(ctx.xs(950), ctx.px(880)),
                  ImVec2(ctx.xs(360), ctx.px(kPrimaryHeight)))) {
        out = Intent::of(IntentKind::DeclineConsent);
    }
    if (bigButton(ctx, "consent.cancel", ctx.tr("common.cancel"), ImVec2(ctx.xs(1350), ctx.px(880)),
                  ImVec2(ctx.xs(360), ctx.px(kPrimaryHeight)), Tone::Quiet)) {
        out = Intent::of(IntentKind::Cancel);
    }
    return out;
}

}  // namespace touchpoint::kiosk::ui
