#pragma once
// Starting a program from a test or bench with its output in files (hubs, HAProxy, PostgreSQL's tools), and
// waiting for its exit.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace touchpoint::testing {

/// Where a started program's output goes: stdout to `out`; stderr to `err`, or to `out` as well when `err` is
/// empty. `append` adds to the files instead of replacing them.
struct OutputFiles {
    std::filesystem::path out;
    std::filesystem::path err;
    bool append = false;
};

/// Starts `argv` (argv[0] a path, or a name looked up in PATH when it has no '/') with stdin from /dev/null;
/// the pid, or -1 when it could not be started.
pid_t spawnWithOutput(const std::vector<std::string>& argv, const OutputFiles& files);

/// The exit status, or 128 + the signal that ended it; -1 when it cannot be waited for.
int waitExit(pid_t pid);

/// Both: the exit status of `argv` run to its end.
int runWithOutput(const std::vector<std::string>& argv, const OutputFiles& files);

}  // namespace touchpoint::testing
