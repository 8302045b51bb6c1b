#include "speech_navigator.hpp"

#include <algorithm>

namespace touchpoint::kiosk {

std::string_view toString(NavKey key) {
    switch (key) {
        case NavKey::Next: return "next";
        case NavKey::Previous: return "previous";
        case NavKey::Select: return "select";
        case NavKey::Back: return "back";
        case NavKey::Help: return "help";
        case NavKey::Repeat: return "repeat";
        case NavKey::VolumeUp: return "volume_up";
        case NavKey::VolumeDown: return "volume_down";
        case NavKey::RateUp: return "rate_up";
        case NavKey::RateDown: return "rate_down";
        case NavKey::Speech: return "speech";
    }
    return "next";
}

const std::string& SpeechNavigator::tr(const ScreenSpeech& screen, const std::string& key) const {
    return m_texts->text(screen.language, key);
}

std::string SpeechNavigator::stateText(const ScreenSpeech& screen, const FocusControl& c) const {
    std::string state;
    switch (c.role) {
        case ControlRole::Checkbox: state = tr(screen, c.selected ? "speech.state.checked" : "speech.state.not_checked"); break;
        case ControlRole::TextField: state = c.value.empty() ? tr(screen, "speech.state.empty") : c.value; break;
        case ControlRole::Button:
        case ControlRole::Tab:
        case ControlRole::Key:
            if (c.selected) state = tr(screen, "speech.state.selected");
            break;
    }
    if (!c.enabled) state += (state.empty() ? "" : ", ") + tr(screen, "speech.state.unavailable");
    return state;
}

std::string SpeechNavigator::describeControl(const ScreenSpeech& screen, std::size_t index) const {
    if (index >= screen.controls.size()) return {};
    const auto& c = screen.controls[index];
    int n = 0;
    int count = 0;
    for (std::size_t i = 0; i < screen.controls.size(); ++i) {
        if (screen.controls[i].group != c.group) continue;
        ++count;
        if (i <= index) ++n;
    }
    std::string out = c.label + ", " + tr(screen, "speech.role." + std::string(toString(c.role)));
    if (const auto state = stateText(screen, c); !state.empty()) out += ", " + state;
    out += ", " + formatText(tr(screen, "speech.position"), {{"n", std::to_string(n)}, {"count", std::to_string(count)}});
    return out;
}

std::string SpeechNavigator::focusedId(const ScreenSpeech& screen) const {
    return m_focus < screen.controls.size() ? screen.controls[m_focus].id : std::string();
}

std::string SpeechNavigator::announceScreen(const ScreenSpeech& screen) const {
    std::string out;
    appendSentence(out, screen.title);
    appendSentence(out, screen.body);
    appendSentence(out, screen.status);
    appendSentence(out, describeControl(screen, m_focus));
    return out;
}

std::string SpeechNavigator::stepLevel(const ScreenSpeech& screen, int& level, bool up, const std::string& textKey) const {
    level = std::clamp(level + (up ? 1 : -1), 1, kSpeechLevels);
    return formatText(tr(screen, textKey), {{"level", std::to_string(level)}});
}

std::string SpeechNavigator::update(const ScreenSpeech& screen) {
    std::string say;
    if (!m_last || m_last->key != screen.key) {
        m_focus = screen.controls.empty() ? 0 : std::min(screen.initialFocus, screen.controls.size() - 1);
        if (!m_last) say = tr(screen, "speech.started");  // the first words after the mode was switched on
        appendSentence(say, announceScreen(screen));
    } else {
        // Same screen: focus stays on the same control even if the list around it changed.
        const auto oldId = m_focus < m_last->controls.size() ? m_last->controls[m_focus].id : std::string();
        const FocusControl* before = m_focus < m_last->controls.size() ? &m_last->controls[m_focus] : nullptr;
        const auto it = std::find_if(screen.controls.begin(), screen.controls.end(),
                                     [&](const FocusControl& c) { return c.id == oldId; });
        if (it != screen.controls.end()) {
            m_focus = static_cast<std::size_t>(it - screen.controls.begin());
        } else {
            m_focus = screen.controls.empty() ? 0 : std::min(m_focus, screen.controls.size() - 1);
        }
        if (screen.status != m_last->status) appendSentence(say, screen.status);
        if (it != screen.controls.end() && before != nullptr &&
            (it->selected != before->selected || it->enabled != before->enabled)) {
            // "8, selected" after choosing a score; "unchecked" after untoggling a box.
            const auto state = stateText(screen, *it);
            appendSentence(say, it->label + ", " +
                            (state.empty() ? tr(screen, it->role == ControlRole::Checkbox ? "speech.state.not_checked"
                                                                                           : "speech.state.not_selected")
                                           : state));
        } else if (before != nullptr && it == screen.controls.end()) {
            appendSentence(say, describeControl(screen, m_focus));  // the focused control went away
        }
    }
    m_last = screen;
    return say;
}

NavResult SpeechNavigator::key(NavKey key, const ScreenSpeech& screen) {
    NavResult r;
    const auto n = screen.controls.size();
    if (n > 0 && m_focus >= n) m_focus = n - 1;
    switch (key) {
        case NavKey::Next:
        case NavKey::Previous:
            if (n == 0) break;
            m_focus = key == NavKey::Next ? (m_focus + 1) % n : (m_focus + n - 1) % n;
            r.say = describeControl(screen, m_focus);
            break;
        case NavKey::Select: {
            if (n == 0) break;
            const auto& c = screen.controls[m_focus];
            if (!c.enabled) {
                r.say = c.label + ", " + tr(screen, "speech.state.unavailable");
            } else if (c.role == ControlRole::TextField) {
                r.say = c.label + ", " + stateText(screen, c);
            } else {
                r.intent = c.intent;
                // A key says what it typed; anything else is heard through what changes (update()).
                if (c.role == ControlRole::Key) r.say = c.label;
            }
            break;
        }
        case NavKey::Back:
            if (screen.back) {
                r.intent = screen.back;
                if (screen.back.kind == IntentKind::KeyBackspace) r.say = tr(screen, "keys.backspace");
            } else {
                r.say = tr(screen, "speech.no_back");
            }
            break;
        case NavKey::Help: r.say = tr(screen, "speech.help"); break;
        case NavKey::Repeat: r.say = announceScreen(screen); break;
        case NavKey::VolumeUp:
        case NavKey::VolumeDown:
            r.say = stepLevel(screen, m_volume, key == NavKey::VolumeUp, "speech.volume");
            r.settingsChanged = true;
            break;
        case NavKey::RateUp:
        case NavKey::RateDown:
            r.say = stepLevel(screen, m_rate, key == NavKey::RateUp, "speech.rate");
            r.settingsChanged = true;
            break;
        case NavKey::Speech:
            r.intent = Intent::of(IntentKind::StopSpeech);
            r.say = tr(screen, "speech.stopped");
            break;
    }
    return r;
}

void SpeechNavigator::reset() {
    m_last.reset();
    m_focus = 0;
    m_volume = kDefaultSpeechLevel;
    m_rate = kDefaultSpeechLevel;
}

}  // namespace touchpoint::kiosk
