#pragma once
// Starting the real touchpoint-hub executable from a test, its stdout and stderr in files.

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "spawn.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub::testing {

/// Runs `program args...` with stdout and stderr written to the given files; the pid, or -1.
inline pid_t spawnProgram(const std::string& program, const std::vector<std::string>& args,
                          const std::filesystem::path& out, const std::filesystem::path& err) {
    std::vector<std::string> argv{program};
    argv.insert(argv.end(), args.begin(), args.end());
    return touchpoint::testing::spawnWithOutput(argv, {out, err});
}

using touchpoint::testing::waitExit;

/// What a program run to its end answered and printed.
struct CommandRun {
    int code = -1;
    std::string out;
    std::string err;
};

/// Runs `program args...` to its end with its output in `dir`'s out.txt and err.txt, and reads both back.
inline CommandRun runProgram(const std::string& program, const std::filesystem::path& dir,
                             const std::vector<std::string>& args) {
    const auto out = dir / "out.txt";
    const auto err = dir / "err.txt";
    CommandRun r;
    r.code = waitExit(spawnProgram(program, args, out, err));
    r.out = touchpoint::testing::readFile(out);
    r.err = touchpoint::testing::readFile(err);
    return r;
}

/// The quoted value the first `key = "…"` line of a program's output gives, or "".
inline std::string quotedValueOf(const std::string& text, const std::string& key) {
    std::smatch m;
    const std::regex re(key + R"( = "([^"]+)\")");
    return std::regex_search(text, m, re) ? m[1].str() : "";
}

}  // namespace touchpoint::hub::testing
