// Sync health in plain words: one state a store manager can act on, what to do about it, and the figures.
#include "staff/sync_health.hpp"
#include "staff_screens.hpp"
#include "ui/screen_frame.hpp"
#include "ui/widgets.hpp"

namespace touchpoint::kiosk::ui::staff {

using kiosk::staff::formatDuration;
using kiosk::staff::StaffPage;
using kiosk::staff::SyncState;

namespace {

/// Damaged outbox files set aside at start: what recovering them did, and the button that offers it (with a
/// confirmation). True when the button was pressed.
bool drawRecovery(const kiosk::staff::RecoveryVm& r, UiContext& ctx) {
    float y = 690;
    if (r.running) {
        y = staffLine(ctx, ctx.tr("staff.sync.recovering"), 60, y, 1300, ctx.colors.muted);
    } else if (!r.problem.empty()) {
        y = staffLine(ctx, staffText(ctx, "staff.sync.recover_failed", {{"error", r.problem}}), 60, y, 1300,
                      ctx.colors.danger);
    } else if (r.last) {
        y = staffLine(ctx,
                      staffText(ctx, "staff.sync.recovered",
                                {{"n", std::to_string(r.last->reenqueued)},
                                 {"present", std::to_string(r.last->alreadyPresent)},
                                 {"unreadable", std::to_string(r.last->unreadable)}}),
                      60, y, 1300, ctx.colors.primary);
        if (r.last->refused > 0) {
            y = staffLine(ctx, staffText(ctx, "staff.sync.recover_refused", {{"n", std::to_string(r.last->refused)}}),
                          60, y, 1300, ctx.colors.danger);
        }
    }
    if (r.pendingFiles > 0 && !r.running) {
        staffLine(ctx, staffText(ctx, "staff.sync.set_aside", {{"n", std::to_string(r.pendingFiles)}}), 60, y, 1300,
                  ctx.colors.text);
        return bigButton(ctx, "staff.sync.recover", ctx.tr("staff.sync.recover"), ImVec2(ctx.xs(1420), ctx.px(690)),
                         ImVec2(ctx.xs(440), ctx.px(100)), Tone::Secondary);
    }
    return false;
}

}  // namespace

StaffIntent drawStaffSync(const StaffVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##staff.sync");
    StaffIntent out = staffHeader(vm, ctx, "staff.sync.title");
    const auto& s = vm.sync;
    const bool good = s.state == SyncState::Online;
    const float h = textBlock(ctx, ctx.font().title, ctx.tr(s.stateKey), ImVec2(ctx.xs(60), ctx.px(190)), ctx.xs(1800),
                              good ? ctx.colors.primary : ctx.colors.danger, false);
    ctx.registry.add("staff.sync.state", ctx.xs(60), ctx.px(190), ctx.xs(1800), h);
    float y = 200 + h / ctx.scale;
    y = staffLine(ctx, ctx.tr(s.adviceKey), 60, y, 1800, ctx.colors.text);
    if (!s.lastError.empty()) y = staffLine(ctx, s.lastError, 60, y, 1800, ctx.colors.muted);
    if (!s.configRefusal.empty()) {
        y = staffLine(ctx, staffText(ctx, "staff.sync.config_refused", {{"why", s.configRefusal}}), 60, y, 1800,
                      ctx.colors.danger);
    }
    y += 20;

    const auto& r = vm.recovery;
    const bool showRecovery = r.available && (r.pendingFiles > 0 || r.running || r.last || !r.problem.empty());
    const float columnsEnd = showRecovery ? 630 : 820;  // the recovery block sits below the figures
    const float col2 = 980;
    float y1 = y;
    float y2 = y;
    y1 = staffLine(ctx, staffText(ctx, "staff.sync.queue", {{"n", std::to_string(s.queueDepth)}}), 60, y1, 880,
                   ctx.colors.text);
    if (s.oldestPendingAgeMs) {
        y1 = staffLine(ctx, staffText(ctx, "staff.sync.oldest", {{"age", formatDuration(*s.oldestPendingAgeMs)}}), 60,
                       y1, 880, ctx.colors.text);
    }
    y1 = staffLine(ctx,
                   s.lastSuccessAgoMs
                       ? staffText(ctx, "staff.sync.last_success", {{"age", formatDuration(*s.lastSuccessAgoMs)}})
                       : ctx.tr("staff.sync.never"),
                   60, y1, 880, ctx.colors.text);
    if (s.nextRetryInMs) {
        y1 = staffLine(ctx, staffText(ctx, "staff.sync.next_retry", {{"age", formatDuration(*s.nextRetryInMs)}}), 60, y1,
                       880, ctx.colors.text);
    }
    y2 = staffLine(ctx, staffText(ctx, "staff.sync.dead", {{"n", std::to_string(s.deadLetters)}}), col2, y2, 880,
                   ctx.colors.text);
    if (s.clockOffsetMs) {
        y2 = staffLine(ctx, staffText(ctx, "staff.sync.offset", {{"offset", formatDuration(*s.clockOffsetMs)}}), col2,
                       y2, 880, ctx.colors.text);
    }
    y2 = staffLine(ctx, staffText(ctx, "staff.sync.drops", {{"n", std::to_string(s.dropsTotal)}}), col2, y2, 880,
                   ctx.colors.text);
    int shown = 0;
    for (const auto& [reason, n] : s.drops) {
        if (++shown > 4 || y2 > columnsEnd) break;
        y2 = staffLine(ctx, staffText(ctx, "staff.sync.drop", {{"reason", reason}, {"n", std::to_string(n)}}), col2, y2,
                       880, ctx.colors.muted);
    }
    if (s.rejectionsTotal > 0 && y2 < columnsEnd) {
        y2 = staffLine(ctx, staffText(ctx, "staff.sync.rejected", {{"n", std::to_string(s.rejectionsTotal)}}), col2, y2,
                       880, ctx.colors.text);
        shown = 0;
        for (const auto& [field, n] : s.rejections) {
            if (++shown > 3 || y2 > columnsEnd) break;
            y2 = staffLine(ctx, staffText(ctx, "staff.sync.drop", {{"reason", field}, {"n", std::to_string(n)}}), col2,
                           y2, 880, ctx.colors.muted);
        }
    }
    if (showRecovery && drawRecovery(r, ctx)) out = StaffIntent::of(StaffIntent::Kind::AskRecover);
    if (vm.syncNowRequested) staffLine(ctx, ctx.tr("staff.sync.requested"), 60, 840, 1800, ctx.colors.muted);
    if (vm.uploaderRestarted) staffLine(ctx, ctx.tr("staff.sync.restarted"), 60, 840, 1800, ctx.colors.muted);

    const float btnW = ctx.xs(420);
    const float gap = ctx.xs(40);
    const float btnY = ctx.px(905);
    const ImVec2 size(btnW, ctx.px(kPrimaryHeight));
    if (bigButton(ctx, "staff.sync.now", ctx.tr("staff.sync.now"), ImVec2(ctx.xs(60), btnY), size, Tone::Primary,
                  vm.syncAvailable)) {
        out = StaffIntent::of(StaffIntent::Kind::SyncNow);
    }
    if (bigButton(ctx, "staff.sync.restart", ctx.tr("staff.home.restart"), ImVec2(ctx.xs(60) + btnW + gap, btnY), size,
                  Tone::Secondary, vm.syncAvailable)) {
        out = StaffIntent::of(StaffIntent::Kind::AskRestartUploader);
    }
    if (bigButton(ctx, "staff.sync.dead", ctx.tr("staff.dead.title"), ImVec2(ctx.xs(60) + 2 * (btnW + gap), btnY), size)) {
        out = StaffIntent::open(StaffPage::DeadLetters);
    }
    if (bigButton(ctx, "staff.back", ctx.tr("staff.back"), ImVec2(ctx.xs(60) + 3 * (btnW + gap), btnY), size,
                  Tone::Quiet)) {
        out = StaffIntent::of(StaffIntent::Kind::Back);
    }
    return out;
}

}  // namespace touchpoint::kiosk::ui::staff
