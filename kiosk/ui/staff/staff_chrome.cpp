// Pieces every staff screen shares: the header with the way out, text lines, and the page switch.
#include "staff_screens.hpp"
#include "ui/screen_frame.hpp"
#include "ui/widgets.hpp"

namespace touchpoint::kiosk::ui::staff {

using kiosk::staff::ConfirmAction;
using kiosk::staff::StaffPage;

std::string staffText(const UiContext& ctx, const std::string& key, const std::map<std::string, std::string>& values) {
    return formatText(ctx.tr(key), values);
}

float staffLine(UiContext& ctx, const std::string& text, float x, float y, float width, ImU32 color) {
    const float h = textBlock(ctx, ctx.font().body, text, ImVec2(ctx.xs(x), ctx.px(y)), ctx.xs(width), color, false);
    return y + std::max(h / ctx.scale, 40.0f) + 8.0f;
}

StaffIntent staffHeader(const StaffVm& vm, UiContext& ctx, const std::string& titleKey) {
    StaffIntent out;
    textBlock(ctx, ctx.font().title, ctx.tr(titleKey), ImVec2(ctx.xs(60), ctx.px(36)), ctx.xs(1300), ctx.colors.text,
              false);
    if (bigButton(ctx, "staff.leave", ctx.tr("staff.leave"), ImVec2(ctx.xs(1480), ctx.px(30)),
                  ImVec2(ctx.xs(400), ctx.px(100)), Tone::Secondary)) {
        out = StaffIntent::of(StaffIntent::Kind::Leave);
    }
    const auto seconds = (vm.idleRemainingMs + 999) / 1000;
    textBlock(ctx, ctx.font().body, staffText(ctx, "staff.idle", {{"seconds", std::to_string(seconds)}}),
              ImVec2(ctx.xs(1180), ctx.px(140)), ctx.xs(700), ctx.colors.muted, false);
    return out;
}

StaffIntent drawStaffPage(const StaffVm& vm, UiContext& ctx) {
    StaffIntent out;
    switch (vm.page) {
        case StaffPage::Closed: return out;
        case StaffPage::Pin: out = drawStaffPin(vm, ctx); break;
        case StaffPage::Home: out = drawStaffHome(vm, ctx); break;
        case StaffPage::Lookup: out = drawStaffLookup(vm, ctx); break;
        case StaffPage::SyncHealth: out = drawStaffSync(vm, ctx); break;
        case StaffPage::DeadLetters: out = drawStaffDeadLetters(vm, ctx); break;
        case StaffPage::KioskInfo: out = drawStaffInfo(vm, ctx); break;
    }
    if (vm.confirm.action != ConfirmAction::None) {
        // The modal window takes every tap; whatever the page returned was not meant.
        out = drawStaffConfirm(vm, ctx);
    }
    return out;
}

}  // namespace touchpoint::kiosk::ui::staff
