#pragma once
// A throw-away PostgreSQL cluster from Debian's binaries (initdb + pg_ctl) in a temporary directory,
// reachable only through a unix socket inside that directory. The postgres tests and the ingest bench
// start one and remove it afterwards. PostgreSQL refuses to run as root, so as root the binaries run as the
// `postgres` user (runuser) with the directory owned by it.

#include <filesystem>
#include <string>

#include "common/result.hpp"

namespace touchpoint::hub {

inline constexpr const char* kPostgresBinDir = "/usr/lib/postgresql/15/bin";

class TempPostgres {
public:
    /// initdb, start, wait until it accepts connections. The error carries the server log's tail.
    static Result<TempPostgres, std::string> start();
    TempPostgres(TempPostgres&& other) noexcept : m_dir(std::move(other.m_dir)), m_running(other.m_running) {
        other.m_running = false;
    }
    TempPostgres& operator=(TempPostgres&&) = delete;
    ~TempPostgres();

    /// postgresql:// URL of the `postgres` database over the socket.
    std::string url() const;
    /// Creates a fresh database and returns its URL (tests get one each).
    Result<std::string, std::string> createDatabase(const std::string& name) const;
    void stop();
    /// Stops the server as a crash would (pg_ctl -m immediate: no checkpoint, sessions cut); its data stays.
    void kill();
    /// Starts the stopped server again on the same data (crash recovery after kill()).
    Result<void, std::string> restart();

private:
    TempPostgres() = default;
    std::filesystem::path m_dir;
    bool m_running = false;
};

}  // namespace touchpoint::hub
