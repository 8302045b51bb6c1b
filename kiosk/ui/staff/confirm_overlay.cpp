// "Are you sure?" for anything that cannot be undone from the screen: replay, drop, exit, restart.
#include "staff_screens.hpp"
#include "ui/screen_frame.hpp"
#include "ui/widgets.hpp"

namespace touchpoint::kiosk::ui::staff {

using kiosk::staff::ConfirmAction;

StaffIntent drawStaffConfirm(const StaffVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##staff.confirm", /*overlay=*/true);
    StaffIntent out;
    const ImVec2 p0(ctx.xs(410), ctx.px(300));
    const ImVec2 p1(ctx.xs(1510), ctx.px(900));
    auto* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p0, p1, ctx.colors.panel, ctx.px(24));
    dl->AddRect(p0, p1, ctx.colors.outline, ctx.px(24), 0, ctx.px(3));
    const float h = textBlock(ctx, ctx.font().bold, ctx.tr("staff.confirm." + std::string(toString(vm.confirm.action))),
                              ImVec2(ctx.xs(470), ctx.px(380)), ctx.xs(980), ctx.colors.text);
    ctx.registry.add("staff.confirm.question", ctx.xs(470), ctx.px(380), ctx.xs(980), h);
    const bool destructive = vm.confirm.action == ConfirmAction::DropOne || vm.confirm.action == ConfirmAction::DropAll ||
                             vm.confirm.action == ConfirmAction::ExitApp;
    const ImVec2 size(ctx.xs(460), ctx.px(kPrimaryHeight + 16));
    if (bigButton(ctx, "staff.confirm.no", ctx.tr("staff.confirm.no"), ImVec2(ctx.xs(470), ctx.px(700)), size,
                  Tone::Secondary)) {
        out = StaffIntent::of(StaffIntent::Kind::CancelConfirm);
    }
    if (bigButton(ctx, "staff.confirm.yes", ctx.tr("staff.confirm.yes"), ImVec2(ctx.xs(990), ctx.px(700)), size,
                  destructive ? Tone::Danger : Tone::Primary)) {
        out = StaffIntent::of(StaffIntent::Kind::Confirm);
    }
    return out;
}

}  // namespace touchpoint::kiosk::ui::staff
