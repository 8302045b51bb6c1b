#pragma once
// The base every screen draws in: one undecorated, immovable window covering the whole display. It paints
// no background of its own: the frame is cleared to the palette's background (ImGui's style WindowBg) by the
// platform. Screens open one on the stack and place widgets by absolute position.

#include <string>

#include "ui_context.hpp"

namespace touchpoint::kiosk::ui {

class ScreenFrame {
public:
    /// `name` must be unique per screen (ImGui window name); `overlay` dims what is below instead of painting.
    ScreenFrame(UiContext& ctx, const char* name, bool overlay = false);
    ~ScreenFrame();
    ScreenFrame(const ScreenFrame&) = delete;
    ScreenFrame& operator=(const ScreenFrame&) = delete;

    /// A title in the title font, centred horizontally within [x, x + width) at y (1080p reference units).
    float title(const std::string& text, float y, float x = 0, float width = 1920) const;
    /// Body text, wrapped and centred (or left aligned) within the given 1920x1080 reference box.
    float body(const std::string& text, float y, float x = 160, float width = 1600, bool centered = true,
               bool muted = false) const;

private:
    UiContext& m_ctx;
};

}  // namespace touchpoint::kiosk::ui
