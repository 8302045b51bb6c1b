// Dead letters: what the hub refused and why, each with Replay and Drop (both confirmed first).
#include "staff/sync_health.hpp"
#include "staff_screens.hpp"
#include "ui/screen_frame.hpp"
#include "ui/widgets.hpp"

namespace touchpoint::kiosk::ui::staff {

StaffIntent drawStaffDeadLetters(const StaffVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##staff.dead");
    StaffIntent out = staffHeader(vm, ctx, "staff.dead.title");
    const auto& dl = vm.deadLetters;
    constexpr std::size_t kVisible = 5;
    float y = 200;
    if (dl.rows.empty()) {
        staffLine(ctx, ctx.tr("staff.dead.none"), 60, y, 1800, ctx.colors.muted);
    }
    for (std::size_t i = 0; i < dl.rows.size() && i < kVisible; ++i) {
        const auto& row = dl.rows[i];
        const std::string id = std::to_string(row.id);
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(ctx.xs(50), ctx.px(y - 8)), ImVec2(ctx.xs(1870), ctx.px(y + 112)),
                                                  ctx.colors.panel, ctx.px(12));
        textBlock(ctx, ctx.font().bold, staffText(ctx, "staff.dead.row", {{"kind", row.kind}, {"reason", row.reason}}),
                  ImVec2(ctx.xs(70), ctx.px(y)), ctx.xs(1300), ctx.colors.text, false);
        textBlock(ctx, ctx.font().body,
                  staffText(ctx, "staff.dead.detail",
                            {{"status", std::to_string(row.lastStatus)},
                             {"attempts", std::to_string(row.attempts)},
                             {"age", kiosk::staff::formatDuration(dl.nowUtcMs - row.lastAttemptUtcMs)}}),
                  ImVec2(ctx.xs(70), ctx.px(y + 56)), ctx.xs(1300), ctx.colors.muted, false);
        if (bigButton(ctx, "staff.dead.replay." + id, ctx.tr("staff.dead.replay"), ImVec2(ctx.xs(1400), ctx.px(y)),
                      ImVec2(ctx.xs(220), ctx.px(100)), Tone::Primary)) {
            out = StaffIntent::withId(StaffIntent::Kind::AskReplay, row.id);
        }
        if (bigButton(ctx, "staff.dead.drop." + id, ctx.tr("staff.dead.drop"), ImVec2(ctx.xs(1640), ctx.px(y)),
                      ImVec2(ctx.xs(220), ctx.px(100)), Tone::Danger)) {
            out = StaffIntent::withId(StaffIntent::Kind::AskDrop, row.id);
        }
        y += 130;
    }
    if (dl.total > static_cast<std::int64_t>(std::min(dl.rows.size(), kVisible))) {
        staffLine(ctx,
                  staffText(ctx, "staff.dead.more", {{"shown", std::to_string(std::min(dl.rows.size(), kVisible))},
                                                     {"n", std::to_string(dl.total)}}),
                  60, 850 - 50, 1800, ctx.colors.muted);
    }
    if (!dl.problem.empty()) {
        staffLine(ctx, staffText(ctx, "staff.dead.problem", {{"detail", dl.problem}}), 60, 850, 1800, ctx.colors.danger);
    } else if (!dl.lastActionKey.empty()) {
        const float h = textBlock(ctx, ctx.font().bold,
                                  staffText(ctx, dl.lastActionKey, {{"n", std::to_string(dl.lastActionCount)}}),
                                  ImVec2(ctx.xs(60), ctx.px(850)), ctx.xs(1800), ctx.colors.text, false);
        ctx.registry.add("staff.dead.result", ctx.xs(60), ctx.px(850), ctx.xs(1800), h);
    }

    const ImVec2 size(ctx.xs(560), ctx.px(kPrimaryHeight));
    const float btnY = ctx.px(920);
    const bool any = !dl.rows.empty();
    if (bigButton(ctx, "staff.dead.replay_all", ctx.tr("staff.dead.replay_all"), ImVec2(ctx.xs(60), btnY), size,
                  Tone::Primary, any)) {
        out = StaffIntent::of(StaffIntent::Kind::AskReplayAll);
    }
    if (bigButton(ctx, "staff.dead.drop_all", ctx.tr("staff.dead.drop_all"), ImVec2(ctx.xs(680), btnY), size,
                  Tone::Danger, any)) {
        out = StaffIntent::of(StaffIntent::Kind::AskDropAll);
    }
    if (bigButton(ctx, "staff.back", ctx.tr("staff.back"), ImVec2(ctx.xs(1300), btnY), size, Tone::Quiet)) {
        out = StaffIntent::of(StaffIntent::Kind::Back);
    }
    return out;
}

}  // namespace touchpoint::kiosk::ui::staff
