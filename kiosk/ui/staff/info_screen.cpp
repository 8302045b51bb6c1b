// Kiosk info: who this kiosk is, its disk and its clock, for a phone call with IT.
#include "staff/kiosk_info.hpp"
#include "staff/sync_health.hpp"
#include "staff_screens.hpp"
#include "ui/screen_frame.hpp"
#include "ui/widgets.hpp"

namespace touchpoint::kiosk::ui::staff {

StaffIntent drawStaffInfo(const StaffVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##staff.info");
    StaffIntent out = staffHeader(vm, ctx, "staff.info.title");
    const auto& info = vm.info;
    float y = 220;
    const auto line = [&](const std::string& text, ImU32 color) { y = staffLine(ctx, text, 60, y, 1800, color); };
    line(staffText(ctx, "staff.info.store", {{"value", info.identity.storeId}}), ctx.colors.text);
    line(staffText(ctx, "staff.info.kiosk", {{"value", info.identity.kioskId}}), ctx.colors.text);
    line(staffText(ctx, "staff.info.version", {{"value", info.identity.appVersion}}), ctx.colors.text);
    line(staffText(ctx, "staff.info.config", {{"value", info.identity.configPath.string()}}), ctx.colors.text);
    line(info.freeDiskBytes ? staffText(ctx, "staff.info.disk", {{"value", kiosk::staff::formatBytes(*info.freeDiskBytes)}})
                            : ctx.tr("staff.info.disk_unknown"),
         ctx.colors.text);
    line(info.clockOffsetMs
             ? staffText(ctx, "staff.info.offset", {{"value", kiosk::staff::formatDuration(*info.clockOffsetMs)}})
             : ctx.tr("staff.info.offset_unknown"),
         ctx.colors.text);
    if (info.clockWrong) line(ctx.tr("staff.info.clock_wrong"), ctx.colors.danger);

    if (bigButton(ctx, "staff.back", ctx.tr("staff.back"), ImVec2(ctx.xs(60), ctx.px(920)),
                  ImVec2(ctx.xs(560), ctx.px(kPrimaryHeight)), Tone::Quiet)) {
        out = StaffIntent::of(StaffIntent::Kind::Back);
    }
    return out;
}

}  // namespace touchpoint::kiosk::ui::staff
