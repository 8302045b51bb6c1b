#include "script_driver.hpp"

#include <imgui.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "common/log.hpp"

namespace touchpoint::kiosk::app {

namespace {

std::string describeMissing(const std::set<std::uint32_t>& cps) {
    std::ostringstream os;
    os << "missing glyphs:";
    for (const auto c : cps) os << " U+" << std::hex << std::uppercase << c;
    return os.str();
}

std::string fileSafe(const std::string& s) {
    std::string out;
    for (char c : s) {
        const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
        out += ok ? c : '_';
        if (out.size() >= 40) break;
    }
    return out;
}

}  // namespace

Result<std::vector<ScriptStep>, std::string> parseScript(const std::string& text, const std::string& name) {
    static const std::set<std::string> kVerbs{"tap",   "hold",    "type",   "scan",   "wait",
                                              "sleep", "await",   "expect", "shot",   "flush",
                                              "press", "focused", "said",   "applied", "shows"};
    std::vector<ScriptStep> steps;
    std::istringstream in(text);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const auto first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        ScriptStep s;
        s.line = n;
        std::istringstream words(line.substr(first));
        words >> s.verb;
        const auto verbEnd = line.find(s.verb, first) + s.verb.size();
        s.rest = verbEnd < line.size() ? line.substr(verbEnd + 1) : std::string();
        for (std::string w; words >> w;) s.args.push_back(w);
        if (!kVerbs.count(s.verb)) return Fail(name + ":" + std::to_string(n) + ": unknown step \"" + s.verb + "\"");
        const bool needsArg = s.verb != "flush" && s.verb != "shot";
        if (needsArg && s.args.empty()) return Fail(name + ":" + std::to_string(n) + ": " + s.verb + " needs an argument");
        steps.push_back(std::move(s));
    }
    return steps;
}

ScriptDriver::ScriptDriver(KioskApp& app, std::filesystem::path screenshotDir)
    : m_app(app), m_dir(std::move(screenshotDir)) {
    // Kiosk time moves only when a step says so (wait, hold, sleep, await), never while frames are drawn.
    m_app.clock().freeze();
    m_app.recordDrawnTexts();
}

Result<void, std::string> ScriptDriver::run(const std::vector<ScriptStep>& steps, const std::string& name) {
    if (!m_dir.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(m_dir, ec);
        if (ec) return Fail(m_dir.string() + ": " + ec.message());
    }
    if (auto r = settle(3); !r) return Fail(name + ": first frames: " + r.error());
    for (const auto& s : steps) {
        auto r = step(s);
        if (!r) return Fail(name + ":" + std::to_string(s.line) + ": " + s.verb + ": " + r.error());
        if (!m_dir.empty() && s.verb != "shot" && s.verb != "focused" && s.verb != "said" &&
            s.verb != "shows") {
            const auto label = s.verb + (s.args.empty() ? "" : "-" + fileSafe(s.verb == "type" ? "text" : s.args[0]));
            if (auto shotResult = shot(label); !shotResult) {
                return Fail(name + ":" + std::to_string(s.line) + ": screenshot: " + shotResult.error());
            }
        }
    }
    return {};
}

Result<void, std::string> ScriptDriver::settle(int frames) {
    for (int i = 0; i < frames; ++i) {
        m_app.frame(Pointer{});
        if (!m_app.registry().missingGlyphs().empty()) return Fail(describeMissing(m_app.registry().missingGlyphs()));
    }
    return {};
}

bool ScriptDriver::stateMatches(const std::string& state) const {
    const auto now = m_app.stateName();
    if (now == state) return true;
    // "welcome" matches any settled welcome state; "welcome.loading" only the loading one.
    return state.find('.') == std::string::npos && now.rfind(state + ".", 0) == 0 && now != state + ".loading";
}

