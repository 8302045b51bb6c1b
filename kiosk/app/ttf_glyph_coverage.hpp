#pragma once
// Which characters the kiosk's fonts can draw, read from the character maps of the same TTF files the kiosk
// loads (DejaVu Sans, regular and bold: every text may be drawn in either). GUI-free, for checking head
// office's documents off the UI thread. The files are held only while the check runs.

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "core/fleet_content.hpp"

namespace touchpoint::kiosk::app {

/// The font files the kiosk draws with, in `fontsDir` (assets/fonts).
std::vector<std::filesystem::path> kioskFontFiles(const std::filesystem::path& fontsDir);

class TtfGlyphCoverage final : public GlyphCoverage {
  public:
    /// Reads every file; a missing or unreadable file, or one that is not a TrueType font, fails.
    static Result<std::unique_ptr<TtfGlyphCoverage>, std::string> load(
        const std::vector<std::filesystem::path>& files);
    ~TtfGlyphCoverage() override;
    TtfGlyphCoverage(const TtfGlyphCoverage&) = delete;
    TtfGlyphCoverage& operator=(const TtfGlyphCoverage&) = delete;

    /// True when every file maps the character to a glyph.
    bool covers(char32_t codepoint) const override;

  private:
    struct Font;
    TtfGlyphCoverage() = default;
    std::vector<std::unique_ptr<Font>> m_fonts;
};

}  // namespace touchpoint::kiosk::app
