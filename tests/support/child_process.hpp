#pragma once
// Runs a helper program with its stdout on a pipe, for the multi-process, crash and SIGKILL suites.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

namespace touchpoint::testing {

class ChildProcess {
public:
    explicit ChildProcess(const std::vector<std::string>& argv) {
        int fds[2];
        // O_CLOEXEC: a second child started while this one runs must not inherit (and hold open) our pipe.
        if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
        m_pid = ::fork();
        if (m_pid < 0) throw std::runtime_error("fork failed");
        if (m_pid == 0) {
            ::dup2(fds[1], STDOUT_FILENO);  // dup2 clears close-on-exec on the copy
            ::close(fds[0]);
            ::close(fds[1]);
            std::vector<char*> args;
            for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
        ::close(fds[1]);
        m_out = fds[0];
    }
    ~ChildProcess() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGKILL);
            wait();
        }
        if (m_out >= 0) ::close(m_out);
    }
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    /// Reads what is available within timeoutMs (0: only what is there now) into `into`; false at end of stream.
    bool readSome(std::string& into, int timeoutMs) {
        pollfd p{m_out, POLLIN, 0};
        if (::poll(&p, 1, timeoutMs) <= 0) return true;
        char buf[4096];
        const ssize_t n = ::read(m_out, buf, sizeof buf);
        if (n <= 0) return false;
        into.append(buf, static_cast<std::size_t>(n));
        m_seen.append(buf, static_cast<std::size_t>(n));
        return true;
    }
    /// Reads until the child closes stdout.
    void readAll(std::string& into) {
        while (readSome(into, 60000)) {
        }
    }
    /// Reads stdout until `text` appears, the stream ends or the limit passes.
    bool waitForOutput(const std::string& text, std::chrono::seconds limit) {
        const auto until = std::chrono::steady_clock::now() + limit;
        std::string ignored;
        while (m_seen.find(text) == std::string::npos) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            if (!readSome(ignored, static_cast<int>(left.count()))) return m_seen.find(text) != std::string::npos;
        }
        return true;
    }
    /// Reads until the child closes stdout (normally: exits) or the limit passes; false on the limit.
    bool readToEnd(std::chrono::seconds limit) {
        const auto until = std::chrono::steady_clock::now() + limit;
        std::string ignored;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            if (!readSome(ignored, static_cast<int>(left.count()))) return true;
        }
    }
    /// Everything read from stdout so far.
    const std::string& output() const { return m_seen; }
    void kill() { ::kill(m_pid, SIGKILL); }
    /// Waits for exit; returns the raw wait status.
    int wait() {
        int status = 0;
        if (m_pid > 0) {
            ::waitpid(m_pid, &status, 0);
            m_pid = -1;
            m_status = status;
        }
        return m_status;
    }

private:
    pid_t m_pid = -1;
    int m_out = -1;
    int m_status = 0;
    std::string m_seen;
};

}  // namespace touchpoint::testing
