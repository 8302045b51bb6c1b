#pragma once
// The seam for staff mode (kiosk/core/staff, kiosk/ui/staff). A 3 s press in the top-left corner makes the
// controller drop the shopper's session and switch to AppMode::Staff; from then on the app calls the staff
// panel's draw() instead of the shopper screens until isOpen() turns false (then back to attract). The
// panel draws the staff controller's view-models (PIN pad, pages, idle countdown) and applies the intents its
// screens return; it owns no service.
//
// To plug in: kiosk/ui/staff/CMakeLists.txt (added by kiosk/CMakeLists.txt when present) builds a library
// target named `touchpoint_kiosk_staff_ui` that defines makeStaffPanel(); the app builds the controller over
// its adapters (kiosk/app/staff_mode.hpp), links the library and compiles with TOUCHPOINT_KIOSK_HAS_STAFF_UI.
// Without it the long press is ignored (logged) and the shopper screen stays.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ui_context.hpp"

namespace touchpoint {
class Clock;
}
namespace touchpoint::kiosk::staff {
class StaffController;
}

namespace touchpoint::kiosk::ui {

class StaffPanel {
public:
    virtual ~StaffPanel() = default;
    /// The long press happened: show the PIN pad.
    virtual void open() = 0;
    /// While true the app draws this panel instead of the shopper screens.
    virtual bool isOpen() const = 0;
    /// Draws one frame between ImGui::NewFrame and ImGui::Render (full screen, use ScreenFrame and the
    /// shared widgets so the script driver can tap named widgets).
    virtual void draw(UiContext& ctx) = 0;
    /// Staff confirmed "exit the app": the loop ends after this frame.
    virtual bool wantsAppExit() const { return false; }
    /// Monotonic ms of the panel's next timer (its idle timeout, a countdown), if any.
    virtual std::optional<std::int64_t> nextWakeMs() const { return std::nullopt; }
    /// The panel's page for the script driver's await/expect ("pin", "home", "lookup.found", ...); the app
    /// reports "staff.<this>" ("staff" alone when empty).
    virtual std::string stateName() const { return {}; }
};

/// What the app lends the staff panel. Everything outlives the panel.
struct StaffDeps {
    ::touchpoint::kiosk::staff::StaffController& controller;  ///< built by the app over its adapters
    const Clock& clock;
};

/// Defined by the staff-mode library (kiosk/ui/staff) when it is built.
std::unique_ptr<StaffPanel> makeStaffPanel(const StaffDeps& deps);

}  // namespace touchpoint::kiosk::ui
