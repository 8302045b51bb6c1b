#include "espeak_library.hpp"

#include <dlfcn.h>

#include <string>

#include "common/log.hpp"

namespace touchpoint::kiosk::platform {

namespace {

/// Sets `fn` to the library's `name`; false (and logged) when it is missing.
template <typename Fn>
bool bind(void* handle, const char* name, Fn& fn) {
    fn = reinterpret_cast<Fn>(dlsym(handle, name));
    if (fn != nullptr) return true;
    log::error("speech", "espeak-ng lacks a function the kiosk calls", {{"function", name}});
    return false;
}

EspeakLibrary* openLibrary() {
    // Never closed: espeak-ng keeps its state and its own thread in the library.
    void* handle = dlopen(kEspeakLibraryFile, RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
        const char* why = dlerror();
        log::error("speech", "cannot load espeak-ng (is libespeak-ng1 installed?)",
                   {{"library", kEspeakLibraryFile}, {"reason", why != nullptr ? why : ""}});
        return nullptr;
    }
    static EspeakLibrary library;
    const bool complete = bind(handle, "espeak_ng_InitializePath", library.initializePath) &&
                          bind(handle, "espeak_ng_Initialize", library.initialize) &&
                          bind(handle, "espeak_ng_ClearErrorContext", library.clearErrorContext) &&
                          bind(handle, "espeak_ng_InitializeOutput", library.initializeOutput) &&
                          bind(handle, "espeak_ng_GetSampleRate", library.getSampleRate) &&
                          bind(handle, "espeak_SetSynthCallback", library.setSynthCallback) &&
                          bind(handle, "espeak_SetVoiceByName", library.setVoiceByName) &&
                          bind(handle, "espeak_GetCurrentVoice", library.getCurrentVoice) &&
                          bind(handle, "espeak_SetParameter", library.setParameter) &&
                          bind(handle, "espeak_Synth", library.synth);
    return complete ? &library : nullptr;
}

}  // namespace

const EspeakLibrary* espeakLibrary() {
    static const EspeakLibrary* const library = openLibrary();
    return library;
}

}  // namespace touchpoint::kiosk::platform
