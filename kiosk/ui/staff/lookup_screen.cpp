// Loyalty status lookup: phone on the app's keypad, email or card on the app's keyboard (or a scanned card),
// and the answer beside it. An answer from the offline cache is marked in the warning colour with its age.
#include "staff/sync_health.hpp"
#include "staff_screens.hpp"
#include "ui/screen_frame.hpp"
#include "ui/widgets.hpp"

namespace touchpoint::kiosk::ui::staff {

namespace {

using kiosk::staff::LookupMode;
using kiosk::staff::LookupOutcome;
using kiosk::staff::LookupResultVm;
using kiosk::staff::formatDuration;

void drawResult(const LookupResultVm& r, UiContext& ctx) {
    const float x = 980;
    const float w = 880;
    float y = 200;
    auto* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(ImVec2(ctx.xs(960), ctx.px(180)), ImVec2(ctx.xs(1880), ctx.px(1030)), ctx.colors.panel,
                      ctx.px(18));
    switch (r.outcome) {
        case LookupOutcome::Found:
            y = staffLine(ctx, ctx.tr("staff.lookup.found"), x, y, w, ctx.colors.muted);
            break;
        case LookupOutcome::NotFound:
            staffLine(ctx, staffText(ctx, "staff.lookup.not_found", {{"type", r.identityType}}), x, y, w,
                      ctx.colors.text);
            return;
        case LookupOutcome::Cached: {
            // Stale data must never pass for current: the banner is bold, in the warning colour, with the age.
            const float h = textBlock(ctx, ctx.font().bold,
                                      staffText(ctx, "staff.lookup.cached", {{"age", formatDuration(r.ageMs.value_or(0))}}),
                                      ImVec2(ctx.xs(x), ctx.px(y)), ctx.xs(w), ctx.colors.danger, false);
            ctx.registry.add("staff.lookup.offline_banner", ctx.xs(x), ctx.px(y), ctx.xs(w), h);
            y += h / ctx.scale + 8;
            y = staffLine(ctx, ctx.tr("staff.lookup.problem." + std::string(kiosk::staff::toString(r.problem))), x, y,
                          w, ctx.colors.muted);
            break;
        }
        case LookupOutcome::Unavailable:
            y = staffLine(ctx, ctx.tr("staff.lookup.unavailable"), x, y, w, ctx.colors.danger);
            staffLine(ctx, ctx.tr("staff.lookup.problem." + std::string(kiosk::staff::toString(r.problem))), x, y, w,
                      ctx.colors.muted);
            return;
    }
    if (!r.status) return;
    const auto& s = *r.status;
    y += 10;
    y += textBlock(ctx, ctx.font().title, s.firstInitial.empty() ? ctx.tr("staff.lookup.member_no_initial")
                                            : staffText(ctx, "staff.lookup.member", {{"initial", s.firstInitial}}),
                   ImVec2(ctx.xs(x), ctx.px(y)), ctx.xs(w), ctx.colors.text, false) / ctx.scale + 10;
    y = staffLine(ctx, staffText(ctx, "staff.lookup.tier", {{"tier", s.tier}}), x, y, w, ctx.colors.text);
    y = staffLine(ctx, staffText(ctx, "staff.lookup.points", {{"points", std::to_string(s.points)}}), x, y, w,
                  ctx.colors.text);
    // Progress to the next tier as a bar and a sentence.
    dl->AddRectFilled(ImVec2(ctx.xs(x), ctx.px(y)), ImVec2(ctx.xs(x + w - 20), ctx.px(y + 24)), ctx.colors.secondary,
                      ctx.px(12));
    dl->AddRectFilled(ImVec2(ctx.xs(x), ctx.px(y)),
                      ImVec2(ctx.xs(x + static_cast<float>(s.progress) * (w - 20)), ctx.px(y + 24)), ctx.colors.primary,
                      ctx.px(12));
    y += 36;
    y = staffLine(ctx,
                  s.nextTier.empty() ? ctx.tr("staff.lookup.top_tier")
                                     : staffText(ctx, "staff.lookup.progress",
                                                 {{"points", std::to_string(s.pointsToNextTier)}, {"tier", s.nextTier}}),
                  x, y, w, ctx.colors.text);
    std::string rewards;
    for (const auto& reward : s.rewards) rewards += (rewards.empty() ? "" : ", ") + reward.name;
    y = staffLine(ctx, rewards.empty() ? ctx.tr("staff.lookup.no_rewards")
                                       : staffText(ctx, "staff.lookup.rewards", {{"list", rewards}}),
                  x, y, w, ctx.colors.text);
    y = staffLine(ctx, ctx.tr("staff.lookup.visits"), x, y, w, ctx.colors.muted);
    for (const char* channel : {"in_store_kiosk", "web", "app"}) {
        const std::string name = ctx.tr(std::string("staff.lookup.channel.") + channel);
        const auto it = s.lastVisitsUtcMs.find(channel);
        y = staffLine(ctx,
                      it == s.lastVisitsUtcMs.end()
                          ? staffText(ctx, "staff.lookup.never", {{"channel", name}})
                          : staffText(ctx, "staff.lookup.visit",
                                      {{"channel", name}, {"age", formatDuration(r.nowUtcMs - it->second)}}),
                      x + 30, y, w - 30, ctx.colors.text);
    }
    y = staffLine(ctx, s.latestNps ? staffText(ctx, "staff.lookup.nps", {{"score", std::to_string(*s.latestNps)}})
                                   : ctx.tr("staff.lookup.no_nps"),
                  x, y, w, ctx.colors.text);
    staffLine(ctx, staffText(ctx, "staff.lookup.stage", {{"stage", s.journeyStage.empty() ? "-" : s.journeyStage}}), x,
              y, w, ctx.colors.text);
}

}  // namespace

StaffIntent drawStaffLookup(const StaffVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##staff.lookup");
    StaffIntent out = staffHeader(vm, ctx, "staff.lookup.title");
    const auto& lookup = vm.lookup;

    const float colX = ctx.xs(60);
    const float colW = ctx.xs(860);
    const float tabW = (colW - ctx.xs(40)) / 3;
    const struct {
        LookupMode mode;
        const char* id;
        const char* label;
    } tabs[] = {{LookupMode::Phone, "staff.lookup.mode.phone", "staff.lookup.phone"},
                {LookupMode::Email, "staff.lookup.mode.email", "staff.lookup.email"},
                {LookupMode::Card, "staff.lookup.mode.card", "staff.lookup.card"}};
    for (int i = 0; i < 3; ++i) {
        if (bigButton(ctx, tabs[i].id, ctx.tr(tabs[i].label),
                      ImVec2(colX + static_cast<float>(i) * (tabW + ctx.xs(20)), ctx.px(190)), ImVec2(tabW, ctx.px(90)),
                      lookup.mode == tabs[i].mode ? Tone::Selected : Tone::Secondary)) {
            out = StaffIntent::setMode(tabs[i].mode);
        }
    }
    const char* prompt = lookup.mode == LookupMode::Phone   ? "staff.lookup.phone_prompt"
                         : lookup.mode == LookupMode::Email ? "staff.lookup.email_prompt"
                                                            : "staff.lookup.card_prompt";
    inputField(ctx, "staff.lookup.field", lookup.input, ctx.tr(prompt), ImVec2(colX, ctx.px(295)),
               ImVec2(colW, ctx.px(95)));
    std::string message;
    if (lookup.inputError) {
        message = ctx.tr("staff.lookup.error." + std::string(kiosk::staff::toString(*lookup.inputError)));
    } else if (!lookup.auditProblem.empty()) {
        message = staffText(ctx, "staff.lookup.audit_failed", {{"detail", lookup.auditProblem}});
    } else if (lookup.pending) {
        message = ctx.tr("staff.lookup.pending");
    }
    if (!message.empty()) {
        textBlock(ctx, ctx.font().bold, message, ImVec2(colX, ctx.px(398)), colW,
                  lookup.pending ? ctx.colors.muted : ctx.colors.danger, false);
    }

    const ImVec2 padPos(colX, ctx.px(450));
    const ImVec2 padSize(colW, ctx.px(430));
    const Intent typed = lookup.mode == LookupMode::Phone
                             ? phoneKeypad(ctx, ImVec2(colX + ctx.xs(130), padPos.y), ImVec2(colW - ctx.xs(260), padSize.y))
                             : keyboard(ctx, KeyboardLayout::Email, padPos, padSize);
    if (typed.kind == IntentKind::KeyBackspace) out = StaffIntent::of(StaffIntent::Kind::LookupBackspace);
    if (typed.kind == IntentKind::KeyChar && typed.text.size() == 1) out = StaffIntent::lookupKey(typed.text[0]);

    const float btnW = (colW - ctx.xs(40)) / 3;
    const float btnY = ctx.px(905);
    if (bigButton(ctx, "staff.lookup.submit", ctx.tr("staff.lookup.submit"), ImVec2(colX, btnY),
                  ImVec2(btnW, ctx.px(kPrimaryHeight)), Tone::Primary, !lookup.pending && !lookup.input.empty())) {
        out = StaffIntent::of(StaffIntent::Kind::LookupSubmit);
    }
    if (bigButton(ctx, "staff.lookup.clear", ctx.tr("staff.lookup.clear"), ImVec2(colX + btnW + ctx.xs(20), btnY),
                  ImVec2(btnW, ctx.px(kPrimaryHeight)))) {
        out = StaffIntent::of(StaffIntent::Kind::LookupClear);
    }
    if (bigButton(ctx, "staff.back", ctx.tr("staff.back"), ImVec2(colX + 2 * (btnW + ctx.xs(20)), btnY),
                  ImVec2(btnW, ctx.px(kPrimaryHeight)), Tone::Quiet)) {
        out = StaffIntent::of(StaffIntent::Kind::Back);
    }
    if (lookup.result) drawResult(*lookup.result, ctx);
    return out;
}

}  // namespace touchpoint::kiosk::ui::staff
