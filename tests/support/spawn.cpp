#include "spawn.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>

extern char** environ;

namespace touchpoint::testing {

pid_t spawnWithOutput(const std::vector<std::string>& argv, const OutputFiles& files) {
    if (argv.empty()) return -1;
    std::vector<std::string> copy = argv;
    std::vector<char*> raw;
    for (auto& a : copy) raw.push_back(a.data());
    raw.push_back(nullptr);
    const int flags = O_WRONLY | O_CREAT | (files.append ? O_APPEND : O_TRUNC);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, files.out.c_str(), flags, 0600);
    if (files.err.empty()) {
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
    } else {
        posix_spawn_file_actions_addopen(&fa, 2, files.err.c_str(), flags, 0600);
    }
    pid_t pid = -1;
    const bool searchPath = argv.front().find('/') == std::string::npos;
    const int rc = searchPath ? posix_spawnp(&pid, raw[0], &fa, nullptr, raw.data(), environ)
                              : posix_spawn(&pid, raw[0], &fa, nullptr, raw.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

int waitExit(pid_t pid) {
    if (pid <= 0) return -1;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int runWithOutput(const std::vector<std::string>& argv, const OutputFiles& files) {
    return waitExit(spawnWithOutput(argv, files));
}

}  // namespace touchpoint::testing
