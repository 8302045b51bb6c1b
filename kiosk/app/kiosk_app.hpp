#pragma once
// The kiosk's frame loop and the objects it wires together: ImGui context, window, fonts, controller, the
// frame composer and (when built) the staff panel. It redraws only when something changed: input, a worker
// result, a due timer or the attract pulse; otherwise it blocks in glfwWaitEventsTimeout. The script driver
// and the bench use the same frame() with a pointer override, so they exercise the real hit-testing.

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/kiosk_controller.hpp"
#include "core/offset_clock.hpp"
#include "core/run_queue.hpp"
#include "core/speech_navigator.hpp"
#include "platform/window.hpp"
#include "services.hpp"
#include "staff_mode.hpp"
#include "ui/kiosk_ui.hpp"
#include "ui/staff_panel.hpp"
#include "ui/theme.hpp"
#include "ui/widget_registry.hpp"

namespace touchpoint::kiosk::app {

struct AppOptions {
    bool windowed = false;  ///< developer mode: a decorated window with a cursor, closable
};

/// Where the script driver puts the finger for one frame.
struct Pointer {
    float x = -1e9f;
    float y = -1e9f;
    bool down = false;
};

class KioskApp {
public:
    static Result<std::unique_ptr<KioskApp>, std::string> create(Services& services, OffsetClock& clock,
                                                                 const AppOptions& options);
    ~KioskApp();
    KioskApp(const KioskApp&) = delete;
    KioskApp& operator=(const KioskApp&) = delete;

    /// The interactive loop; returns the exit code when staff exits the app.
    int run();

    /// Drains worker results, runs timers, draws one frame and applies its intents. `pointer` replaces the
    /// real mouse; `input` may queue characters or keys before the frame.
    void frame(std::optional<Pointer> pointer = std::nullopt, const std::function<void()>& input = {});
    Result<void, std::string> screenshot(const std::filesystem::path& file);

    KioskController& controller() { return *m_controller; }
    const ui::WidgetRegistry& registry() const { return m_registry; }
    /// Keeps the texts each frame draws (the script driver's `shows`); off in service.
    void recordDrawnTexts() { m_registry.recordTexts(true); }
    OffsetClock& clock() { return m_clock; }
    Services& services() { return m_services; }
    /// "attract", "signin", ..., "welcome.member", "welcome.loading", ...: what the driver waits for.
    std::string stateName() const;
    /// Speech and keypad mode: the focused widget id and the last text handed to speech (tests and the
    /// script driver; never logged: it can hold what the shopper typed). Both are empty outside the mode.
    const std::string& focusedId() const { return m_focusedId; }
    const std::string& lastSpoken() const { return m_lastSpoken; }
    /// Presses a named key as the keyboard would ("tab", "kp_5", ...); false for an unknown name.
    bool pressKey(const std::string& name) { return m_window->pressKey(name); }
    /// Wall time of each frame drawn since the last call (bench).
    std::vector<double> takeFrameTimesMs();
    bool quitRequested() const { return m_quit; }
    /// Runs `task` on the UI thread at the next loop turn (from any thread) and wakes the loop.
    void post(RunQueue::Task task) { m_queue.post(std::move(task)); }
    void requestQuit() { m_quit = true; }

private:
    KioskApp(Services& services, OffsetClock& clock);
    void drawAndApply(const std::optional<Pointer>& pointer, const std::function<void()>& input, bool swap);
    /// Speech and keypad mode for one frame: keys to focus moves and intents, changes to speech.
    void speechFrame();
    void speak(const std::string& text, const std::string& language);
    void leaveSpeech(bool silence);
    /// After head office's document was applied: rebuilds the font atlas if its texts need new glyphs.
    void refreshFonts();

    Services& m_services;
    OffsetClock& m_clock;
    struct ImGuiContextOwner;
    std::unique_ptr<ImGuiContextOwner> m_imgui;
    std::unique_ptr<platform::Window> m_window;
    ui::Fonts m_fonts;
    ui::WidgetRegistry m_registry;
    RunQueue m_queue;
    std::unique_ptr<KioskController> m_controller;
    std::unique_ptr<ui::KioskUi> m_ui;
    std::unique_ptr<StaffMode> m_staffMode;  ///< staff core over the app's adapters
    std::unique_ptr<ui::StaffPanel> m_staff;  ///< draws m_staffMode's controller
    std::unique_ptr<SpeechNavigator> m_nav;
    std::unique_ptr<SpeechOutput> m_speech;  ///< espeak-ng, started the first time the mode is used
    bool m_speechOn = false;
    std::uint64_t m_speechRevision = 0;  ///< the controller's revision last described
    std::string m_focusedId;
    std::string m_lastSpoken;
    std::vector<double> m_frameTimesMs;
    int m_framesToDraw = 3;
    bool m_quit = false;
};

}  // namespace touchpoint::kiosk::app
