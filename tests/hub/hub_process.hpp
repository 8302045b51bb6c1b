#pragma once
// Starting the real touchpoint-hub executable from a test, its stdout and stderr in files.

#include <filesystem>
#include <string>
#include <vector>

#include "spawn.hpp"

namespace touchpoint::hub::testing {

/// Runs `program args...` with stdout and stderr written to the given files; the pid, or -1.
inline pid_t spawnProgram(const std::string& program, const std::vector<std::string>& args,
                          const std::filesystem::path& out, const std::filesystem::path& err) {
    std::vector<std::string> argv{program};
    argv.insert(argv.end(), args.begin(), args.end());
    return touchpoint::testing::spawnWithOutput(argv, {out, err});
}

using touchpoint::testing::waitExit;

}  // namespace touchpoint::hub::testing