Result<void, std::string> ScriptDriver::step(const ScriptStep& s) {
    if (s.verb == "tap") return tap(s.args[0]);
    if (s.verb == "hold") {
        const auto ms = s.args.size() > 1 ? std::stoll(s.args[1]) : 3000;
        return tap(s.args[0], ms);
    }
    if (s.verb == "type") return typeText(s.rest);
    if (s.verb == "scan") return scan(s.args[0]);
    if (s.verb == "wait") {
        // Jump the kiosk's clock, one second at a time so every timer fires in order, drawing as we go.
        double seconds = 0;
        try {
            seconds = std::stod(s.args[0]);
        } catch (const std::exception&) {
            return Fail("not a number of seconds: " + s.args[0]);
        }
        auto left = static_cast<std::int64_t>(seconds * 1000);
        while (left > 0) {
            const auto chunk = std::min<std::int64_t>(left, 1000);
            m_app.clock().advanceMs(chunk);
            left -= chunk;
            if (auto r = settle(1); !r) return r;
        }
        return settle(2);
    }
    if (s.verb == "sleep") {
        const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(std::stoll(s.args[0]));
        while (std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            m_app.clock().advanceMs(20);
            if (auto r = settle(1); !r) return r;
        }
        return {};
    }
    if (s.verb == "await") return await(s.args[0], s.args.size() > 1 ? std::stod(s.args[1]) : 10.0);
    if (s.verb == "applied") return awaitApplied(s.args[0], s.args.size() > 1 ? s.args[1] : "10");
    if (s.verb == "expect") {
        if (!stateMatches(s.args[0])) return Fail("expected " + s.args[0] + ", the kiosk shows " + m_app.stateName());
        return {};
    }
    if (s.verb == "shot") return shot(s.args.empty() ? "shot" : fileSafe(s.args[0]));
    if (s.verb == "press") {
        // A key of speech and keypad mode, through the same mapping as the real keyboard: "press tab 3".
        int times = 1;
        if (s.args.size() > 1) {
            try {
                times = std::stoi(s.args[1]);
            } catch (const std::exception&) {
                return Fail("not a count: " + s.args[1]);
            }
        }
        if (times < 1 || times > 200) return Fail("press count must be 1..200");
        for (int i = 0; i < times; ++i) {
            if (!m_app.pressKey(s.args[0])) return Fail("unknown key \"" + s.args[0] + "\"");
            if (auto r = settle(2); !r) return r;
        }
        return {};
    }
    if (s.verb == "focused") {
        if (m_app.focusedId() != s.args[0]) {
            return Fail("expected focus on " + s.args[0] + ", it is on \"" + m_app.focusedId() + "\"");
        }
        return {};
    }
    if (s.verb == "said") {
        // What speech was last asked to say contains this text.
        if (m_app.lastSpoken().find(s.rest) == std::string::npos) {
            return Fail("expected speech containing \"" + s.rest + "\", last said \"" + m_app.lastSpoken() + "\"");
        }
        return {};
    }
    if (s.verb == "shows") {
        // Some text drawn in the last frame (a label, a question, a button) contains this text.
        const auto& texts = m_app.registry().texts();
        for (const auto& t : texts) {
            if (t.find(s.rest) != std::string::npos) return {};
        }
        std::string drawn;
        for (const auto& t : texts) drawn += (drawn.empty() ? "\"" : ", \"") + t + "\"";
        return Fail("no text containing \"" + s.rest + "\" on screen; drawn: " + (drawn.empty() ? "nothing" : drawn));
    }
    if (s.verb == "flush") {
        auto* up = m_app.services().uploader();
        if (up == nullptr) return Fail("no uploader (no hub.url in the config)");
        const double seconds = s.args.empty() ? 20.0 : std::stod(s.args[0]);
        const auto r = up->flush(uploader::Millis(static_cast<std::int64_t>(seconds * 1000)));
        if (r != uploader::FlushResult::Empty) return Fail("the outbox did not drain to the hub");
        return settle(1);
    }
    return Fail("unknown step");
}

