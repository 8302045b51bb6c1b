// touchpoint-kiosk: wiring only. See kiosk_app.hpp for the loop, script_driver.hpp for --script and
// bench.hpp for `bench`.
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "bench.hpp"
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

constexpr const char* kUsage =
    "usage: touchpoint-kiosk --config FILE [--windowed]\n"
    "       touchpoint-kiosk --config FILE --check-config\n"
    "       touchpoint-kiosk --config FILE --script STEPS [--screenshot-dir DIR] [--windowed]\n"
    "       touchpoint-kiosk bench --config FILE [--json] [--idle-seconds N]\n"
    "       touchpoint-kiosk hash-pin     (reads a staff PIN on stdin, prints the line for [staff] pin_hashes)\n";

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
    bool json = false;
    double idleSeconds = 10.0;
};

bool parseArgs(int argc, char** argv, Args& a) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= argc) return false;
            out = argv[++i];
            return true;
        };
        if (arg == "bench" && i == 1) {
            a.bench = true;
        } else if (arg == "--config") {
            if (!value(a.config)) return false;
        } else if (arg == "--script") {
            if (!value(a.script)) return false;
        } else if (arg == "--screenshot-dir") {
            if (!value(a.screenshotDir)) return false;
        } else if (arg == "--idle-seconds") {
            std::string s;
            if (!value(s)) return false;
            a.idleSeconds = std::atof(s.c_str());
            if (a.idleSeconds <= 0) return false;
        } else if (arg == "--check-config") {
            a.checkConfig = true;
        } else if (arg == "--windowed") {
            a.windowed = true;
        } else if (arg == "--json") {
            a.json = true;
        } else if (arg == "--bench-child") {
            a.benchChild = true;
        } else {
            std::cerr << "touchpoint-kiosk: unknown argument " << arg << "\n";
            return false;
        }
    }
    return !a.config.empty();
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
    if (argc == 2 && std::strcmp(argv[1], "hash-pin") == 0) return hashPinCommand();
    Args args;
    if (!parseArgs(argc, argv, args)) {
        std::cerr << kUsage;
        return 2;
    }
    if (args.checkConfig) return checkConfig(args.config);
    if (args.bench) {
        return kiosk::app::runBench({args.config, args.json, args.idleSeconds, 20}, "/proc/self/exe");
    }
    uploader::CurlGlobal curl;  // before any thread starts
    if (args.benchChild) return kiosk::app::runBenchChild(args.config);

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
