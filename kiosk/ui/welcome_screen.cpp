// Welcome: tier, points and progress with the hub's next step for this shopper; while the hub is asked a
// short "checking" line; offline the cached balance with "your points will be added"; inside the cooldown a
// friendly "already checked in today".
#include <cmath>

#include "core/i18n.hpp"
#include "screen_frame.hpp"
#include "screens.hpp"
#include "widgets.hpp"

namespace touchpoint::kiosk::ui {

namespace {

/// Draws tier, points and progress; returns the y below what it drew.
float drawBalance(const WelcomeInfo& info, bool cached, UiContext& ctx, ScreenFrame& frame) {
    float y = 270;
    if (!info.tier.empty()) {
        frame.title(formatText(ctx.tr("welcome.tier"), {{"tier", info.tier}}), y);
        y += 90;
    }
    frame.title(formatText(ctx.tr("welcome.points"), {{"points", std::to_string(info.points)}}), y);
    y += 90;
    if (cached) {
        frame.body(ctx.tr("welcome.cached_note"), y, 160, 1600, true, true);
        y += 50;
    }
    if (!info.nextTier.empty()) {
        const ImVec2 p0(ctx.xs(460), ctx.px(y + 10));
        const ImVec2 p1(ctx.xs(1460), ctx.px(y + 50));
        auto* dl = ImGui::GetWindowDrawList();
        dl->AddRectFilled(p0, p1, ctx.colors.secondary, ctx.px(20));
        const float fill = p0.x + (p1.x - p0.x) * static_cast<float>(info.progress);
        if (fill > p0.x) dl->AddRectFilled(p0, ImVec2(fill, p1.y), ctx.colors.primary, ctx.px(20));
        dl->AddRect(p0, p1, ctx.colors.outline, ctx.px(20), 0, ctx.px(2));
        frame.body(formatText(ctx.tr("welcome.progress"),
                              {{"points", std::to_string(info.pointsToNextTier)}, {"tier", info.nextTier}}),
                   y + 70);
        y += 130;
    }
    if (!info.nextStepText.empty() && !cached) {
        const ImVec2 p0(ctx.xs(360), ctx.px(y + 10));
        const ImVec2 p1(ctx.xs(1560), ctx.px(y + 150));
        auto* dl = ImGui::GetWindowDrawList();
        dl->AddRectFilled(p0, p1, ctx.colors.panel, ctx.px(18));
        dl->AddRect(p0, p1, ctx.colors.selected, ctx.px(18), 0, ctx.px(4));
        frame.body(ctx.tr("welcome.next_step"), y + 25, 360, 1200, true, true);
        frame.body(info.nextStepText, y + 75, 380, 1160);
        y += 160;
    }
    return y;
}

}  // namespace

Intent drawWelcome(const WelcomeVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##welcome");
    Intent out;
    if (vm.state == WelcomeState::Loading) {
        frame.title(ctx.tr("welcome.loading"), 420);
        if (bigButton(ctx, "welcome.cancel", ctx.tr("common.cancel"), ImVec2(ctx.xs(760), ctx.px(880)),
                      ImVec2(ctx.xs(400), ctx.px(kPrimaryHeight)), Tone::Quiet)) {
            out = Intent::of(IntentKind::Cancel);
        }
        return out;
    }
    const auto initial = vm.info ? vm.info->firstInitial : std::string();
    switch (vm.state) {
        case WelcomeState::NewMember: frame.title(ctx.tr("welcome.new_member"), 130); break;
        default:
            frame.title(initial.empty() ? ctx.tr("welcome.hello_anonymous")
                                        : formatText(ctx.tr("welcome.hello"), {{"initial", initial}}),
                        130);
            break;
    }
    if (vm.state == WelcomeState::Cooldown) {
        frame.body(ctx.tr("welcome.cooldown"), 220, 260, 1400);
    } else if (vm.state == WelcomeState::Offline) {
        frame.body(ctx.tr("welcome.offline"), 220, 260, 1400);
    } else if (vm.state == WelcomeState::Member && vm.info && vm.info->pointsPerCheckin > 0) {
        frame.body(formatText(ctx.tr("welcome.earned"), {{"points", std::to_string(vm.info->pointsPerCheckin)}}), 220);
    } else if (vm.preview) {
        // A new member, before the hub has had the sign-up: what this visit earned, to be added at the sync.
        frame.body(formatText(ctx.tr("welcome.pending"), {{"points", std::to_string(vm.preview->pointsPerCheckin)}}),
                   220, 260, 1400);
    }
    if (vm.info && vm.info->found) {
        drawBalance(*vm.info, vm.infoFromCache, ctx, frame);
    } else if (vm.preview) {
        const float below = drawBalance(*vm.preview, false, ctx, frame);
        if (!vm.preview->rewards.empty()) {
            const auto& next = vm.preview->rewards.front();
            frame.body(formatText(ctx.tr("welcome.next_reward"),
                                  {{"reward", next.name}, {"points", std::to_string(next.points)}}),
                       below + 20);
        }
    }

    if (bigButton(ctx, "welcome.feedback", ctx.tr("welcome.feedback"), ImVec2(ctx.xs(360), ctx.px(900)),
                  ImVec2(ctx.xs(760), ctx.px(kPrimaryHeight)), Tone::Primary)) {
        out = Intent::of(IntentKind::StartFeedback);
    }
    if (bigButton(ctx, "welcome.done", ctx.tr("common.done"), ImVec2(ctx.xs(1160), ctx.px(900)),
                  ImVec2(ctx.xs(400), ctx.px(kPrimaryHeight)))) {
        out = Intent::of(IntentKind::FinishWelcome);
    }
    return out;
}

}  // namespace touchpoint::kiosk::ui
