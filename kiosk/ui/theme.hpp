#pragma once
// Fonts and colours. The atlas holds DejaVu Sans (assets/fonts) at the sizes the screens use, for normal and
// larger-text mode, with exactly the glyphs the translation tables and widgets need (built from their text,
// so a new language cannot silently show '?').

#include <filesystem>
#include <string>
#include <vector>

#include <imgui.h>

#include "common/result.hpp"

namespace touchpoint::kiosk::ui {

struct FontSet {
    ImFont* body = nullptr;
    ImFont* bold = nullptr;
    ImFont* title = nullptr;
};

struct Fonts {
    FontSet normal;
    FontSet large;
    const FontSet& pick(bool largeText) const { return largeText ? large : normal; }
};

/// Characters the widgets draw that are not in any translation (keys, arrows, ticks).
std::string widgetGlyphs();

/// Adds the fonts to `atlas` (ImGui::GetIO().Fonts) at `scale` (window height / 1080) with glyphs for
/// `texts`, and builds it. Fails when a font file is missing or the atlas cannot be built.
Result<Fonts, std::string> loadFonts(ImFontAtlas& atlas, const std::filesystem::path& fontsDir, float scale,
                                     const std::vector<std::string>& texts);

/// Colours for a frame.
struct Palette {
    ImU32 background, text, muted, primary, primaryText, secondary, secondaryText, selected, selectedText,
        danger, panel, outline;
};
Palette palette(bool highContrast);

/// Sets ImGui's style for touch: no hover highlight (the pointer stays where the finger left it), big
/// rounding and padding scaled to the window.
void applyStyle(ImGuiStyle& style, bool highContrast, float scale);

}  // namespace touchpoint::kiosk::ui
