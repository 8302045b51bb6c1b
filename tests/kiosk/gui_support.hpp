#pragma once
// What the GUI tests share: the real touchpoint-kiosk binary run under a private X server with a script, a
// kiosk.toml written for a test folder, and the screenshot folders kept as test artifacts.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>

#include "event/sealing.hpp"
#include "hub/ephemeral_hub.hpp"
#include "temp_dir.hpp"

namespace touchpoint::kiosk::gui_testing {

namespace fs = std::filesystem;

/// The hub's kiosk and staff tokens are bound to this test kiosk's store and kiosk ids.
inline hub::EphemeralHubOptions kioskZeroOne() {
    hub::EphemeralHubOptions o;
    o.storeId = "store-0001";
    o.kioskId = "kiosk-01";
    return o;
}

struct KioskRun {
    int exitCode = -1;
    std::string log;
};

/// Runs the kiosk under a private X server (xvfb-run -a picks a free display, so tests may run in parallel).
/// The exit code is the kiosk's own, written by the shell that ran it: xvfb-run answers 5 instead when it fails
/// to remove its temporary directory after the kiosk has exited, which says nothing about the kiosk.
inline KioskRun runKiosk(const fs::path& dir, const fs::path& config, const std::string& script, const fs::path& shots) {
    const auto scriptFile = dir / "steps.txt";
    std::ofstream(scriptFile) << script;
    const auto logFile = dir / "kiosk.log";
    const auto statusFile = dir / "kiosk.status";
    fs::remove(statusFile);
    const std::string cmd = "xvfb-run -a -s '-screen 0 1920x1080x24' sh -c "
                            "'\"$0\" --config \"$1\" --script \"$2\" --screenshot-dir \"$3\"; echo $? > \"$4\"' '" +
                            std::string(TOUCHPOINT_KIOSK_BIN) + "' '" + config.string() + "' '" + scriptFile.string() +
                            "' '" + shots.string() + "' '" + statusFile.string() + "' > '" + logFile.string() + "' 2>&1";
    const int status = std::system(cmd.c_str());
    KioskRun run;
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (std::ifstream in(statusFile); in) {
        int own = -1;
        if (in >> own) run.exitCode = own;
    }
    run.log = touchpoint::testing::readFile(logFile);
    return run;
}

struct KioskFiles {
    event::KeyPair sealing = event::generateSealingKeyPair();
    fs::path config;
    fs::path outbox;
};

inline KioskFiles writeConfig(const fs::path& dir, const std::string& hubLines = "", const std::string& sealingKey = "") {
    KioskFiles f;
    f.config = dir / "kiosk.toml";
    f.outbox = dir / "outbox.db";
    std::ofstream(f.config) << "[device]\nstore_id = \"store-0001\"\nkiosk_id = \"kiosk-01\"\n"
                            << "time_zone = \"Europe/Lisbon\"\nphone_region = \"US\"\n"
                            << "[outbox]\npath = \"" << f.outbox.string() << "\"\n"
                            << "[privacy]\nsealing_public_key = \""
                            << (sealingKey.empty() ? f.sealing.publicKeyB64 : sealingKey) << "\"\n"
                            << "identity_hash_key = \"" << event::IdentityHasher::generateKeyB64() << "\"\n"
                            << "[hub]\n" << hubLines << "\n"
                            << "[ui]\nfullscreen = false\nwidth = 1920\nheight = 1080\nassets_dir = \""
                            << touchpoint::testing::sourceAssetsDir().string() << "\"\n";
    return f;
}

inline fs::path artifacts(const std::string& name) {
    const auto dir = fs::path(TOUCHPOINT_KIOSK_ARTIFACTS) / name;
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

inline std::size_t pngCount(const fs::path& dir) {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() != ".png") continue;
        const auto bytes = touchpoint::testing::readFile(e.path());
        EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << e.path();
        ++n;
    }
    return n;
}

}  // namespace touchpoint::kiosk::gui_testing
