#include "window.hpp"

#define GLFW_INCLUDE_GLEXT  // GL_R8 and the texture swizzle enums (GL 3.3)
#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <stb_image_write.h>

#include <cstdint>
#include <vector>

#include "common/log.hpp"

namespace touchpoint::kiosk::platform {

namespace {

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
    glfwSetKeyCallback(window, [](GLFWwindow* w, int, int, int, int) { markInput(w); });
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
    // every size the screens use is baked once at start-up and the atlas is never rebuilt.
    atlas.ClearTexData();
    atlas.ClearInputData();
}

}  // namespace touchpoint::kiosk::platform
