#include "kiosk_app.hpp"

#include <imgui.h>
#include <imgui_internal.h>  // ImTextCharFromUtf8
#include <malloc.h>

#include <algorithm>
#include <chrono>

#include "common/log.hpp"
#include "core/wipe.hpp"
#include "platform/espeak_speech.hpp"

namespace touchpoint::kiosk::app {

/// ImGui's context as an RAII handle: created first, destroyed last.
struct KioskApp::ImGuiContextOwner {
    ImGuiContextOwner() { ImGui::CreateContext(); }
    ~ImGuiContextOwner() { ImGui::DestroyContext(); }
    ImGuiContextOwner(const ImGuiContextOwner&) = delete;
    ImGuiContextOwner& operator=(const ImGuiContextOwner&) = delete;
};

KioskApp::KioskApp(Services& services, OffsetClock& clock)
    : m_services(services), m_clock(clock), m_queue([] { platform::Window::wake(); }) {}

Result<std::unique_ptr<KioskApp>, std::string> KioskApp::create(Services& services, OffsetClock& clock,
                                                                 const AppOptions& options) {
    std::unique_ptr<KioskApp> app(new KioskApp(services, clock));
    app->m_imgui = std::make_unique<ImGuiContextOwner>();
    auto& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // nothing about the last session is written anywhere
    io.LogFilename = nullptr;
    io.ConfigFlags |= ImGuiConfigFlags_NoMouseCursorChange;
    const auto& cfg = services.config();

    platform::WindowOptions wo;
    wo.width = cfg.ui.width;
    wo.height = cfg.ui.height;
    wo.fullscreen = cfg.ui.fullscreen && !options.windowed;
    wo.kioskMode = !options.windowed;
    auto window = platform::Window::open(wo);
    if (!window) return Fail(window.error());
    app->m_window = std::move(window).value();

    const float scale = static_cast<float>(app->m_window->framebufferHeight()) / 1080.0f;
    auto fonts = ui::loadFonts(*io.Fonts, services.assetsDir() / "fonts", scale, services.texts().allTexts());
    if (!fonts) return Fail(fonts.error());
    app->m_fonts = *fonts;
    app->m_window->uploadFonts();
    // Building the atlas freed several MB of short-lived buffers in the middle of the heap; hand those
    // pages back now rather than carry them for the kiosk's whole uptime.
    malloc_trim(0);

    app->m_controller = std::make_unique<KioskController>(services.flowOptions(), clock, services.texts(),
                                                          services.survey(), services.events(), services.store(),
                                                          services.profiles(), app->m_queue, services.welcomeStore());
    auto target = services.contentTarget();
    target.applied = [a = app.get()](const FleetContent&) {
        a->refreshFonts();
        // Head office sees the new document in effect now, not a heartbeat interval later.
        if (auto* up = a->m_services.uploader()) up->requestHeartbeat();
    };
    app->m_controller->takeContentFrom(std::move(target));
    app->m_ui = std::make_unique<ui::KioskUi>(services.texts(), app->m_fonts);
    app->m_nav = std::make_unique<SpeechNavigator>(services.texts());
#ifdef TOUCHPOINT_KIOSK_HAS_STAFF_UI
    app->m_staffMode = std::make_unique<StaffMode>(
        StaffModeDeps{cfg, clock, services.events(), app->m_queue, &services.outbox(), services.uploader(),
                      &services.fleetSlot()});
    app->m_staff = ui::makeStaffPanel({app->m_staffMode->controller(), clock});
#endif
    if (auto* up = services.uploader()) {
        up->setOnHealthChanged([](const uploader::HealthSnapshot&) { platform::Window::wake(); });
    }
    return app;
}

void KioskApp::refreshFonts() {
    // The atlas holds only the glyphs the tables use. A document whose texts bring a character the atlas
    // lacks (its check already made sure the font files have it) gets the atlas rebuilt, between sessions.
    bool missing = false;
    ImFont* body = m_fonts.normal.body;
    for (const auto& text : m_services.texts().allTexts()) {
        for (const char* p = text.c_str(); *p != '\0' && !missing;) {
            unsigned int c = 0;
            const int n = ImTextCharFromUtf8(&c, p, nullptr);
            if (n <= 0) break;
            p += n;
            if (c >= 0x20 && body->FindGlyphNoFallback(static_cast<ImWchar>(c)) == nullptr) missing = true;
        }
        if (missing) break;
    }
    if (!missing) return;
    auto& io = ImGui::GetIO();
    io.Fonts->Clear();
    const float scale = static_cast<float>(m_window->framebufferHeight()) / 1080.0f;
    auto fonts =
        ui::loadFonts(*io.Fonts, m_services.assetsDir() / "fonts", scale, m_services.texts().allTexts());
    if (!fonts) {
        log::error("kiosk", "font atlas rebuild failed", {{"error", fonts.error()}});
        return;
    }
    m_fonts = *fonts;
    m_window->uploadFonts();
    malloc_trim(0);
    log::info("kiosk", "font atlas rebuilt for head office's texts");
}

KioskApp::~KioskApp() {
    // Workers post into m_queue and call into the controller: stop them before either goes away.
    m_services.stopWorkers();
    m_speech.reset();  // joins the speech thread
    wipeString(m_lastSpoken);
    m_staff.reset();
    m_staffMode.reset();
    m_controller.reset();
    m_window.reset();
}

std::string KioskApp::stateName() const {
    if (m_controller->mode() == AppMode::Staff) {
        const std::string page = m_staff ? m_staff->stateName() : std::string();
        return page.empty() ? "staff" : "staff." + page;
    }
    if (m_controller->stillThereShown()) return "stillthere";
    std::string name(toString(m_controller->screen()));
    if (m_controller->screen() == ScreenId::Welcome) {
        switch (m_controller->welcomeVm().state) {
            case WelcomeState::Loading: return name + ".loading";
            case WelcomeState::Member: return name + ".member";
            case WelcomeState::NewMember: {
                // ".balance" once the hub's second answer (after the sign-up reached it) filled in the points.
                const auto vm = m_controller->welcomeVm();
                return name + (vm.info && vm.info->found ? ".new_member.balance" : ".new_member");
            }
            case WelcomeState::Offline: return name + ".offline";
            case WelcomeState::Cooldown: return name + ".cooldown";
        }
    }
    if (m_controller->screen() == ScreenId::Contact) {
        switch (m_controller->contactVm().stage) {
            case ContactStage::Ask: return name + ".ask";
            case ContactStage::Choose: return name + ".choose";
            case ContactStage::Type: return name + ".type";
        }
    }
    return name;
}

void KioskApp::drawAndApply(const std::optional<Pointer>& pointer, const std::function<void()>& input, bool swap) {
    const auto start = std::chrono::steady_clock::now();
    m_window->beginFrame();
    auto& io = ImGui::GetIO();
    if (pointer) {
        io.MousePos = ImVec2(pointer->x, pointer->y);
        io.MouseDown[0] = pointer->down;
    }
    if (input) input();
    speechFrame();
    ImGui::NewFrame();
    auto out = m_ui->draw(*m_controller, m_staff.get(), m_registry, m_clock.monotonicMs(), m_focusedId);
    const bool clicked = io.MouseClicked[0];
    ImGui::Render();
    if (swap) m_window->endFrame();
    m_frameTimesMs.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    if (m_frameTimesMs.size() > 100000) m_frameTimesMs.clear();

    if (clicked) m_controller->noteActivity();
    for (const auto& intent : out.intents) {
        if (intent.kind == IntentKind::OpenStaff) {
            if (!m_staff) {
                log::info("kiosk", "staff mode is not built into this binary; long press ignored");
                continue;
            }
            m_controller->apply(intent);
            m_staff->open();
            continue;
        }
        m_controller->apply(intent);
    }
    if (m_controller->mode() == AppMode::Staff && (!m_staff || !m_staff->isOpen())) m_controller->leaveStaffMode();
    if (m_staff && m_staff->wantsAppExit()) m_quit = true;
    if (!out.intents.empty() || out.touching) m_framesToDraw = std::max(m_framesToDraw, 3);
}

void KioskApp::frame(std::optional<Pointer> pointer, const std::function<void()>& input) {
    m_window->waitEvents(0);
    m_queue.drain();
    m_controller->tick();
    drawAndApply(pointer, input, true);
    // A frame after the intents were applied, so what the shopper (and a screenshot) sees is current.
    m_queue.drain();
    m_controller->tick();
}

Result<void, std::string> KioskApp::screenshot(const std::filesystem::path& file) {
    // Draw the current state first, then write exactly that frame.
    m_window->beginFrame();
    ImGui::GetIO().MousePos = ImVec2(-1e9f, -1e9f);
    ImGui::GetIO().MouseDown[0] = false;
    ImGui::NewFrame();
    m_ui->draw(*m_controller, m_staff.get(), m_registry, m_clock.monotonicMs(), m_focusedId);
    ImGui::Render();
    return m_window->saveScreenshot(file);
}

void KioskApp::speak(const std::string& text, const std::string& language) {
    if (text.empty()) return;
    if (!m_speech) {
        // Started on first use: its thread loads espeak-ng's data, never the UI thread, and a kiosk whose
        // shoppers never use the mode pays nothing for it.
        m_speech = std::make_unique<platform::EspeakSpeech>();
        m_speech->setVolume(m_nav->volume());
        m_speech->setRate(m_nav->rate());
    }
    wipeString(m_lastSpoken);
    m_lastSpoken = text;
    m_speech->say(text, language);
}

void KioskApp::leaveSpeech(bool silence) {
    if (silence && m_speech) m_speech->stop();
    m_nav->reset();
    if (m_speech) {
        m_speech->setVolume(m_nav->volume());
        m_speech->setRate(m_nav->rate());
    }
    m_focusedId.clear();
    if (silence) wipeString(m_lastSpoken);
    m_speechOn = false;
}

void KioskApp::speechFrame() {
    auto keys = m_window->takeNavKeys();
    if (m_controller->mode() == AppMode::Staff) {
        if (m_speechOn) leaveSpeech(true);
        return;
    }
    if (!keys.empty()) m_controller->noteActivity();
    if (!m_controller->displayVm().speech) {
        // The session was wiped (timeout, cancel, thank you): speech stops mid-word with it.
        if (m_speechOn) leaveSpeech(true);
        // Any key of the set on the attract screen starts the mode (a keypad plugged in and pressed).
        if (keys.empty() || m_controller->screen() != ScreenId::Attract || m_controller->stillThereShown()) return;
        m_controller->apply(Intent::of(IntentKind::StartSpeech));
        keys.clear();
        if (!m_controller->displayVm().speech) return;
    }
    // Nothing pressed and nothing changed since the last spoken frame: focus and speech stay as they are
    // (describing the biggest screen costs ~0.4 ms in a Debug build; most frames change nothing).
    if (m_speechOn && keys.empty() && m_controller->revision() == m_speechRevision) return;
    m_speechOn = true;
    auto screen = describeScreen(*m_controller, m_services.texts());
    std::string say = m_nav->update(screen);
    for (const auto key : keys) {
        const auto r = m_nav->key(key, screen);
        if (r.settingsChanged && m_speech) {
            m_speech->setVolume(m_nav->volume());
            m_speech->setRate(m_nav->rate());
        }
        if (!r.say.empty()) say = r.say;  // newer text replaces older, as it would mid-sentence
        if (!r.intent) continue;
        m_controller->apply(r.intent);
        m_framesToDraw = std::max(m_framesToDraw, 3);
        if (!m_controller->displayVm().speech) {
            // Switched off with its key: say so, then leave (the words are not cut off).
            speak(say, screen.language);
            leaveSpeech(false);
            return;
        }
        screen = describeScreen(*m_controller, m_services.texts());
        const auto change = m_nav->update(screen);
        if (!change.empty()) say = r.say.empty() ? change : r.say + ". " + change;
    }
    speak(say, screen.language);
    m_focusedId = m_nav->focusedId(screen);
    m_speechRevision = m_controller->revision();
}

std::vector<double> KioskApp::takeFrameTimesMs() {
    std::vector<double> out;
    out.swap(m_frameTimesMs);
    return out;
}

int KioskApp::run() {
    std::uint64_t drawnRevision = 0;
    while (!m_quit && !m_window->closeRequested()) {
        const auto now = m_clock.monotonicMs();
        std::optional<std::int64_t> next = m_controller->nextWakeMs();
        if (m_staff && m_controller->mode() == AppMode::Staff) {
            if (const auto s = m_staff->nextWakeMs()) next = next ? std::min(*next, *s) : *s;
            if (!next) next = now + 1000;  // staff screens show live sync status
        }
        if (m_framesToDraw > 0) {
            m_window->waitEvents(0);
        } else {
            // Block until input, a worker's wake-up or the next timer; nothing is drawn meanwhile.
            const double timeout = next ? std::clamp(static_cast<double>(*next - now) / 1000.0, 0.001, 60.0) : 60.0;
            m_window->waitEvents(timeout);
        }
        const bool input = m_window->takeInput();
        const bool work = m_queue.drain() > 0;
        m_controller->tick();
        const bool due = next && m_clock.monotonicMs() >= *next - 2;
        if (input || work || due || m_framesToDraw > 0 || m_controller->revision() != drawnRevision) {
            drawnRevision = m_controller->revision();
            drawAndApply(std::nullopt, {}, true);
            if (m_framesToDraw > 0) --m_framesToDraw;
            if (input) m_framesToDraw = std::max(m_framesToDraw, 2);
        }
    }
    return 0;
}

}  // namespace touchpoint::kiosk::app
