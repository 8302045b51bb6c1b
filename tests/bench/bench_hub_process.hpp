#pragma once
// The real touchpoint-hub process for the capacity benches (idle-conns, flood, fleet-return): `touchpoint-hub
// init` in a private temporary folder (generated certificate, sealing keys, SQLite store, a kiosk token), the
// bench's own [limits] appended to its hub.toml, then the hub started on an ephemeral loopback port with its
// log in that folder. Also the small measuring helpers every bench here shares (CPU time, load, quantiles).

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace touchpoint::bench {

class HubProcess {
public:
    /// Starts `exe` with `limitsToml` appended to the generated hub.toml (a "[limits]" section or more).
    /// Throws std::runtime_error when it cannot start or does not listen within 20 s.
    static std::unique_ptr<HubProcess> start(const std::filesystem::path& exe, const std::string& extraToml);
    ~HubProcess();  ///< SIGKILL if still running, then the folder is removed
    HubProcess(const HubProcess&) = delete;
    HubProcess& operator=(const HubProcess&) = delete;

    pid_t pid() const { return m_pid; }
    int port() const { return m_port; }
    std::string url() const { return "https://127.0.0.1:" + std::to_string(m_port); }
    const std::filesystem::path& dir() const { return m_dir; }
    std::filesystem::path caFile() const { return m_dir / "hub" / "hub-cert.pem"; }
    std::filesystem::path storeFile() const { return m_dir / "hub" / "hub.db"; }
    /// The kiosk token `init` printed, bound to store-flood / kiosk-flood (the flood bench's kiosk).
    const std::string& ingestToken() const { return m_token; }
    /// A new kiosk token bound to this store and kiosk (`touchpoint-hub token add --kind kiosk`): a kiosk
    /// token speaks for its own kiosk only. Throws std::runtime_error when it cannot be made.
    std::string kioskToken(const std::string& storeId, const std::string& kioskId) const;
    const std::string& sealingPublicKeyB64() const { return m_publicKey; }
    /// The store's one SQLite writer so far (GET /metrics, with a head-office token made on the first call):
    /// the seconds it spent in write transactions and the CPU seconds it used in them. {-1, -1} when the hub
    /// does not say (another store, or no answer).
    struct WriterFigures {
        double busySeconds = -1;
        double cpuSeconds = -1;
        double transactions = -1;
    };
    WriterFigures writerFigures();
    /// The hub's resident memory (VmRSS) in KiB; -1 when it cannot be read.
    long residentKiB() const;
    /// CPU time the hub has used (user + system, all threads) in seconds; -1 when it cannot be read.
    double cpuSeconds() const;
    /// The hub's log so far.
    std::string log() const;
    /// True while the process has not exited. When it has, and not through stop(), its exit status and the
    /// end of its log go to stderr (a bench must say why its hub went away).
    bool running();
    /// SIGTERM and wait (at most 10 s, then SIGKILL); the exit status (128 + signal when killed).
    int stop();

private:
    HubProcess() = default;
    std::filesystem::path m_dir;
    pid_t m_pid = -1;
    int m_port = 0;
    std::filesystem::path m_exe;
    std::string m_token, m_publicKey;
    std::string m_metricsToken;  ///< made by the first writerFigures()
};

/// The hub executable: `override` when given, else the one built beside this bench.
std::filesystem::path hubExecutable(const std::string& override);

/// Raises this process's open-file soft limit to its hard limit; returns the soft limit now in force.
long raiseOpenFileLimit();

/// GET /healthz on a new verified TLS connection: milliseconds to a 200, or -1 when none came within 2 s.
double healthzMillis(const HubProcess& hub);

/// The q-quantile (0..1) of `values` (sorted in place); 0 when empty.
double quantile(std::vector<double>& values, double q);

double secondsSince(std::chrono::steady_clock::time_point t0);

/// CPU time this process has used (user + system, all threads) in seconds.
double processCpuSeconds();

/// One-minute load average (the benches print it: figures taken on a loaded machine are not the target's).
double loadAverage1m();

/// Ends a capacity bench: adds what every one reports (the hub's [limits] section, the load average and
/// whether the run completed) to `figures` and prints it when `json`, else calls `text` and prints the hub's
/// config. Returns the exit code: 0 when complete.
int report(nlohmann::json figures, const std::string& hubLimits, bool complete, bool json,
           const std::function<void()>& text);

}  // namespace touchpoint::bench
