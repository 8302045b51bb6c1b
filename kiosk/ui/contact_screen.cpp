// "May we contact you about this?" after a low score, in three steps on one screen: the question with its
// notice (the text drawn here is exactly the text whose SHA-256 the consent records) and an unticked box;
// the signed-in shopper's own phone or e-mail, masked; or a phone or e-mail typed on the app's keypad.
// "No, thanks" is on every step.
#include <algorithm>

#include "identifier_entry.hpp"
#include "screen_frame.hpp"
#include "screens.hpp"
#include "widgets.hpp"

namespace touchpoint::kiosk::ui {

namespace {

Intent drawAsk(const ContactVm& vm, UiContext& ctx, ScreenFrame& frame) {
    Intent out;
    // Laid out from the top down (1080p reference units): the question and the notice wrap to more lines in
    // some languages and with larger text, and the notice's panel grows to hold every line of it.
    float y = 50 + frame.title(ctx.tr("contact.title"), 50) / ctx.scale + 20;
    y += frame.body(ctx.tr("contact.body"), y) / ctx.scale;
    const float panelTop = std::max(250.0f, y + 30);
    auto* dl = ImGui::GetWindowDrawList();
    dl->ChannelsSplit(2);
    dl->ChannelsSetCurrent(1);  // the text above its panel, which is drawn once its height is known
    const float textHeight = textBlock(ctx, ctx.font().body, ctx.tr(vm.noticeKey),
                                       ImVec2(ctx.xs(250), ctx.px(panelTop + 30)), ctx.xs(1420), ctx.colors.text,
                                       false) / ctx.scale;
    dl->ChannelsSetCurrent(0);
    const float panelBottom = std::max(560.0f, panelTop + 30 + textHeight + 30);
    const ImVec2 panel(ctx.xs(210), ctx.px(panelTop));
    const ImVec2 panelMax(ctx.xs(1710), ctx.px(panelBottom));
    dl->AddRectFilled(panel, panelMax, ctx.colors.panel, ctx.px(18));
    dl->AddRect(panel, panelMax, ctx.colors.outline, ctx.px(18), 0, ctx.px(2));
    dl->ChannelsMerge();
    const float toggleTop = panelBottom + 50;
    if (toggleRow(ctx, "contact.consent", ctx.tr("contact.consent_label"), vm.consentTicked,
                  ImVec2(ctx.xs(210), ctx.px(toggleTop)), ctx.xs(1500))) {
        out = Intent::of(IntentKind::ToggleContactConsent);
    }
    const float buttonsTop = std::max(880.0f, ImGui::GetItemRectMax().y / ctx.scale + 40);
    if (bigButton(ctx, "contact.agree", ctx.tr("contact.agree"), ImVec2(ctx.xs(210), ctx.px(buttonsTop)),
                  ImVec2(ctx.xs(700), ctx.px(kPrimaryHeight)), Tone::Primary, vm.consentTicked)) {
        out = Intent::of(IntentKind::AgreeContact);
    }
    if (bigButton(ctx, "contact.skip", ctx.tr("contact.skip"), ImVec2(ctx.xs(950), ctx.px(buttonsTop)),
                  ImVec2(ctx.xs(760), ctx.px(kPrimaryHeight)))) {
        out = Intent::of(IntentKind::SkipContact);
    }
    return out;
}

Intent drawChoose(const ContactVm& vm, UiContext& ctx, ScreenFrame& frame) {
    Intent out;
    frame.title(ctx.tr("contact.choose_title"), 180);
    const std::string own = vm.memberContactIsPhone
                                ? formatText(ctx.tr("contact.use_phone"), {{"last", vm.memberContact}})
                                : formatText(ctx.tr("contact.use_email"), {{"email", vm.memberContact}});
    const float x = ctx.xs(410);
    const ImVec2 size(ctx.xs(1100), ctx.px(130));
    if (bigButton(ctx, "contact.use_member", own, ImVec2(x, ctx.px(360)), size, Tone::Primary)) {
        out = Intent::of(IntentKind::UseMemberContact);
    }
    if (bigButton(ctx, "contact.use_other", ctx.tr("contact.use_other"), ImVec2(x, ctx.px(530)), size)) {
        out = Intent::of(IntentKind::TypeOtherContact);
    }
    if (bigButton(ctx, "contact.skip", ctx.tr("contact.skip"), ImVec2(x, ctx.px(800)),
                  ImVec2(size.x, ctx.px(kPrimaryHeight)), Tone::Quiet)) {
        out = Intent::of(IntentKind::SkipContact);
    }
    return out;
}

Intent drawType(const ContactVm& vm, UiContext& ctx, ScreenFrame& frame) {
    frame.title(ctx.tr("contact.type_title"), 60, 60, 800);
    Intent out = drawIdentifierEntry({"contact", vm.tab, vm.phoneText, vm.emailText, vm.errorKey}, ctx);
    const float colX = ctx.xs(80);
    const float colW = ctx.xs(740);
    if (bigButton(ctx, "contact.submit", ctx.tr("contact.submit"), ImVec2(colX, ctx.px(770)),
                  ImVec2(colW, ctx.px(kPrimaryHeight)), Tone::Primary)) {
        out = Intent::of(IntentKind::SubmitContact);
    }
    if (bigButton(ctx, "contact.skip", ctx.tr("contact.skip"), ImVec2(colX, ctx.px(900)), ImVec2(colW, ctx.px(120)),
                  Tone::Quiet)) {
        out = Intent::of(IntentKind::SkipContact);
    }
    const Intent typed = drawIdentifierKeys(vm.tab, ctx);
    return typed ? typed : out;
}

}  // namespace

Intent drawContact(const ContactVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##contact");
    switch (vm.stage) {
        case ContactStage::Ask: return drawAsk(vm, ctx, frame);
        case ContactStage::Choose: return drawChoose(vm, ctx, frame);
        case ContactStage::Type: return drawType(vm, ctx, frame);
    }
    return {};
}

}  // namespace touchpoint::kiosk::ui
