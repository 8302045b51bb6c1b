#pragma once
// Every interactive widget registers its name and on-screen rectangle each frame. The script driver taps
// at the centre of a named rectangle (so ImGui's own hit-testing decides what was hit) and the frame tests
// find widgets the same way. No ImGui types here: the driver and tests read it without a context.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace touchpoint::kiosk::ui {

struct WidgetRect {
    std::string id;
    float x = 0, y = 0, w = 0, h = 0;
    float centerX() const { return x + w / 2; }
    float centerY() const { return y + h / 2; }
};

class WidgetRegistry {
public:
    /// Forgets last frame's widgets and glyph misses; call before drawing a frame.
    void beginFrame() {
        m_rects.clear();
        m_missingGlyphs.clear();
    }
    void add(std::string id, float x, float y, float w, float h) { m_rects.push_back({std::move(id), x, y, w, h}); }
    /// The last widget registered under `id` this frame (later ones are drawn on top).
    std::optional<WidgetRect> find(const std::string& id) const {
        for (auto it = m_rects.rbegin(); it != m_rects.rend(); ++it) {
            if (it->id == id) return *it;
        }
        return std::nullopt;
    }
    const std::vector<WidgetRect>& all() const { return m_rects; }

    /// Text drawing reports characters the font atlas lacks (drawn as '?'); tests and the driver fail on any.
    void noteMissingGlyph(std::uint32_t codepoint) { m_missingGlyphs.insert(codepoint); }
    const std::set<std::uint32_t>& missingGlyphs() const { return m_missingGlyphs; }

private:
    std::vector<WidgetRect> m_rects;
    std::set<std::uint32_t> m_missingGlyphs;
};

}  // namespace touchpoint::kiosk::ui
