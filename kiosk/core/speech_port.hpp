#pragma once
// Speech and keypad mode's two edges, as seen from the core: the small key set a USB keypad or keyboard
// sends (the platform maps physical keys onto it), and the speech output port (espeak-ng in
// kiosk/platform; a recorder in tests). Nothing here blocks: say() hands text to another thread.

#include <string>
#include <string_view>

namespace touchpoint::kiosk {

enum class NavKey { Next, Previous, Select, Back, Help, Repeat, VolumeUp, VolumeDown, RateUp, RateDown, Speech };
std::string_view toString(NavKey key);

/// Levels of the two speech settings the shopper can change: 1 (lowest) to kSpeechLevels.
inline constexpr int kSpeechLevels = 10;
inline constexpr int kDefaultSpeechLevel = 5;

class SpeechOutput {
public:
    virtual ~SpeechOutput() = default;
    /// Speaks `text` in the voice for `language` ("en", "de", ...). New text cancels what is still being said.
    virtual void say(const std::string& text, const std::string& language) = 0;
    /// Silences speech at once (the session wipe calls this).
    virtual void stop() = 0;
    /// 1..kSpeechLevels; applies from the next utterance.
    virtual void setVolume(int level) = 0;
    virtual void setRate(int level) = 0;
};

}  // namespace touchpoint::kiosk
