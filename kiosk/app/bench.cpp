#include "bench.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "common/log.hpp"
#include "config/kiosk_config.hpp"
#include "core/memory_figure.hpp"
#include "kiosk_app.hpp"
#include "script_driver.hpp"

extern char** environ;

namespace touchpoint::kiosk::app {

namespace {

constexpr double kColdStartTargetMs = 300;
constexpr double kIdleCpuTargetPct = 1.0;
constexpr double kFrameP99TargetMs = 16;
constexpr double kRssTargetMb = 80;
constexpr double kOwnMemoryTargetMb = 32;  // heap, stacks, code: RSS without the GL driver's mappings

/// The libraries `ldd FILE` lists, by their files' own names (symbolic links resolved, as smaps shows them).
std::set<std::string> lddClosure(const std::string& file) {
    int out[2];
    if (pipe(out) != 0) return {};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::vector<char*> argv{const_cast<char*>("ldd"), const_cast<char*>(file.c_str()), nullptr};
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, "ldd", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    std::string text;
    char buffer[4096];
    for (ssize_t n; rc == 0 && (n = ::read(out[0], buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<std::size_t>(n));
    close(out[0]);
    if (rc != 0) return {};
    waitpid(pid, nullptr, 0);
    std::set<std::string> names;
    for (const auto& path : libraryPathsFromLdd(text)) {
        std::error_code ec;
        const auto real = std::filesystem::canonical(path, ec);
        names.insert(ec ? std::filesystem::path(path).filename().string() : real.filename().string());
    }
    return names;
}

/// The libraries in the process only because its GL driver is: what the mapped driver files need that neither
/// the program nor a library it opened itself (GLFW opens libXrandr, libXcursor, …) needs.
std::set<std::string> driverOnlyLibrariesOf(pid_t pid) {
    std::set<std::string> driverFiles, otherFiles;
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    for (std::string line; std::getline(maps, line);) {
        const auto slash = line.find('/');
        if (slash == std::string::npos) continue;
        const std::string path = line.substr(slash);
        if (path.find(".so") == std::string::npos) continue;
        (isGlDriverMapping(path) ? driverFiles : otherFiles).insert(path);
    }
    std::set<std::string> driverNeeds;
    for (const auto& file : driverFiles) driverNeeds.merge(lddClosure(file));
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec);
    if (ec) return {};
    std::set<std::string> programNeeds = lddClosure(exe.string());
    for (const auto& file : otherFiles) {
        const std::string name = std::filesystem::path(file).filename().string();
        if (driverNeeds.count(name) || programNeeds.count(name)) continue;
        programNeeds.insert(name);  // opened by the program at run time: its own, and so is what it needs
        programNeeds.merge(lddClosure(file));
    }
    return driverOnlyLibraries(driverNeeds, programNeeds);
}

MemoryFigure memoryOf(pid_t pid, const std::set<std::string>& driverOnly) {
    std::ifstream smaps("/proc/" + std::to_string(pid) + "/smaps");
    return memoryFromSmaps(smaps, driverOnly);
}

/// utime + stime of a process in seconds.
double cpuSeconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    std::getline(in, text);  // one line
    const auto close = text.rfind(')');
    if (close == std::string::npos) return 0;
    std::istringstream fields(text.substr(close + 2));
    std::string f;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
        if (i == 14) utime = std::stoull(f);
        if (i == 15) stime = std::stoull(f);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

/// VmHWM / VmRSS in MB.
double statusMb(pid_t pid, const std::string& key) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(key + ":", 0) == 0) return std::stod(line.substr(key.size() + 1)) / 1024.0;
    }
    return 0;
}

std::string readLine(int fd) {
    std::string line;
    char c = 0;
    while (::read(fd, &c, 1) == 1) {
        if (c == '\n') return line;
        line += c;
    }
    return line;
}

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto idx = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(idx, v.size() - 1)];
}

