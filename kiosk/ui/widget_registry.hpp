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
        m_texts.clear();
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

    /// Off by default (a kiosk in service keeps no copy of what it shows); the script driver turns it on so
    /// `shows TEXT` can check what the last frame drew.
    void recordTexts(bool on) { m_recordTexts = on; }
    /// Each text a widget drew this frame, whole (before wrapping into lines), when recording.
    void noteText(const std::string& text) {
        if (m_recordTexts) m_texts.push_back(text);
    }
    const std::vector<std::string>& texts() const { return m_texts; }

private:
    std::vector<WidgetRect> m_rects;
    std::set<std::uint32_t> m_missingGlyphs;
    bool m_recordTexts = false;
    std::vector<std::string> m_texts;
};

}  // namespace touchpoint::kiosk::ui
