#pragma once
// What every screen draws with: the translation table in the shopper's language, fonts and colours for the
// current display mode, the named-widget registry and the scale from the 1080p reference layout.

#include <string>

#include <imgui.h>

#include "core/i18n.hpp"
#include "core/view_models.hpp"
#include "theme.hpp"
#include "widget_registry.hpp"

namespace touchpoint::kiosk::ui {

struct UiContext {
    const Translations& texts;
    DisplayVm display;
    WidgetRegistry& registry;
    const Fonts& fonts;
    float scale = 1.0f;  ///< window height / 1080: layouts are written for 1080p
    Palette colors;
    std::int64_t nowMs = 0;  ///< monotonic, for countdowns and animation

    UiContext(const Translations& t, DisplayVm d, WidgetRegistry& r, const Fonts& f, float s, std::int64_t now)
        : texts(t), display(std::move(d)), registry(r), fonts(f), scale(s), colors(palette(display.highContrast)),
          nowMs(now) {}

    const std::string& tr(const std::string& key) const { return texts.text(display.language, key); }
    float px(float reference1080) const { return reference1080 * scale; }
    /// Horizontal positions and widths are written for a 1920-wide screen and follow the window's width.
    float xs(float reference1920) const { return reference1920 * screen().x / 1920.0f; }
    const FontSet& font() const { return fonts.pick(display.largeText); }
    ImVec2 screen() const { return ImGui::GetIO().DisplaySize; }
};

}  // namespace touchpoint::kiosk::ui