std::string interactionScript(int rounds, bool speech) {
    std::string s;
    for (int i = 0; i < rounds && speech; ++i) {
        // Speech and keypad mode: started by a key, keys move and type (each change is spoken), cancel ends it.
        s += "tap lang.es\npress space\npress space\npress kp_5 3\npress tab 2\npress space\npress backspace\n"
             "press f2\npress kp_add\npress kp_subtract\ntap signin.tab.email\npress tab 3\npress space\npress f1\n"
             "tap signin.cancel\n";
    }
    for (int i = 0; i < rounds && !speech; ++i) {
        s += "tap lang.es\ntap lang.en\ntap a11y.contrast\ntap a11y.contrast\ntap attract.start\n"
             "type 2025550143\ntap key.backspace\ntap key.backspace\ntap signin.tab.email\n"
             "type bench@example.com\ntap signin.tab.phone\ntap signin.cancel\n";
    }
    return s;
}

}  // namespace

int runBenchChild(const std::filesystem::path& configPath, bool speech) {
    auto config = config::loadKioskConfig(configPath);
    if (!config) {
        std::cerr << config.error().format() << "\n";
        return 2;
    }
    OffsetClock clock(SystemClock::instance());
    auto services = Services::create(*config, clock, {});
    if (!services) {
        std::cerr << "touchpoint-kiosk: " << services.error() << "\n";
        return 1;
    }
    auto app = KioskApp::create(**services, clock, AppOptions{});
    if (!app) {
        std::cerr << "touchpoint-kiosk: " << app.error() << "\n";
        return 1;
    }
    KioskApp& a = **app;
    a.frame();
    std::cout << "first-frame" << std::endl;
    if (speech) {
        // Idle is measured with the mode on: a key starts it, as a shopper's keypad would.
        a.pressKey("space");
        a.frame();
    }
    // Commands arrive on stdin; the reader only posts them to the UI thread.
    std::thread reader([&a, speech] {
        for (std::string line; std::getline(std::cin, line);) {
            if (line == "interact") {
                a.post([&a, speech] {
                    a.takeFrameTimesMs();
                    auto steps = parseScript(interactionScript(20, speech), "bench");
                    ScriptDriver driver(a, {});
                    auto r = driver.run(*steps, "bench");
                    auto times = a.takeFrameTimesMs();
                    std::cout << "frames " << times.size() << " " << percentile(times, 0.5) << " "
                              << percentile(times, 0.99) << " " << (times.empty() ? 0 : *std::max_element(times.begin(), times.end()))
                              << " " << (r ? "ok" : r.error()) << std::endl;
                });
            } else if (line == "quit") {
                a.post([&a] { a.requestQuit(); });
                return;
            }
        }
        a.post([&a] { a.requestQuit(); });
    });
    const int rc = a.run();
    reader.join();
    return rc;
}

