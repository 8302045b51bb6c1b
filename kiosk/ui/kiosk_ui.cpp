#include "kiosk_ui.hpp"

#include "screens.hpp"

namespace touchpoint::kiosk::ui {

KioskUi::KioskUi(const Translations& texts, const Fonts& fonts) : m_texts(texts), m_fonts(fonts) {}

FrameOutput KioskUi::draw(const KioskController& controller, StaffPanel* staff, WidgetRegistry& registry,
                          std::int64_t nowMs, const std::string& focusedId) {
    FrameOutput out;
    registry.beginFrame();
    auto& io = ImGui::GetIO();
    const float scale = io.DisplaySize.y / 1080.0f;
    const auto display = controller.displayVm();
    if (m_styledHighContrast != display.highContrast || m_styledScale != scale) {
        applyStyle(ImGui::GetStyle(), display.highContrast, scale);
        m_styledHighContrast = display.highContrast;
        m_styledScale = scale;
    }
    UiContext ctx(m_texts, display, registry, m_fonts, scale, nowMs);
    ImGui::PushFont(ctx.font().body);
    out.touching = io.MouseDown[0];

    if (controller.mode() == AppMode::Staff) {
        if (staff != nullptr) staff->draw(ctx);
        ImGui::PopFont();
        return out;
    }
    scanInput(out, nowMs);
    Intent intent;
    switch (controller.screen()) {
        case ScreenId::Attract: intent = drawAttract(controller.attractVm(), ctx); break;
        case ScreenId::SignIn: intent = drawSignIn(controller.signInVm(), ctx); break;
        case ScreenId::Consent: intent = drawConsent(controller.consentVm(), ctx); break;
        case ScreenId::Welcome: intent = drawWelcome(controller.welcomeVm(), ctx); break;
        case ScreenId::Feedback: intent = drawFeedback(controller.feedbackVm(), ctx); break;
        case ScreenId::ThankYou: intent = drawThankYou(controller.thankYouVm(), ctx); break;
        case ScreenId::Apology: intent = drawApology(controller.apologyVm(), ctx); break;
        case ScreenId::Sleep: intent = drawSleep(controller.sleepVm(), ctx); break;
        case ScreenId::Contact: intent = drawContact(controller.contactVm(), ctx); break;
    }
    if (controller.stillThereShown()) {
        // Whatever the screen below returned was not meant: the overlay window took the tap.
        intent = drawStillThere(controller.stillThereVm(), ctx);
    }
    if (intent) out.intents.push_back(std::move(intent));
    if (display.speech) focusRing(ctx, focusedId);
    staffCorner(ctx, out);
    ImGui::PopFont();
    return out;
}

void KioskUi::focusRing(UiContext& ctx, const std::string& focusedId) {
    const auto rect = focusedId.empty() ? std::nullopt : ctx.registry.find(focusedId);
    if (!rect) return;
    // Above every window, thick and in two colours, so it shows on any button colour in both palettes.
    auto* dl = ImGui::GetForegroundDrawList();
    const float gap = ctx.px(6);
    const float thick = ctx.px(8);
    const ImVec2 p0(rect->x - gap - thick / 2, rect->y - gap - thick / 2);
    const ImVec2 p1(rect->x + rect->w + gap + thick / 2, rect->y + rect->h + gap + thick / 2);
    dl->AddRect(p0, p1, ctx.colors.text, ctx.px(22), 0, thick);
    dl->AddRect(ImVec2(p0.x - thick / 2 - ctx.px(2), p0.y - thick / 2 - ctx.px(2)),
                ImVec2(p1.x + thick / 2 + ctx.px(2), p1.y + thick / 2 + ctx.px(2)), ctx.colors.selected, ctx.px(26), 0,
                ctx.px(4));
}

void KioskUi::scanInput(FrameOutput& out, std::int64_t nowMs) {
    auto& io = ImGui::GetIO();
    for (const ImWchar c : io.InputQueueCharacters) m_scanner.onChar(c, nowMs);
    io.InputQueueCharacters.resize(0);
    const int enter = io.KeyMap[ImGuiKey_Enter];
    const int keypadEnter = io.KeyMap[ImGuiKey_KeyPadEnter];
    const bool pressed = (enter >= 0 && ImGui::IsKeyPressed(enter, false)) ||
                         (keypadEnter >= 0 && ImGui::IsKeyPressed(keypadEnter, false));
    if (pressed) {
        if (auto code = m_scanner.onEnter(nowMs)) out.intents.push_back(Intent::withText(IntentKind::CodeScanned, *code));
    }
}

void KioskUi::staffCorner(UiContext& ctx, FrameOutput& out) {
    // Its own window, above the screen, so the corner wins hit-testing; nothing is drawn in it.
    const float side = ctx.px(kStaffCornerPx);
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(side, side));
    ImGui::SetNextWindowBgAlpha(0.0f);
    ImGui::Begin("##staffcorner", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoBackground);
    ImGui::SetCursorScreenPos(ImVec2(0, 0));
    ImGui::InvisibleButton("staff.corner", ImVec2(side, side));
    ctx.registry.add("staff.corner", 0, 0, side, side);
    if (ImGui::IsItemActive()) {
        if (!m_pressStartMs) m_pressStartMs = ctx.nowMs;
        if (!m_longPressFired && ctx.nowMs - *m_pressStartMs >= kStaffLongPressMs) {
            m_longPressFired = true;
            out.intents.push_back(Intent::of(IntentKind::OpenStaff));
        }
    } else {
        m_pressStartMs.reset();
        m_longPressFired = false;
    }
    ImGui::End();
}

}  // namespace touchpoint::kiosk::ui
