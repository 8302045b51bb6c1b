#pragma once
// `touchpoint-kiosk bench --config F [--json]`: starts the kiosk as a child process (a real cold start) and
// measures time to first frame, idle CPU on the attract screen, frame times while a built-in script taps
// through the screens, and peak RSS. Needs a display (run it under xvfb-run in CI).

#include <filesystem>
#include <string>

namespace touchpoint::kiosk::app {

struct BenchOptions {
    std::filesystem::path config;
    bool json = false;
    double idleSeconds = 10.0;
    int interactRounds = 20;
    bool speech = false;  ///< speech and keypad mode on: idle with it on, interact with its keys
};

/// The parent side; returns the process exit code (0 even when a target is missed: the figures speak).
int runBench(const BenchOptions& options, const std::string& self);

/// The child side: runs the app, prints "first-frame" after the first swap, then obeys "interact" and
/// "quit" on stdin.
int runBenchChild(const std::filesystem::path& config, bool speech);

}  // namespace touchpoint::kiosk::app
