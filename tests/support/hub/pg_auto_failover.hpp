#pragma once
// A throw-away pg_auto_failover cluster on loopback (Debian's postgresql-15-auto-failover and
// pg-auto-failover-cli): a monitor, a primary and a synchronous standby, each with its own data folder in one
// temporary folder and its own free port, each `pg_autoctl` running in the foreground as our child (as the
// postgres user when we are root) in a process group of its own, so that killing a node takes its keeper and
// its postgres together, as losing its machine would. Authentication is `trust` on 127.0.0.1 and without TLS:
// test-only settings (packaging/pg_auto_failover/ shows the production ones).
//
// The monitor's health checks are shortened (1 s checks, unhealthy after 3 s, demote timeout 5 s) so a
// failover takes seconds rather than the default half minute or more.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace touchpoint::hub {

class PgAutoFailover {
public:
    /// Creates and runs the monitor, then node 0 (becomes primary), then node 1 (a synchronous standby made
    /// with pg_basebackup); returns when the monitor reports them primary and secondary.
    static Result<std::unique_ptr<PgAutoFailover>, std::string> start();
    ~PgAutoFailover();
    PgAutoFailover(const PgAutoFailover&) = delete;
    PgAutoFailover& operator=(const PgAutoFailover&) = delete;

    static constexpr int kNodes = 2;
    int port(int node) const { return m_nodes.at(static_cast<std::size_t>(node)).port; }
    /// A multi-host URL of both nodes with target_session_attrs=read-write: libpq connects to whichever
    /// accepts writes, as the hubs are configured in production.
    std::string url(const std::string& database) const;
    /// Creates a database on the current primary (replicated to the standby); returns its multi-host URL.
    Result<std::string, std::string> createDatabase(const std::string& name);

    /// The node whose postgres accepts writes now, if any.
    std::optional<int> writableNode() const;
    /// True when the monitor reports `node` in `state` (primary, secondary, wait_primary, ...).
    bool reports(int node, const std::string& state) const;
    /// Waits until `node` is reported in one of `states`; false after `limit`.
    bool waitForState(int node, const std::vector<std::string>& states, std::chrono::seconds limit) const;
    /// `pg_autoctl show state` as the monitor sees it (for messages).
    std::string showState() const;

    /// SIGKILL to the node's pg_autoctl and everything in its process group (its postgres), and to its
    /// postmaster by the pid in its data folder: the machine is gone, nothing is shut down cleanly.
    void killNode(int node);
    /// `pg_autoctl run` again on the node's data: it rejoins, as a standby when the other was promoted.
    Result<void, std::string> restartNode(int node);
    /// The node's pg_autoctl output so far (the end of it).
    std::string log(int node) const;

private:
    struct Node {
        std::string name;
        std::filesystem::path data, logFile;
        int port = 0;
        pid_t pid = -1;  ///< pg_autoctl, leader of its process group
    };
    PgAutoFailover() = default;
    Result<void, std::string> createNode(Node& node, bool monitor);
    pid_t runInBackground(const std::vector<std::string>& argv, const std::filesystem::path& log) const;
    int runAndWait(const std::vector<std::string>& argv, const std::filesystem::path& log) const;
    /// psql -At on `port`/`database`; the output, or an error with psql's message.
    Result<std::string, std::string> psql(int port, const std::string& database,
                                          const std::string& sql) const;
    void killGroup(Node& node);

    std::filesystem::path m_dir;
    Node m_monitor;
    std::vector<Node> m_nodes;
};

}  // namespace touchpoint::hub
