// The staff PIN pad: dots instead of digits, a 3x4 pad in the lower two thirds, and the lockout in plain words.
#include "staff/sync_health.hpp"
#include "staff_screens.hpp"
#include "ui/screen_frame.hpp"
#include "ui/widgets.hpp"

namespace touchpoint::kiosk::ui::staff {

StaffIntent drawStaffPin(const StaffVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##staff.pin");
    StaffIntent out = staffHeader(vm, ctx, "staff.pin.title");
    const auto& pin = vm.pin;
    frame.body(ctx.tr("staff.pin.prompt"), 200);

    std::string dots;
    for (std::size_t i = 0; i < pin.digitsEntered; ++i) dots += "* ";
    inputField(ctx, "staff.pin.field", dots, "", ImVec2(ctx.xs(660), ctx.px(260)), ImVec2(ctx.xs(600), ctx.px(100)));

    std::string status;
    ImU32 statusColor = ctx.colors.danger;
    if (pin.noPinsConfigured) {
        status = ctx.tr("staff.pin.none");
    } else if (pin.locked) {
        // A countdown ("4:59") rather than whole minutes, which would read "4 min" for most of the fifth one.
        const auto seconds = (pin.lockRemainingMs + 999) / 1000;
        const auto secs = seconds % 60;
        const std::string countdown = std::to_string(seconds / 60) + (secs < 10 ? ":0" : ":") + std::to_string(secs);
        status = staffText(ctx, "staff.pin.locked", {{"time", countdown}});
    } else if (pin.checking) {
        status = ctx.tr("staff.pin.checking");
        statusColor = ctx.colors.muted;
    } else if (pin.lastWrong) {
        status = staffText(ctx, "staff.pin.wrong", {{"n", std::to_string(pin.attemptsLeft)}});
    } else if (!pin.storageProblem.empty()) {
        status = staffText(ctx, "staff.pin.storage", {{"detail", pin.storageProblem}});
    }
    if (!status.empty()) {
        textBlock(ctx, ctx.font().bold, status, ImVec2(ctx.xs(360), ctx.px(375)), ctx.xs(1200), statusColor);
    }

    const bool enabled = !pin.locked && !pin.checking && !pin.noPinsConfigured;
    const float keyW = ctx.xs(190);
    const float keyH = ctx.px(140);
    const float gapX = ctx.xs(20);
    const float gapY = ctx.px(14);
    const float x0 = ctx.xs(655);
    const float y0 = ctx.px(450);
    const char* keys[] = {"1", "2", "3", "4", "5", "6", "7", "8", "9", "delete", "0", "ok"};
    for (int i = 0; i < 12; ++i) {
        const ImVec2 pos(x0 + static_cast<float>(i % 3) * (keyW + gapX), y0 + static_cast<float>(i / 3) * (keyH + gapY));
        const std::string key = keys[i];
        if (key == "delete") {
            if (bigButton(ctx, "staff.pin.delete", ctx.tr("staff.pin.delete"), pos, ImVec2(keyW, keyH), Tone::Quiet,
                          enabled)) {
                out = StaffIntent::of(StaffIntent::Kind::PinBackspace);
            }
        } else if (key == "ok") {
            if (bigButton(ctx, "staff.pin.ok", ctx.tr("staff.pin.ok"), pos, ImVec2(keyW, keyH), Tone::Primary,
                          enabled && pin.digitsEntered > 0)) {
                out = StaffIntent::of(StaffIntent::Kind::PinSubmit);
            }
        } else if (bigButton(ctx, "staff.pin." + key, key, pos, ImVec2(keyW, keyH), Tone::Secondary, enabled)) {
            out = StaffIntent::digit(key[0]);
        }
    }
    return out;
}

}  // namespace touchpoint::kiosk::ui::staff