int runBench(const BenchOptions& options, const std::string& self) {
    int toChild[2];
    int fromChild[2];
    if (pipe(toChild) != 0 || pipe(fromChild) != 0) {
        std::perror("pipe");
        return 1;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, toChild[0], 0);
    posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1);
    posix_spawn_file_actions_addclose(&actions, toChild[1]);
    posix_spawn_file_actions_addclose(&actions, fromChild[0]);
    const std::string cfg = options.config.string();
    std::vector<char*> argv{const_cast<char*>(self.c_str()), const_cast<char*>("--config"), const_cast<char*>(cfg.c_str()),
                            const_cast<char*>("--bench-child")};
    if (options.speech) argv.push_back(const_cast<char*>("--bench-speech"));
    argv.push_back(nullptr);
    pid_t pid = 0;
    const auto t0 = std::chrono::steady_clock::now();
    const int rc = posix_spawn(&pid, self.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(toChild[0]);
    close(fromChild[1]);
    if (rc != 0) {
        std::cerr << "bench: cannot start " << self << "\n";
        return 1;
    }
    const auto first = readLine(fromChild[0]);
    const double coldMs = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (first != "first-frame") {
        std::cerr << "bench: the kiosk did not draw a first frame (is DISPLAY set? see its stderr)\n";
        kill(pid, SIGTERM);
        waitpid(pid, nullptr, 0);
        return 1;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));  // let start-up work finish before idling
    const double cpu0 = cpuSeconds(pid);
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(options.idleSeconds * 1000)));
    const double idlePct = (cpuSeconds(pid) - cpu0) / options.idleSeconds * 100.0;
    const double rssIdle = statusMb(pid, "VmRSS");
    const std::set<std::string> driverOnly = driverOnlyLibrariesOf(pid);
    const MemoryFigure memoryIdle = memoryOf(pid, driverOnly);

    const std::string interact = "interact\n";
    if (write(toChild[1], interact.data(), interact.size()) < 0) std::perror("write");
    std::istringstream frames(readLine(fromChild[0]));
    std::string word;
    std::size_t n = 0;
    double p50 = 0, p99 = 0, maxMs = 0;
    std::string status;
    frames >> word >> n >> p50 >> p99 >> maxMs;
    std::getline(frames, status);
    const double rssPeak = statusMb(pid, "VmHWM");
    const MemoryFigure memoryAfter = memoryOf(pid, driverOnly);  // after every screen was drawn: fonts, textures, caches
    const std::string quit = "quit\n";
    if (write(toChild[1], quit.data(), quit.size()) < 0) std::perror("write");
    close(toChild[1]);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    close(fromChild[0]);

    nlohmann::json glDriver = nlohmann::json::array();
    for (const auto& m : memoryAfter.glDriver) glDriver.push_back({{"name", m.name}, {"mb", m.mb}});
    const double ownMb = std::max(memoryIdle.ownMb, memoryAfter.ownMb);
    nlohmann::json j{{"speech_mode", options.speech},
                     {"cold_start_to_first_frame_ms", coldMs},
                     {"idle_cpu_percent_of_core", idlePct},
                     {"idle_seconds", options.idleSeconds},
                     {"frames_measured", n},
                     {"frame_p50_ms", p50},
                     {"frame_p99_ms", p99},
                     {"frame_max_ms", maxMs},
                     {"rss_idle_mb", rssIdle},
                     {"rss_peak_mb", rssPeak},
                     {"own_memory_idle_mb", memoryIdle.ownMb},
                     {"own_memory_mb", memoryAfter.ownMb},
                     {"gl_driver_mb", memoryAfter.glDriverMb},
                     {"rss_total_mb", memoryAfter.totalRssMb},
                     {"gl_driver_mappings", glDriver},
                     {"interaction", status.empty() ? "ok" : status.substr(1)},
                     {"targets",
                      {{"cold_start_ms", kColdStartTargetMs},
                       {"idle_cpu_percent", kIdleCpuTargetPct},
                       {"frame_p99_ms", kFrameP99TargetMs},
                       {"rss_mb", kRssTargetMb},
                       {"own_memory_mb", kOwnMemoryTargetMb}}},
                     {"met",
                      {{"cold_start", coldMs <= kColdStartTargetMs},
                       {"idle_cpu", idlePct <= kIdleCpuTargetPct},
                       {"frame_p99", p99 <= kFrameP99TargetMs},
                       {"rss", rssPeak <= kRssTargetMb},
                       {"own_memory", ownMb <= kOwnMemoryTargetMb}}}};
    if (options.json) {
        std::cout << j.dump(2) << "\n";
    } else {
        if (options.speech) std::printf("speech and keypad mode on (idle and interaction)\n");
        std::printf("cold start to first frame  %8.1f ms   (target <= %.0f)\n", coldMs, kColdStartTargetMs);
        std::printf("idle CPU on attract        %8.2f %%    (target <= %.0f, over %.0f s)\n", idlePct,
                    kIdleCpuTargetPct, options.idleSeconds);
        std::printf("frame p50 / p99 / max      %5.1f / %5.1f / %5.1f ms over %zu frames (p99 target <= %.0f)\n", p50,
                    p99, maxMs, n, kFrameP99TargetMs);
        std::printf("RSS idle / peak            %5.1f / %5.1f MB (target <= %.0f)\n", rssIdle, rssPeak, kRssTargetMb);
        std::printf("own memory idle / after    %5.1f / %5.1f MB (target <= %.0f; RSS %.1f MB less %.1f MB of GL driver)\n",
                    memoryIdle.ownMb, memoryAfter.ownMb, kOwnMemoryTargetMb, memoryAfter.totalRssMb,
                    memoryAfter.glDriverMb);
        for (const auto& m : memoryAfter.glDriver) std::printf("  excluded %-34s %6.1f MB\n", m.name.c_str(), m.mb);
    }
    return 0;
}

}  // namespace touchpoint::kiosk::app
