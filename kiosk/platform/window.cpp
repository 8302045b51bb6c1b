#include "window.hpp"

#define GLFW_INCLUDE_GLEXT  // GL_R8 and the texture swizzle enums (GL 3.3)
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <stb_image_write.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "common/log.hpp"

namespace touchpoint::kiosk::platform {

namespace {

/// The key set of speech and keypad mode on a numeric keypad (8/2 and 4/6 move, 5 and Enter select, 0 back,
/// '.' help, 7 repeat, +/- volume, 9/3 speed, '*' speech on/off) and on a keyboard (Tab/Shift+Tab and arrows
/// move, Space selects, Escape/Backspace back, F1 help, F2 repeat, F5/F6 volume, F7/F8 speed, F12 speech).
/// The main Enter key is left alone: barcode scanners end every code with it.
std::optional<NavKey> navKeyFor(int key, int mods) {
    switch (key) {
        case GLFW_KEY_TAB: return (mods & GLFW_MOD_SHIFT) != 0 ? NavKey::Previous : NavKey::Next;
        case GLFW_KEY_DOWN: case GLFW_KEY_RIGHT: case GLFW_KEY_KP_2: case GLFW_KEY_KP_6: return NavKey::Next;
        case GLFW_KEY_UP: case GLFW_KEY_LEFT: case GLFW_KEY_KP_8: case GLFW_KEY_KP_4: return NavKey::Previous;
        case GLFW_KEY_SPACE: case GLFW_KEY_KP_ENTER: case GLFW_KEY_KP_5: return NavKey::Select;
        case GLFW_KEY_ESCAPE: case GLFW_KEY_BACKSPACE: case GLFW_KEY_KP_0: return NavKey::Back;
        case GLFW_KEY_F1: case GLFW_KEY_KP_DECIMAL: return NavKey::Help;
        case GLFW_KEY_F2: case GLFW_KEY_KP_7: return NavKey::Repeat;
        case GLFW_KEY_F6: case GLFW_KEY_KP_ADD: return NavKey::VolumeUp;
        case GLFW_KEY_F5: case GLFW_KEY_KP_SUBTRACT: return NavKey::VolumeDown;
        case GLFW_KEY_F8: case GLFW_KEY_KP_9: return NavKey::RateUp;
        case GLFW_KEY_F7: case GLFW_KEY_KP_3: return NavKey::RateDown;
        case GLFW_KEY_F12: case GLFW_KEY_KP_MULTIPLY: return NavKey::Speech;
        default: return std::nullopt;
    }
}

/// Names for pressKey(): what a script or test can press.
std::optional<int> glfwKeyNamed(const std::string& name) {
    static const std::vector<std::pair<const char*, int>> kNames{
        {"tab", GLFW_KEY_TAB}, {"down", GLFW_KEY_DOWN}, {"up", GLFW_KEY_UP}, {"left", GLFW_KEY_LEFT},
        {"right", GLFW_KEY_RIGHT}, {"space", GLFW_KEY_SPACE}, {"escape", GLFW_KEY_ESCAPE},
        {"backspace", GLFW_KEY_BACKSPACE}, {"enter", GLFW_KEY_ENTER}, {"kp_enter", GLFW_KEY_KP_ENTER},
        {"kp_0", GLFW_KEY_KP_0}, {"kp_2", GLFW_KEY_KP_2}, {"kp_3", GLFW_KEY_KP_3}, {"kp_4", GLFW_KEY_KP_4},
        {"kp_5", GLFW_KEY_KP_5}, {"kp_6", GLFW_KEY_KP_6}, {"kp_7", GLFW_KEY_KP_7}, {"kp_8", GLFW_KEY_KP_8},
        {"kp_9", GLFW_KEY_KP_9}, {"kp_decimal", GLFW_KEY_KP_DECIMAL}, {"kp_add", GLFW_KEY_KP_ADD},
        {"kp_subtract", GLFW_KEY_KP_SUBTRACT}, {"kp_multiply", GLFW_KEY_KP_MULTIPLY}, {"f1", GLFW_KEY_F1},
        {"f2", GLFW_KEY_F2}, {"f5", GLFW_KEY_F5}, {"f6", GLFW_KEY_F6}, {"f7", GLFW_KEY_F7}, {"f8", GLFW_KEY_F8},
        {"f12", GLFW_KEY_F12}};
    for (const auto& [n, k] : kNames) {
        if (name == n) return k;
    }
    return std::nullopt;
}

void onGlfwError(int code, const char* description) {
    log::error("platform", "glfw error", {{"code", std::to_string(code)}, {"detail", description}});
}

}  // namespace

Result<std::unique_ptr<Window>, std::string> Window::open(const WindowOptions& options) {
    glfwSetErrorCallback(onGlfwError);
    if (glfwInit() == GLFW_FALSE) return Fail(std::string("cannot initialise GLFW (is DISPLAY set?)"));
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
    glfwWindowHint(GLFW_DECORATED, options.kioskMode ? GLFW_FALSE : GLFW_TRUE);
    glfwWindowHint(GLFW_RESIZABLE, GLFW_FALSE);
    // ImGui draws 2D with blending only: no depth, stencil or multisample buffers. With a software
    // rasteriser each of them would be another full-screen buffer in memory (~8 MB at 1920x1080).
    glfwWindowHint(GLFW_DEPTH_BITS, 0);
    glfwWindowHint(GLFW_STENCIL_BITS, 0);
    glfwWindowHint(GLFW_SAMPLES, 0);
    GLFWmonitor* monitor = options.fullscreen ? glfwGetPrimaryMonitor() : nullptr;
    int width = options.width;
    int height = options.height;
    if (monitor != nullptr) {
        if (const GLFWvidmode* mode = glfwGetVideoMode(monitor)) {
            width = mode->width;
            height = mode->height;
        }
    }
    GLFWwindow* window = glfwCreateWindow(width, height, options.title.c_str(), monitor, nullptr);
    if (window == nullptr) {
        glfwTerminate();
        return Fail(std::string("cannot open a ") + std::to_string(width) + "x" + std::to_string(height) +
                    " OpenGL 3.0 window");
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(options.vsync ? 1 : 0);
    if (options.kioskMode) glfwSetInputMode(window, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);
    std::unique_ptr<Window> self(new Window(window, options.kioskMode));
    // Our callbacks go in first; ImGui's backend installs its own and chains to these.
    glfwSetWindowUserPointer(window, self.get());
    glfwSetCursorPosCallback(window, [](GLFWwindow* w, double, double) { markInput(w); });
    glfwSetMouseButtonCallback(window, [](GLFWwindow* w, int, int, int) { markInput(w); });
    glfwSetScrollCallback(window, [](GLFWwindow* w, double, double) { markInput(w); });
    glfwSetKeyCallback(window, [](GLFWwindow* w, int key, int, int action, int mods) {
        markInput(w);
        if (auto* me = static_cast<Window*>(glfwGetWindowUserPointer(w))) me->onKey(key, action, mods);
    });
    glfwSetCharCallback(window, [](GLFWwindow* w, unsigned int) { markInput(w); });
    // The size is kept rather than asked for every frame: each glfwGetFramebufferSize is a round trip to the
    // X server, and the size only changes through this callback.
    glfwGetFramebufferSize(window, &self->m_fbWidth, &self->m_fbHeight);
    glfwSetFramebufferSizeCallback(window, [](GLFWwindow* w, int fbWidth, int fbHeight) {
        if (auto* me = static_cast<Window*>(glfwGetWindowUserPointer(w))) {
            me->m_fbWidth = fbWidth;
            me->m_fbHeight = fbHeight;
            me->m_inputSeen = true;  // redraw at the new size
        }
    });
    if (!ImGui_ImplGlfw_InitForOpenGL(window, true)) {
        return Fail(std::string("cannot start the ImGui GLFW backend"));
    }
    self->m_backendsUp = 1;
    if (!ImGui_ImplOpenGL3_Init("#version 130")) {
        return Fail(std::string("cannot start the ImGui OpenGL3 backend"));
    }
    self->m_backendsUp = 2;
    // Compile the backend's shaders now, while the font atlas is still empty: the backend also uploads the
    // atlas as RGBA, and with no fonts added yet that is ImGui's small default font instead of a 4-byte-
    // per-texel copy of the kiosk's large atlas (a start-up peak of ~16 MB). uploadFonts() puts the real
    // atlas in.
    auto& atlas = *ImGui::GetIO().Fonts;
    const bool atlasEmpty = atlas.Fonts.empty();
    if (!ImGui_ImplOpenGL3_CreateDeviceObjects()) return Fail(std::string("cannot compile the ImGui shaders"));
    if (atlasEmpty) atlas.Clear();
    return self;
}

void Window::markInput(GLFWwindow* window) {
    if (auto* self = static_cast<Window*>(glfwGetWindowUserPointer(window))) self->m_inputSeen = true;
}

bool Window::takeInput() {
    const bool seen = m_inputSeen;
    m_inputSeen = false;
    return seen;
}

void Window::onKey(int key, int action, int mods) {
    if (action == GLFW_RELEASE) return;
    const auto nav = navKeyFor(key, mods);
    if (!nav) return;
    // Held keys repeat only for moving and the levels; a held Select or Back must not fire again and again.
    const bool repeats = *nav == NavKey::Next || *nav == NavKey::Previous || *nav == NavKey::VolumeUp ||
                         *nav == NavKey::VolumeDown || *nav == NavKey::RateUp || *nav == NavKey::RateDown;
    if (action == GLFW_REPEAT && !repeats) return;
    if (m_navKeys.size() < 64) m_navKeys.push_back(*nav);  // bounded: a stuck key cannot grow it forever
}

std::vector<NavKey> Window::takeNavKeys() {
    std::vector<NavKey> out;
    out.swap(m_navKeys);
    return out;
}

bool Window::pressKey(const std::string& name) {
    int mods = 0;
    std::string base = name;
    if (base.rfind("shift+", 0) == 0) {
        mods = GLFW_MOD_SHIFT;
        base = base.substr(6);
    }
    const auto key = glfwKeyNamed(base);
    if (!key) return false;
    m_inputSeen = true;
    onKey(*key, GLFW_PRESS, mods);
    return true;
}

Window::Window(GLFWwindow* window, bool kioskMode) : m_window(window), m_kioskMode(kioskMode) {}

Window::~Window() {
    if (m_fontTexture != 0) {
        glDeleteTextures(1, &m_fontTexture);
        ImGui::GetIO().Fonts->SetTexID(nullptr);
    }
    if (m_backendsUp >= 2) ImGui_ImplOpenGL3_Shutdown();
    if (m_backendsUp >= 1) ImGui_ImplGlfw_Shutdown();
    glfwDestroyWindow(m_window);
    glfwTerminate();
}

void Window::waitEvents(double timeoutS) {
    if (timeoutS <= 0) {
        glfwPollEvents();
    } else {
        glfwWaitEventsTimeout(timeoutS);
    }
}

void Window::wake() { glfwPostEmptyEvent(); }

void Window::beginFrame() {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
}

void Window::endFrame(bool swap) {
    glViewport(0, 0, m_fbWidth, m_fbHeight);
    // The screens do not paint their own backgrounds: a clear costs almost nothing, while a full-screen
    // textured, blended quad was most of a frame's raster time on llvmpipe at 1920x1080.
    const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
    glClearColor(bg.x, bg.y, bg.z, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (swap) glfwSwapBuffers(m_window);
}

Result<void, std::string> Window::saveScreenshot(const std::filesystem::path& file) {
    endFrame(/*swap=*/false);
    const int w = m_fbWidth;
    const int h = m_fbHeight;
    std::vector<unsigned char> pixels(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, pixels.data());
    // GL's origin is bottom-left; PNG rows go top-down.
    stbi_flip_vertically_on_write(1);
    // Fast compression: the driver saves a PNG per step and zlib level 8 costs ~10x more time for ~20% size.
    stbi_write_png_compression_level = 2;
    const int ok = stbi_write_png(file.c_str(), w, h, 3, pixels.data(), w * 3);
    stbi_flip_vertically_on_write(0);
    glfwSwapBuffers(m_window);
    if (ok == 0) return Fail(file.string() + ": cannot write PNG");
    return {};
}

bool Window::closeRequested() const {
    if (glfwWindowShouldClose(m_window) == GLFW_FALSE) return false;
    if (m_kioskMode) {
        // No way out for a shopper: only staff mode exits the app.
        glfwSetWindowShouldClose(m_window, GLFW_FALSE);
        return false;
    }
    return true;
}

int Window::framebufferWidth() const { return m_fbWidth; }

int Window::framebufferHeight() const { return m_fbHeight; }

void Window::uploadFonts() {
    auto& atlas = *ImGui::GetIO().Fonts;
    const bool swizzle = glfwGetWindowAttrib(m_window, GLFW_CONTEXT_VERSION_MAJOR) * 10 +
                                 glfwGetWindowAttrib(m_window, GLFW_CONTEXT_VERSION_MINOR) >=
                             33 ||
                         glfwExtensionSupported("GL_ARB_texture_swizzle") == GLFW_TRUE;
    if (swizzle) {
        // One byte per texel instead of four: the atlas holds coverage only, and the swizzle makes the
        // sampler return (1, 1, 1, coverage), exactly what the RGBA upload (white + alpha) returned.
        unsigned char* pixels = nullptr;
        int w = 0;
        int h = 0;
        atlas.GetTexDataAsAlpha8(&pixels, &w, &h);
        ImGui_ImplOpenGL3_DestroyFontsTexture();  // the default font's, from open()
        if (m_fontTexture != 0) glDeleteTextures(1, &m_fontTexture);  // a rebuilt atlas replaces the old one
        GLint previous = 0;
        glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
        glGenTextures(1, &m_fontTexture);
        glBindTexture(GL_TEXTURE_2D, m_fontTexture);
        // Nearest filtering: glyphs are drawn at whole-pixel positions at the size they were rasterised and
        // the style uses no baked line images (theme.cpp), so samples land on texel centres and give the
        // same pixels as bilinear (screenshots differ by at most 1/255), for a fraction of a software
        // rasteriser's per-pixel cost (frame p50 12.1 -> 9.3 ms at 1920x1080 on llvmpipe).
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        const GLint swizzleMask[4] = {GL_ONE, GL_ONE, GL_ONE, GL_RED};
        glTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_RGBA, swizzleMask);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
        glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, w, h, 0, GL_RED, GL_UNSIGNED_BYTE, pixels);
        glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous));
        atlas.SetTexID(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(m_fontTexture)));
    } else {
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    // The GPU has the texture; the CPU copies (several MB) and the TTF data are not needed again, because
    // every size the screens use is baked at once; a rebuild (new texts from head office) starts from the files.
    atlas.ClearTexData();
    atlas.ClearInputData();
}

}  // namespace touchpoint::kiosk::platform
