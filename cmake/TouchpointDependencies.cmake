# Every dependency comes from Debian 12 packages (packaging/install-deps.sh installs them).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(CURL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(simdjson 3 REQUIRED CONFIG)                         # the hub's reader of request bodies
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)   # a compiled .so; its Cflags set ABI macros
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-i18n icu-uc)  # time zones of opening hours (sync/content)
find_package(CLI11 2.1 REQUIRED CONFIG)                          # every program's command line (header-only)
# The hub's allocator: its request threads build and free many small JSON trees, where glibc's malloc spent
# about a sixth of the ingest CPU. Not under sanitizers, which bring their own allocator.
if(NOT TOUCHPOINT_SANITIZE AND NOT TOUCHPOINT_FUZZ)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
endif()

# libphonenumber ships neither a CMake config nor a .pc file on Debian 12.
find_path(PHONENUMBER_INCLUDE_DIR phonenumbers/phonenumberutil.h REQUIRED)
find_library(PHONENUMBER_LIBRARY phonenumber REQUIRED)
add_library(touchpoint_phonenumber INTERFACE)
target_include_directories(touchpoint_phonenumber SYSTEM INTERFACE ${PHONENUMBER_INCLUDE_DIR})
target_link_libraries(touchpoint_phonenumber INTERFACE ${PHONENUMBER_LIBRARY})

if(TOUCHPOINT_BUILD_KIOSK)
  pkg_check_modules(IMGUI REQUIRED IMPORTED_TARGET imgui)   # static libimgui.a with the GLFW/GL3 backends
  find_package(glfw3 3.3 REQUIRED)
  set(OpenGL_GL_PREFERENCE GLVND)
  find_package(OpenGL REQUIRED)
  # glfw and GL must come after libimgui.a on the link line.
  add_library(imgui_glfw_gl3 INTERFACE)
  target_link_libraries(imgui_glfw_gl3 INTERFACE PkgConfig::IMGUI glfw OpenGL::GL ${CMAKE_DL_LIBS})
endif()

if(TOUCHPOINT_BUILD_TESTS)
  find_package(GTest 1.12 REQUIRED CONFIG)
  include(GoogleTest)
endif()
if(TOUCHPOINT_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
