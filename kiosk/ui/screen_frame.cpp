#include "screen_frame.hpp"

#include "widgets.hpp"

namespace touchpoint::kiosk::ui {

ScreenFrame::ScreenFrame(UiContext& ctx, const char* name, bool overlay) : m_ctx(ctx) {
    const auto size = ctx.screen();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(size);
    if (overlay) ImGui::SetNextWindowFocus();
    // No window background: the platform clears the frame to the palette's background colour (the style's
    // WindowBg), which costs almost nothing, where a full-screen blended quad dominated raster time on a
    // software renderer. An overlay draws its own dimming below.
    constexpr ImGuiWindowFlags kFlags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                        ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoSavedSettings |
                                        ImGuiWindowFlags_NoNav | ImGuiWindowFlags_NoScrollWithMouse |
                                        ImGuiWindowFlags_NoBackground;
    ImGui::Begin(name, nullptr, overlay ? kFlags : kFlags | ImGuiWindowFlags_NoBringToFrontOnFocus);
    if (overlay) {
        ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(0, 0), size, IM_COL32(0, 0, 0, 170));
    }
}

ScreenFrame::~ScreenFrame() { ImGui::End(); }

float ScreenFrame::title(const std::string& text, float y, float x, float width) const {
    return textBlock(m_ctx, m_ctx.font().title, text, ImVec2(m_ctx.xs(x), m_ctx.px(y)), m_ctx.xs(width),
                     m_ctx.colors.text);
}

float ScreenFrame::body(const std::string& text, float y, float x, float width, bool centered, bool muted) const {
    return textBlock(m_ctx, m_ctx.font().body, text, ImVec2(m_ctx.xs(x), m_ctx.px(y)), m_ctx.xs(width),
                     muted ? m_ctx.colors.muted : m_ctx.colors.text, centered);
}

}  // namespace touchpoint::kiosk::ui
