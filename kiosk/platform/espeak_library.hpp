#pragma once
// espeak-ng, opened when speech mode first starts instead of linked into the kiosk: a kiosk whose speech mode
// is never used does not load it, nor the audio stack it brings with it (the PulseAudio and ALSA clients,
// libsndfile and its codecs, D-Bus: 24 libraries). The package still depends on libespeak-ng1.

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

namespace touchpoint::kiosk::platform {

/// The library's file name: the soname of the ABI the headers describe (Debian's libespeak-ng1).
inline constexpr const char* kEspeakLibraryFile = "libespeak-ng.so.1";

/// The espeak-ng functions the speech adapter calls, typed as the headers declare them.
struct EspeakLibrary {
    decltype(&espeak_ng_InitializePath) initializePath = nullptr;
    decltype(&espeak_ng_Initialize) initialize = nullptr;
    decltype(&espeak_ng_ClearErrorContext) clearErrorContext = nullptr;
    decltype(&espeak_ng_InitializeOutput) initializeOutput = nullptr;
    decltype(&espeak_ng_GetSampleRate) getSampleRate = nullptr;
    decltype(&espeak_SetSynthCallback) setSynthCallback = nullptr;
    decltype(&espeak_SetVoiceByName) setVoiceByName = nullptr;
    decltype(&espeak_GetCurrentVoice) getCurrentVoice = nullptr;
    decltype(&espeak_SetParameter) setParameter = nullptr;
    decltype(&espeak_Synth) synth = nullptr;
};

/// The library, opened on the first call from any thread and kept open for the life of the process; nullptr
/// when it cannot be opened or lacks one of the functions (logged once, with the loader's reason).
const EspeakLibrary* espeakLibrary();

}  // namespace touchpoint::kiosk::platform
