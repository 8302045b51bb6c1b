#pragma once
// The only place that includes GLFW: the window (full screen, undecorated, hidden cursor in kiosk mode),
// the GL context, ImGui's GLFW + OpenGL3 backends, blocking waits for events, a cross-thread wake-up and
// PNG screenshots of the back buffer.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "core/speech_port.hpp"

struct GLFWwindow;

namespace touchpoint::kiosk::platform {

struct WindowOptions {
    int width = 1920;
    int height = 1080;
    bool fullscreen = true;   ///< on the primary monitor at its current mode
    bool kioskMode = true;    ///< hidden cursor, no decorations, close button ignored
    bool vsync = true;
    std::string title = "Touchpoint";
};

class Window {
public:
    /// Initialises GLFW, opens the window, makes its GL context current and starts the ImGui backends on
    /// the ImGui context that must already exist. Fails with a readable line (no display, no GL).
    static Result<std::unique_ptr<Window>, std::string> open(const WindowOptions& options);
    ~Window();
    Window(const Window&) = delete;
    Window& operator=(const Window&) = delete;

    /// Blocks until input arrives, wake() is called or `timeoutS` passes (0: just poll).
    void waitEvents(double timeoutS);
    /// Wakes a waitEvents() from any thread (glfwPostEmptyEvent).
    static void wake();
    /// Backend new-frame for GLFW and OpenGL3 (call before ImGui::NewFrame()).
    void beginFrame();
    /// Clears to the ImGui style's window background, renders ImGui's draw data and swaps.
    void endFrame(bool swap = true);
    /// Renders ImGui's draw data into the back buffer without swapping, then writes it as PNG.
    Result<void, std::string> saveScreenshot(const std::filesystem::path& file);
    /// The window manager or a user asked to close (ignored in kiosk mode).
    bool closeRequested() const;
    int framebufferWidth() const;
    int framebufferHeight() const;
    /// Uploads the built font atlas as a one-channel texture (RGBA when the GL lacks texture swizzle) and
    /// frees the atlas's CPU pixels and font file data: call once, after the atlas is built.
    void uploadFonts();
    /// True once after any pointer, button, key or character event: the loop redraws only then.
    bool takeInput();
    /// Speech and keypad mode's keys pressed since the last call, in order. GLFW 3.3 cannot tell when a
    /// keyboard or keypad is plugged in (it reports joysticks only), so the mode starts on the first of
    /// these keys instead (see navKeyFor in window.cpp for the physical keys).
    std::vector<NavKey> takeNavKeys();
    /// Feeds a named key ("tab", "shift+tab", "kp_5", "f1", ...) through the same mapping as a real key
    /// press (the script driver); false for an unknown name.
    bool pressKey(const std::string& name);

private:
    explicit Window(GLFWwindow* window, bool kioskMode);
    static void markInput(GLFWwindow* window);
    void onKey(int key, int action, int mods);
    GLFWwindow* m_window;
    bool m_kioskMode;
    bool m_inputSeen = true;
    std::vector<NavKey> m_navKeys;
    int m_fbWidth = 0;
    int m_fbHeight = 0;
    int m_backendsUp = 0;  // how far open() got, for the destructor
    unsigned int m_fontTexture = 0;  // ours when uploadFonts() replaced the backend's RGBA texture
};

}  // namespace touchpoint::kiosk::platform
