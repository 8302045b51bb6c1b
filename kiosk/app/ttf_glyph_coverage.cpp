#include "ttf_glyph_coverage.hpp"

#include <fstream>
#include <iterator>

// Debian's libstb-dev header; the implementation is compiled here, its symbols local to this file (Dear
// ImGui keeps its own private copy for the atlas).
#define STBTT_STATIC
#define STB_TRUETYPE_IMPLEMENTATION
#include <stb/stb_truetype.h>

namespace touchpoint::kiosk::app {

struct TtfGlyphCoverage::Font {
    std::vector<unsigned char> data;
    stbtt_fontinfo info{};
};

std::vector<std::filesystem::path> kioskFontFiles(const std::filesystem::path& fontsDir) {
    return {fontsDir / "DejaVuSans.ttf", fontsDir / "DejaVuSans-Bold.ttf"};
}

Result<std::unique_ptr<TtfGlyphCoverage>, std::string> TtfGlyphCoverage::load(
    const std::vector<std::filesystem::path>& files) {
    std::unique_ptr<TtfGlyphCoverage> out(new TtfGlyphCoverage());
    for (const auto& file : files) {
        auto font = std::make_unique<Font>();
        // Read by size: GCC's -O2 flags istreambuf_iterator's buffer pointers as possibly null (release build).
        std::error_code ec;
        const auto size = std::filesystem::file_size(file, ec);
        constexpr std::uintmax_t kMaxFontBytes = 64ULL * 1024 * 1024;
        std::ifstream in(file, std::ios::binary);
        if (ec || !in) return Fail(file.string() + ": cannot open the font");
        if (size > kMaxFontBytes) return Fail(file.string() + ": larger than a font file should be");
        font->data.resize(static_cast<std::size_t>(size));
        if (!in.read(reinterpret_cast<char*>(font->data.data()), static_cast<std::streamsize>(size))) {
            return Fail(file.string() + ": cannot read the font");
        }
        const int offset = stbtt_GetFontOffsetForIndex(font->data.data(), 0);
        if (font->data.size() < 12 || offset < 0 ||
            stbtt_InitFont(&font->info, font->data.data(), offset) == 0) {
            return Fail(file.string() + ": not a TrueType font");
        }
        out->m_fonts.push_back(std::move(font));
    }
    if (out->m_fonts.empty()) return Fail(std::string("no font files"));
    return out;
}

TtfGlyphCoverage::~TtfGlyphCoverage() = default;

bool TtfGlyphCoverage::covers(char32_t codepoint) const {
    for (const auto& f : m_fonts) {
        if (stbtt_FindGlyphIndex(&f->info, static_cast<int>(codepoint)) == 0) return false;
    }
    return true;
}

}  // namespace touchpoint::kiosk::app
