#pragma once
// Focus and speech for speech and keypad mode, as pure logic over ScreenSpeech descriptions: which control
// has focus, what a key does (move, press, go back, help, repeat, volume, speed) and what to say when the
// screen changes (its title, text and the focused control), when its status changes (a validation error) or
// when the focused control's state changes (a selected answer, a ticked box). The app feeds it the
// description of each frame and its keys; it returns text for the SpeechOutput and intents for the controller.

#include <optional>
#include <string>

#include "speech_port.hpp"
#include "speech_screens.hpp"

namespace touchpoint::kiosk {

struct NavResult {
    Intent intent;          ///< for the controller (None: nothing to apply)
    std::string say;        ///< what to speak now (empty: nothing)
    bool settingsChanged = false;
};

class SpeechNavigator {
public:
    /// Follows the screen: returns what to announce since the last update (empty when nothing changed).
    std::string update(const ScreenSpeech& screen);
    /// One key press on the screen as last updated.
    NavResult key(NavKey key, const ScreenSpeech& screen);
    /// Forgets the screen and the focus and restores the default volume and speed (the session ended).
    void reset();

    /// "7, button, 8 of 11", in the screen's language.
    std::string describeControl(const ScreenSpeech& screen, std::size_t index) const;
    /// The focused control's widget id on `screen` (empty when it has none).
    std::string focusedId(const ScreenSpeech& screen) const;
    std::size_t focus() const { return m_focus; }
    int volume() const { return m_volume; }
    int rate() const { return m_rate; }

    explicit SpeechNavigator(const Translations& texts) : m_texts(&texts) {}

private:
    std::string announceScreen(const ScreenSpeech& screen) const;
    std::string stateText(const ScreenSpeech& screen, const FocusControl& c) const;
    const std::string& tr(const ScreenSpeech& screen, const std::string& key) const;
    /// One step of volume or speed, kept within 1..kSpeechLevels; returns "Volume 6" / "Speed 4".
    std::string stepLevel(const ScreenSpeech& screen, int& level, bool up, const std::string& textKey) const;

    const Translations* m_texts;
    std::optional<ScreenSpeech> m_last;
    std::size_t m_focus = 0;
    int m_volume = kDefaultSpeechLevel;
    int m_rate = kDefaultSpeechLevel;
};

}  // namespace touchpoint::kiosk
