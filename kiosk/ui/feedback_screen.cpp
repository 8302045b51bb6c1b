// Feedback: one survey step at a time (NPS row, CSAT faces, CES row, choices, or a comment typed on the
// app's keyboard), with Exit / Back / Next-or-Send along the bottom.
#include <algorithm>

#include "core/i18n.hpp"
#include "screen_frame.hpp"
#include "screens.hpp"
#include "widgets.hpp"

namespace touchpoint::kiosk::ui {

namespace {

Intent drawChoices(const FeedbackVm& vm, UiContext& ctx) {
    Intent out;
    const auto& opts = vm.step.options;
    const float gap = ctx.px(24);
    const float w = (ctx.xs(1600) - gap) / 2;
    const float h = ctx.px(kPrimaryHeight + 16);
    for (std::size_t i = 0; i < opts.size(); ++i) {
        const ImVec2 p(ctx.xs(160) + static_cast<float>(i % 2) * (w + gap),
                       ctx.px(370) + static_cast<float>(i / 2) * (h + gap));
        const bool on = std::find(vm.picked.begin(), vm.picked.end(), opts[i].id) != vm.picked.end();
        if (toggleRow(ctx, "choice." + opts[i].id, ctx.tr(opts[i].labelKey), on, p, w)) {
            out = Intent::withText(IntentKind::ToggleOption, opts[i].id);
        }
    }
    return out;
}

}  // namespace

Intent drawFeedback(const FeedbackVm& vm, UiContext& ctx) {
    ScreenFrame frame(ctx, "##feedback");
    Intent out;
    frame.body(ctx.tr(vm.titleKey) + "  \u2022  " +
                   formatText(ctx.tr("feedback.step"),
                              {{"n", std::to_string(vm.position)}, {"count", std::to_string(vm.count)}}),
               40, 160, 1600, true, true);
    const bool comment = vm.step.type == StepType::Comment;
    frame.title(ctx.tr(vm.step.questionKey), comment ? 100 : 140, 160, 1600);

    Intent answer;
    switch (vm.step.type) {
        case StepType::Nps: {
            answer = scoreRow(ctx, "nps", 0, 10, vm.score, ImVec2(ctx.xs(110), ctx.px(420)),
                              ImVec2(ctx.xs(1700), ctx.px(140)));
            frame.body(ctx.tr("feedback.nps_low"), 580, 110, 600, false, true);
            const auto& high = ctx.tr("feedback.nps_high");
            const float w = ctx.font().body->CalcTextSizeA(ctx.font().body->FontSize, 1e9f, 0, high.c_str()).x;
            textBlock(ctx, ctx.font().body, high, ImVec2(ctx.xs(1810) - w, ctx.px(580)), w + 1, ctx.colors.muted);
            break;
        }
        case StepType::Csat:
            answer = csatFaces(ctx, vm.score, ImVec2(ctx.xs(210), ctx.px(360)), ImVec2(ctx.xs(1500), ctx.px(330)));
            break;
        case StepType::Ces:
            answer = scoreRow(ctx, "ces", 1, 7, vm.score, ImVec2(ctx.xs(260), ctx.px(420)),
                              ImVec2(ctx.xs(1400), ctx.px(140)));
            frame.body(ctx.tr("feedback.ces_low"), 580, 260, 600, false, true);
            {
                const auto& high = ctx.tr("feedback.ces_high");
                const float w = ctx.font().body->CalcTextSizeA(ctx.font().body->FontSize, 1e9f, 0, high.c_str()).x;
                textBlock(ctx, ctx.font().body, high, ImVec2(ctx.xs(1660) - w, ctx.px(580)), w + 1, ctx.colors.muted);
            }
            break;
        case StepType::Choice: answer = drawChoices(vm, ctx); break;
        case StepType::Comment:
            inputField(ctx, "feedback.comment", vm.comment, ctx.tr("feedback.comment_hint"),
                       ImVec2(ctx.xs(160), ctx.px(210)), ImVec2(ctx.xs(1600), ctx.px(130)));
            answer = keyboard(ctx, KeyboardLayout::Text, ImVec2(ctx.xs(100), ctx.px(368)),
                              ImVec2(ctx.xs(1720), ctx.px(540)));
            break;
    }

    const float barY = ctx.px(comment ? 930 : 900);
    const float barH = ctx.px(comment ? 120 : kPrimaryHeight + 16);
    if (bigButton(ctx, "feedback.exit", ctx.tr("feedback.exit"), ImVec2(ctx.xs(110), barY), ImVec2(ctx.xs(460), barH),
                  Tone::Quiet)) {
        out = Intent::of(IntentKind::ExitSurvey);
    }
    if (vm.canGoBack && bigButton(ctx, "feedback.back", ctx.tr("feedback.back"), ImVec2(ctx.xs(610), barY),
                                  ImVec2(ctx.xs(400), barH))) {
        out = Intent::of(IntentKind::PrevStep);
    }
    const bool answered = vm.canAdvance && (vm.score || !vm.picked.empty() || !vm.comment.empty());
    const std::string nextLabel =
        vm.isLast ? ctx.tr("feedback.submit") : ctx.tr(answered || !vm.step.optional ? "feedback.next" : "feedback.skip");
    if (bigButton(ctx, "feedback.next", nextLabel, ImVec2(ctx.xs(1050), barY), ImVec2(ctx.xs(760), barH),
                  Tone::Primary, vm.canAdvance)) {
        out = Intent::of(IntentKind::NextStep);
    }
    return answer ? answer : out;
}

}  // namespace touchpoint::kiosk::ui
