#include "theme.hpp"

namespace touchpoint::kiosk::ui {

namespace {

constexpr float kBodyPx = 34.0f;
constexpr float kTitlePx = 62.0f;
constexpr float kLargeFactor = 1.3f;

ImVec4 rgba(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

}  // namespace

std::string widgetGlyphs() {
    // Keyboard letters in both cases, digits, punctuation, accented keys, tick, arrows, backspace.
    return "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._-+!?,'()/:;&%\"#*="
           "áàâãäçéèêëíîïñóôõöúùûüßœÁÀÂÃÄÇÉÈÊËÍÎÏÑÓÔÕÖÚÙÛÜŒ"
           "\u2713\u2190\u2192\u232B\u2026\u2019\u201C\u201D\u2022";
}

Result<Fonts, std::string> loadFonts(ImFontAtlas& atlas, const std::filesystem::path& fontsDir, float scale,
                                     const std::vector<std::string>& texts) {
    const auto regular = fontsDir / "DejaVuSans.ttf";
    const auto bold = fontsDir / "DejaVuSans-Bold.ttf";
    for (const auto& f : {regular, bold}) {
        if (!std::filesystem::exists(f)) return Fail(f.string() + ": font file missing");
    }
    ImFontGlyphRangesBuilder builder;
    builder.AddRanges(atlas.GetGlyphRangesDefault());
    for (const auto& t : texts) builder.AddText(t.c_str());
    builder.AddText(widgetGlyphs().c_str());
    // The atlas keeps a pointer to the ranges until it is built; a static keeps them alive for a rebuild.
    static ImVector<ImWchar> ranges;
    ranges.clear();
    builder.BuildRanges(&ranges);

    ImFontConfig cfg;
    cfg.OversampleH = 1;  // large sizes only: oversampling would triple the atlas for no visible gain
    cfg.OversampleV = 1;
    cfg.PixelSnapH = true;
    // One copy of the TTF data per size until uploadFonts() frees them (ImGui 1.86 copies shared data anyway).
    auto add = [&](const std::filesystem::path& file, float px) {
        return atlas.AddFontFromFileTTF(file.c_str(), px * scale, &cfg, ranges.Data);
    };
    Fonts fonts;
    fonts.normal = {add(regular, kBodyPx), add(bold, kBodyPx), add(bold, kTitlePx)};
    fonts.large = {add(regular, kBodyPx * kLargeFactor), add(bold, kBodyPx * kLargeFactor),
                   add(bold, kTitlePx * kLargeFactor)};
    for (ImFont* f : {fonts.normal.body, fonts.normal.bold, fonts.normal.title, fonts.large.body, fonts.large.bold,
                      fonts.large.title}) {
        if (f == nullptr) return Fail(std::string("cannot load fonts from ") + fontsDir.string());
    }
    atlas.Flags |= ImFontAtlasFlags_NoBakedLines;  // applyStyle() draws outlines from geometry
    if (!atlas.Build()) return Fail(std::string("font atlas build failed"));
    return fonts;
}

Palette palette(bool highContrast) {
    if (highContrast) {
        // Pure black and white with yellow accents: well above WCAG AAA contrast.
        return {IM_COL32(0, 0, 0, 255),       IM_COL32(255, 255, 255, 255), IM_COL32(255, 255, 255, 255),
                IM_COL32(255, 220, 0, 255),   IM_COL32(0, 0, 0, 255),       IM_COL32(0, 0, 0, 255),
                IM_COL32(255, 255, 255, 255), IM_COL32(255, 255, 255, 255), IM_COL32(0, 0, 0, 255),
                IM_COL32(255, 120, 120, 255), IM_COL32(0, 0, 0, 255),       IM_COL32(255, 255, 255, 255)};
    }
    return {IM_COL32(246, 244, 239, 255), IM_COL32(28, 33, 48, 255),    IM_COL32(86, 92, 110, 255),
            IM_COL32(0, 92, 75, 255),     IM_COL32(255, 255, 255, 255), IM_COL32(225, 230, 236, 255),
            IM_COL32(28, 33, 48, 255),    IM_COL32(255, 176, 32, 255),  IM_COL32(28, 33, 48, 255),
            IM_COL32(176, 32, 40, 255),   IM_COL32(255, 255, 255, 255), IM_COL32(170, 176, 190, 255)};
}

void applyStyle(ImGuiStyle& style, bool highContrast, float scale) {
    style = ImGuiStyle();
    const auto p = palette(highContrast);
    style.WindowPadding = ImVec2(0, 0);
    style.WindowBorderSize = 0;
    style.WindowRounding = 0;
    style.FrameRounding = 18;
    style.FrameBorderSize = highContrast ? 3.0f : 0.0f;
    style.FramePadding = ImVec2(16, 12);
    style.ItemSpacing = ImVec2(16, 16);
    style.ScrollbarSize = 0;
    // Outlines get their anti-aliased edge from geometry, not from line images baked into the font atlas:
    // the atlas is then sampled texel-exact everywhere, so the platform can use nearest filtering, which
    // costs a software rasteriser far less than bilinear for every pixel drawn.
    style.AntiAliasedLinesUseTex = false;
    style.ScaleAllSizes(scale);
    auto* c = style.Colors;
    c[ImGuiCol_WindowBg] = rgba(p.background);
    c[ImGuiCol_Text] = rgba(p.text);
    c[ImGuiCol_Border] = rgba(p.outline);
    c[ImGuiCol_Button] = rgba(p.secondary);
    // Touch: the pointer rests where the finger lifted, so "hovered" must look like "normal".
    c[ImGuiCol_ButtonHovered] = rgba(p.secondary);
    c[ImGuiCol_ButtonActive] = rgba(p.selected);
}

}  // namespace touchpoint::kiosk::ui