Result<void, std::string> ScriptDriver::tap(const std::string& id, std::int64_t holdMs) {
    auto rect = m_app.registry().find(id);
    if (!rect) {
        if (auto r = settle(1); !r) return r;
        rect = m_app.registry().find(id);
    }
    if (!rect) return Fail("no widget named \"" + id + "\" on " + m_app.stateName());
    const float x = rect->centerX();
    const float y = rect->centerY();
    // Move, press, (hold), release, then take the finger away so nothing stays "hovered".
    m_app.frame(Pointer{x, y, false});
    m_app.frame(Pointer{x, y, true});
    for (std::int64_t held = 0; held < holdMs; held += 250) {
        m_app.clock().advanceMs(std::min<std::int64_t>(250, holdMs - held));
        m_app.frame(Pointer{x, y, true});
    }
    m_app.frame(Pointer{x, y, true});
    m_app.frame(Pointer{x, y, false});
    return settle(2);
}

Result<void, std::string> ScriptDriver::typeText(const std::string& text) {
    const char* p = text.c_str();
    const char* end = p + text.size();
    while (p < end) {
        // One UTF-8 character per key.
        std::size_t len = 1;
        const auto c = static_cast<unsigned char>(*p);
        if (c >= 0xF0) len = 4;
        else if (c >= 0xE0) len = 3;
        else if (c >= 0xC0) len = 2;
        const std::string ch(p, std::min<std::size_t>(len, static_cast<std::size_t>(end - p)));
        p += ch.size();
        const std::string id = ch == " " ? "key.space" : ch == "+" && m_app.registry().find("key.plus") ? "key.plus"
                                                                                                          : "key." + ch;
        if (auto r = tap(id); !r) return Fail("typing \"" + ch + "\": " + r.error());
    }
    return {};
}

Result<void, std::string> ScriptDriver::scan(const std::string& code) {
    // A keyboard-wedge scanner: every character in one burst, then Enter.
    m_app.frame(Pointer{}, [&] {
        for (unsigned char c : code) ImGui::GetIO().AddInputCharacter(c);
    });
    const int enter = ImGui::GetIO().KeyMap[ImGuiKey_Enter];
    if (enter < 0) return Fail("no Enter key mapping");
    m_app.frame(Pointer{}, [&] { ImGui::GetIO().KeysDown[enter] = true; });
    m_app.frame(Pointer{}, [&] { ImGui::GetIO().KeysDown[enter] = false; });
    return settle(2);
}

Result<void, std::string> ScriptDriver::await(const std::string& state, double timeoutS) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int>(timeoutS * 1000));
    while (!stateMatches(state)) {
        if (std::chrono::steady_clock::now() > until) {
            return Fail("still " + m_app.stateName() + " after " + std::to_string(timeoutS) + " s, wanted " + state);
        }
        // Real time for the background work (the hub's answer), the same on the kiosk's clock so its own
        // timeouts still apply.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        m_app.clock().advanceMs(20);
        if (auto r = settle(1); !r) return r;
    }
    return settle(2);
}

Result<void, std::string> ScriptDriver::awaitApplied(const std::string& version, const std::string& seconds) {
    int wanted = 0;
    double timeoutS = 0;
    try {
        wanted = std::stoi(version);
        timeoutS = std::stod(seconds);
    } catch (const std::exception&) {
        return Fail("usage: applied CONFIG_VERSION [SECONDS]");
    }
    if (wanted <= 0 || timeoutS <= 0 || timeoutS > 600)
        return Fail("usage: applied CONFIG_VERSION [SECONDS]");
    const auto until =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int>(timeoutS * 1000));
    // Real time: the uploader's thread fetches the document; the controller applies it between sessions.
    while (m_app.controller().configVersion() != wanted) {
        if (std::chrono::steady_clock::now() > until) {
            return Fail("the kiosk runs document " + std::to_string(m_app.controller().configVersion()) +
                        " after " + seconds + " s, wanted " + version);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        m_app.clock().advanceMs(20);
        if (auto r = settle(1); !r) return r;
    }
    return settle(2);
}

Result<void, std::string> ScriptDriver::shot(const std::string& name) {
    if (m_dir.empty()) return {};
    std::string number = std::to_string(++m_shot);
    if (number.size() < 3) number.insert(0, 3 - number.size(), '0');
    return m_app.screenshot(m_dir / (number + "-" + name + ".png"));
}

}  // namespace touchpoint::kiosk::app
