// touchpoint-kiosk: wiring only. See kiosk_app.hpp for the loop, script_driver.hpp for --script and
// bench.hpp for `bench`.
#include <termios.h>
#include <unistd.h>

#include <optional>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bench.hpp"
#include "common/cli.hpp"
#include "common/log.hpp"
#include "config/kiosk_config.hpp"
#include "kiosk_app.hpp"
#include "script_driver.hpp"
#include "staff/pin.hpp"
#include "uploader/https_client.hpp"

namespace {

void printConfigErrors(const touchpoint::config::ConfigErrors& errors) {
    auto text = errors.format();
    if (!text.empty() && text.back() != '\n') text += '\n';
    std::cerr << text;
}

/// `hash-pin`: IT puts the printed hash into the config; the PIN itself is never stored. Echo is turned off
/// when stdin is a terminal so the PIN does not stay on screen.
int hashPinCommand() {
    const bool tty = isatty(STDIN_FILENO) == 1;
    termios saved{};
    if (tty) {
        std::cerr << "Staff PIN (4 to 12 digits): " << std::flush;
        tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string pin;
    std::getline(std::cin, pin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::cerr << "\n";
    }
    auto hash = touchpoint::kiosk::staff::hashPin(pin);
    std::fill(pin.begin(), pin.end(), '\0');
    if (!hash) {
        std::cerr << "touchpoint-kiosk: " << hash.error() << "\n";
        return 2;
    }
    std::cout << *hash << "\n";
    return 0;
}

struct Args {
    std::string config;
    std::string script;
    std::string screenshotDir;
    bool checkConfig = false;
    bool windowed = false;
    bool bench = false;
    bool benchChild = false;
    bool benchSpeech = false;
    bool hashPin = false;
    bool json = false;
    double idleSeconds = 10.0;
};

/// Fills `a` from the command line (CLI11); returns the exit code when the program should stop here.
std::optional<int> parseArgs(int argc, char** argv, Args& a) {
    CLI::App app{"The in-store touch-screen kiosk. Without a subcommand it opens the kiosk.", "touchpoint-kiosk"};
    app.add_option("--config", a.config, "the kiosk's TOML config");
    app.add_flag("--check-config", a.checkConfig, "check the config and the files it names, then exit");
    app.add_flag("--windowed", a.windowed, "a window instead of full screen");
    app.add_option("--script", a.script, "play the steps in this file instead of waiting for taps (docs/KIOSK_SCRIPT.md)");
    app.add_option("--screenshot-dir", a.screenshotDir, "where the script's `shot` steps save PNG files");
    // The bench's measured child process (bench.cpp starts it); not for people.
    app.add_flag("--bench-child", a.benchChild)->group("");
    app.add_flag("--bench-speech", a.benchSpeech)->group("");

    auto* bench = app.add_subcommand("bench", "cold start, frame time, idle CPU and RSS of this build");
    bench->add_option("--config", a.config, "the kiosk's TOML config")->required();
    bench->add_flag("--json", a.json, "print one JSON object");
    bench->add_option("--idle-seconds", a.idleSeconds, "how long to measure idle CPU")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    bench->add_flag("--speech", a.benchSpeech, "with speech and keypad mode on (idle on attract, interaction by keys)");
    auto* hashPin = app.add_subcommand(
        "hash-pin", "read a staff PIN on stdin and print the line for [staff] pin_hashes (the PIN is not stored)");

    if (auto exit = touchpoint::cli::parse(app, argc, argv)) return exit;
    a.bench = bench->parsed();
    a.hashPin = hashPin->parsed();
    if (!a.bench && !a.hashPin && a.config.empty()) return touchpoint::cli::refuse(app, "--config FILE is required");
    return std::nullopt;
}

int checkConfig(const std::string& file) {
    auto config = touchpoint::config::loadKioskConfig(file);
    if (!config) {
        printConfigErrors(config.error());
        return 2;
    }
    const auto problems = touchpoint::kiosk::app::checkRuntime(*config);
    for (const auto& p : problems) std::cerr << p << "\n";
    if (!problems.empty()) return 2;
    std::cout << file << ": ok\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace touchpoint;
    Args args;
    if (auto exit = parseArgs(argc, argv, args)) return *exit;
    if (args.hashPin) return hashPinCommand();
    if (args.checkConfig) return checkConfig(args.config);
    if (args.bench) {
        return kiosk::app::runBench({args.config, args.json, args.idleSeconds, 20, args.benchSpeech}, "/proc/self/exe");
    }
    uploader::CurlGlobal curl;  // before any thread starts
    if (args.benchChild) return kiosk::app::runBenchChild(args.config, args.benchSpeech);

    auto config = config::loadKioskConfig(args.config);
    if (!config) {
        printConfigErrors(config.error());
        return 2;
    }
    kiosk::OffsetClock clock(SystemClock::instance());
    auto services = kiosk::app::Services::create(*config, clock, {});
    if (!services) {
        std::cerr << "touchpoint-kiosk: " << services.error() << "\n";
        return 1;
    }
    auto app = kiosk::app::KioskApp::create(**services, clock, {args.windowed});
    if (!app) {
        std::cerr << "touchpoint-kiosk: " << app.error() << "\n";
        return 1;
    }
    if (args.script.empty()) return (*app)->run();

    std::ifstream in(args.script);
    if (!in) {
        std::cerr << "touchpoint-kiosk: " << args.script << ": cannot open script\n";
        return 2;
    }
    std::stringstream text;
    text << in.rdbuf();
    auto steps = kiosk::app::parseScript(text.str(), args.script);
    if (!steps) {
        std::cerr << "touchpoint-kiosk: " << steps.error() << "\n";
        return 2;
    }
    kiosk::app::ScriptDriver driver(**app, args.screenshotDir);
    if (auto r = driver.run(*steps, args.script); !r) {
        std::cerr << "touchpoint-kiosk: " << r.error() << "\n";
        return 1;
    }
    log::info("kiosk", "script finished", {{"steps", std::to_string(steps->size())}});
    return 0;
}
