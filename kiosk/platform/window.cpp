#include "window.hpp"

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <stb_image_write.h>

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
    if (!ImGui_ImplGlfw_InitForOpenGL(window, true)) {
        return Fail(std::string("cannot start the ImGui GLFW backend"));
    }
    self->m_backendsUp = 1;
    if (!ImGui_ImplOpenGL3_Init("#version 130")) {
        return Fail(std::string("cannot start the ImGui OpenGL3 backend"));
    }
    self->m_backendsUp = 2;
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
    int w = 0;
    int h = 0;
    glfwGetFramebufferSize(m_window, &w, &h);
    glViewport(0, 0, w, h);
    glClearColor(0, 0, 0, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (swap) glfwSwapBuffers(m_window);
}

Result<void, std::string> Window::saveScreenshot(const std::filesystem::path& file) {
    endFrame(/*swap=*/false);
    int w = 0;
    int h = 0;
    glfwGetFramebufferSize(m_window, &w, &h);
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

int Window::framebufferWidth() const {
    int w = 0;
    int h = 0;
    glfwGetFramebufferSize(m_window, &w, &h);
    return w;
}

int Window::framebufferHeight() const {
    int w = 0;
    int h = 0;
    glfwGetFramebufferSize(m_window, &w, &h);
    return h;
}

void Window::reloadFonts() {
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    ImGui_ImplOpenGL3_CreateFontsTexture();
}

}  // namespace touchpoint::kiosk::platform
