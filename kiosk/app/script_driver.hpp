#pragma once
// Runs a kiosk script (docs/KIOSK_SCRIPT.md): taps on named widgets at their on-screen rectangles, typing on
// the on-screen keyboard, scanner input, clock jumps, waits for states, and a PNG per step. Any failure stops
// the script with "<file>:<line>: <what>"; a frame that drew a character the fonts lack is a failure too.

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "kiosk_app.hpp"

namespace touchpoint::kiosk::app {

struct ScriptStep {
    int line = 0;
    std::string verb;
    std::vector<std::string> args;
    std::string rest;  ///< everything after the verb (for `type` and `scan`, spaces included)
};

/// Parses a script; an error names the line.
Result<std::vector<ScriptStep>, std::string> parseScript(const std::string& text, const std::string& name);

class ScriptDriver {
public:
    /// `screenshotDir` empty: no PNGs.
    ScriptDriver(KioskApp& app, std::filesystem::path screenshotDir);
    Result<void, std::string> run(const std::vector<ScriptStep>& steps, const std::string& name);

private:
    Result<void, std::string> step(const ScriptStep& s);
    Result<void, std::string> tap(const std::string& id, std::int64_t holdMs = 0);
    Result<void, std::string> typeText(const std::string& text);
    Result<void, std::string> scan(const std::string& code);
    Result<void, std::string> await(const std::string& state, double timeoutS);
    /// Draws frames until the controller runs head office's document `version` (real time).
    Result<void, std::string> awaitApplied(const std::string& version, const std::string& seconds);
    Result<void, std::string> shot(const std::string& name);
    Result<void, std::string> settle(int frames = 2);
    bool stateMatches(const std::string& state) const;

    KioskApp& m_app;
    std::filesystem::path m_dir;
    int m_shot = 0;
};

}  // namespace touchpoint::kiosk::app
