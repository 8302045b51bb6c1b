#pragma once
// Composes one frame: the current shopper screen (or the staff panel), the "still there?" overlay, the
// hidden staff corner (3 s long press) and keyboard-wedge scanner input. Call between ImGui::NewFrame() and
// ImGui::Render(); apply the returned intents to the controller afterwards.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/intent.hpp"
#include "core/kiosk_controller.hpp"
#include "core/scanner.hpp"
#include "staff_panel.hpp"
#include "theme.hpp"
#include "widget_registry.hpp"

namespace touchpoint::kiosk::ui {

inline constexpr std::int64_t kStaffLongPressMs = 3000;
inline constexpr float kStaffCornerPx = 140.0f;  ///< at 1080p

struct FrameOutput {
    std::vector<Intent> intents;
    bool touching = false;          ///< a finger is down: keep drawing (long press, button feedback)
};

class KioskUi {
public:
    KioskUi(const Translations& texts, const Fonts& fonts);

    /// `focusedId`: in speech and keypad mode, the widget the keys are on (outlined with the focus ring).
    FrameOutput draw(const KioskController& controller, StaffPanel* staff, WidgetRegistry& registry,
                     std::int64_t nowMs, const std::string& focusedId = {});

private:
    void scanInput(FrameOutput& out, std::int64_t nowMs);
    void staffCorner(UiContext& ctx, FrameOutput& out);
    static void focusRing(UiContext& ctx, const std::string& focusedId);

    const Translations& m_texts;
    const Fonts& m_fonts;
    ScannerInput m_scanner;
    std::optional<std::int64_t> m_pressStartMs;
    bool m_longPressFired = false;
    std::optional<bool> m_styledHighContrast;
    float m_styledScale = 0;
};

}  // namespace touchpoint::kiosk::ui
