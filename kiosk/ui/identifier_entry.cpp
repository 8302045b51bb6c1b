#include "identifier_entry.hpp"

#include "widgets.hpp"

namespace touchpoint::kiosk::ui {

Intent drawIdentifierEntry(const IdentifierEntry& entry, UiContext& ctx) {
    Intent out;
    const std::string prefix = entry.prefix;
    const bool phone = entry.tab == SignInTab::Phone;
    const float colX = ctx.xs(80);
    const float colW = ctx.xs(740);
    const float half = (colW - ctx.xs(20)) / 2;
    if (bigButton(ctx, prefix + ".tab.phone", ctx.tr("signin.tab_phone"), ImVec2(colX, ctx.px(370)),
                  ImVec2(half, ctx.px(100)), phone ? Tone::Selected : Tone::Secondary)) {
        out = Intent::of(IntentKind::ShowPhone);
    }
    if (bigButton(ctx, prefix + ".tab.email", ctx.tr("signin.tab_email"),
                  ImVec2(colX + half + ctx.xs(20), ctx.px(370)), ImVec2(half, ctx.px(100)),
                  phone ? Tone::Secondary : Tone::Selected)) {
        out = Intent::of(IntentKind::ShowEmail);
    }
    const auto& prompt = ctx.tr(phone ? "signin.phone_prompt" : "signin.email_prompt");
    inputField(ctx, prefix + ".field", phone ? entry.phoneText : entry.emailText, prompt,
               ImVec2(colX, ctx.px(500)), ImVec2(colW, ctx.px(130)));
    if (!entry.errorKey.empty()) {
        textBlock(ctx, ctx.font().bold, ctx.tr(entry.errorKey), ImVec2(colX, ctx.px(645)), colW, ctx.colors.danger);
    }
    return out;
}

Intent drawIdentifierKeys(SignInTab tab, UiContext& ctx) {
    const ImVec2 padPos(ctx.xs(900), ctx.px(370));
    const ImVec2 padSize(ctx.xs(940), ctx.px(650));
    return tab == SignInTab::Phone
               ? phoneKeypad(ctx, ImVec2(padPos.x + ctx.xs(120), padPos.y), ImVec2(padSize.x - ctx.xs(240), padSize.y))
               : keyboard(ctx, KeyboardLayout::Email, padPos, padSize);
}

}  // namespace touchpoint::kiosk::ui
