// Staff home: one large button per task, and the sync state in a sentence so a stuck kiosk is noticed.
#include "staff_screens.hpp"
#include "ui/screen_frame.hpp"
#include "ui/widgets.hpp"

namespace touchpoint::kiosk::ui::staff {

using kiosk::staff::StaffPage;

StaffIntent drawStaffHome(const StaffVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##staff.home");
    StaffIntent out = staffHeader(vm, ctx, "staff.home.title");
    frame.body(staffText(ctx, "staff.home.sync_line",
                         {{"state", ctx.tr(vm.sync.stateKey)}, {"n", std::to_string(vm.sync.queueDepth)}}),
               220, 60, 1800, false);

    const ImVec2 size(ctx.xs(860), ctx.px(150));
    const float left = ctx.xs(60);
    const float right = ctx.xs(1000);
    const auto row = [&](int r) { return ctx.px(360 + static_cast<float>(r) * 190); };
    if (bigButton(ctx, "staff.home.lookup", ctx.tr("staff.home.lookup"), ImVec2(left, row(0)), size, Tone::Primary)) {
        out = StaffIntent::open(StaffPage::Lookup);
    }
    if (bigButton(ctx, "staff.home.sync", ctx.tr("staff.home.sync"), ImVec2(right, row(0)), size)) {
        out = StaffIntent::open(StaffPage::SyncHealth);
    }
    if (bigButton(ctx, "staff.home.dead", staffText(ctx, "staff.home.dead", {{"n", std::to_string(vm.sync.deadLetters)}}),
                  ImVec2(left, row(1)), size)) {
        out = StaffIntent::open(StaffPage::DeadLetters);
    }
    if (bigButton(ctx, "staff.home.info", ctx.tr("staff.home.info"), ImVec2(right, row(1)), size)) {
        out = StaffIntent::open(StaffPage::KioskInfo);
    }
    if (bigButton(ctx, "staff.home.restart", ctx.tr("staff.home.restart"), ImVec2(left, row(2)), size, Tone::Secondary,
                  vm.syncAvailable)) {
        out = StaffIntent::of(StaffIntent::Kind::AskRestartUploader);
    }
    if (bigButton(ctx, "staff.home.exit", ctx.tr("staff.home.exit"), ImVec2(right, row(2)), size, Tone::Danger)) {
        out = StaffIntent::of(StaffIntent::Kind::AskExit);
    }
    if (vm.uploaderRestarted) frame.body(ctx.tr("staff.sync.restarted"), 940, 60, 1800, false, true);
    return out;
}

}  // namespace touchpoint::kiosk::ui::staff
