// Staff mode's panel (ui/staff_panel.hpp): feeds the app's StaffController taps and scans and draws its
// pages. The controller and everything behind it are built by the app (kiosk/app/staff_mode.hpp).
#include <algorithm>

#include "core/scanner.hpp"
#include "staff/staff_controller.hpp"
#include "staff_screens.hpp"
#include "ui/staff_panel.hpp"

namespace touchpoint::kiosk::ui {

namespace {

namespace core = kiosk::staff;

class KioskStaffPanel final : public StaffPanel {
public:
    explicit KioskStaffPanel(const StaffDeps& deps) : m_clock(deps.clock), m_controller(deps.controller) {}

    void open() override {
        m_scanner.clear();
        m_controller.open();
    }
    bool isOpen() const override { return m_controller.isOpen(); }
    bool wantsAppExit() const override { return m_controller.exitRequested(); }
    std::optional<std::int64_t> nextWakeMs() const override {
        const auto idle = m_controller.msUntilIdleExit();
        if (!idle) return std::nullopt;
        // The idle countdown and any lock countdown tick once a second.
        return m_clock.monotonicMs() + std::min<std::int64_t>(*idle, 1000);
    }

    std::string stateName() const override {
        const auto& vm = m_controller.vm();
        std::string name(core::toString(vm.page));
        if (vm.page == core::StaffPage::Pin) {
            if (vm.pin.locked) name += ".locked";
            else if (vm.pin.checking) name += ".checking";
            else if (vm.pin.lastWrong) name += ".wrong";
        }
        if (vm.page == core::StaffPage::Lookup) {
            if (vm.lookup.pending) name += ".pending";
            else if (vm.lookup.result) name += "." + std::string(core::toString(vm.lookup.result->outcome));
        }
        if (vm.confirm.action != core::ConfirmAction::None) name += ".confirm";
        return name;
    }

    void draw(UiContext& ctx) override {
        auto& io = ImGui::GetIO();
        if (io.MouseDown[0]) m_controller.touch();
        scanInput(ctx.nowMs);
        m_controller.update();
        if (!m_controller.isOpen()) return;
        // The app's table holds the staff keys too (Translations::loadKiosk), in the shopper's languages.
        const auto intent = staff::drawStaffPage(m_controller.vm(), ctx);
        if (intent.kind != core::StaffIntent::Kind::None) m_controller.apply(intent);
    }

private:
    void scanInput(std::int64_t nowMs) {
        // Staff mode owns the keyboard wedge: a scanned card is a lookup on the lookup page, ignored elsewhere.
        auto& io = ImGui::GetIO();
        for (const ImWchar c : io.InputQueueCharacters) m_scanner.onChar(c, nowMs);
        io.InputQueueCharacters.resize(0);
        const int enter = io.KeyMap[ImGuiKey_Enter];
        if (enter >= 0 && ImGui::IsKeyPressed(enter, false)) {
            const auto code = m_scanner.onEnter(nowMs);
            m_controller.touch();
            if (code && m_controller.vm().page == core::StaffPage::Lookup) {
                m_controller.apply(core::StaffIntent::scan(*code));
            }
        }
    }

    const Clock& m_clock;
    core::StaffController& m_controller;
    ScannerInput m_scanner;
};

}  // namespace

std::unique_ptr<StaffPanel> makeStaffPanel(const StaffDeps& deps) { return std::make_unique<KioskStaffPanel>(deps); }

}  // namespace touchpoint::kiosk::ui
