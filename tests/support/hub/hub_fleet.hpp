#pragma once
// Several real touchpoint-hub processes on one PostgreSQL database, as production runs them behind a load
// balancer. `touchpoint-hub init` runs once (certificate, sealing key); every process then reads a copy of
// its hub.toml with the store URL pointed at PostgreSQL and a fixed loopback port of its own, so a process
// that was killed comes back where the balancer expects it. Tokens live in the store: every process accepts
// every token. Each process logs to its own file; all are SIGKILLed on teardown.

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace touchpoint::hub {

/// A loopback TCP port that was free a moment ago (bound to port 0, then closed); 0 when none could be had.
int freeLoopbackPort();

class HubFleet {
public:
    struct Options {
        std::filesystem::path hubExe;  ///< the touchpoint-hub executable
        std::string storeUrl;          ///< postgresql://... (several hosts for a failover cluster)
        int hubs = 2;
        /// Appended to every process's hub.toml (a [limits] section, ...).
        std::string extraToml;
        /// When set, the certificate and sealing key are copied from this fleet instead of made anew: a
        /// control run into another database then reads the same sealed fields and presents the same
        /// certificate.
        const class HubFleet* keysFrom = nullptr;
    };

    /// Starts the first process (which migrates the database), then the others; each is listening on return.
    static Result<std::unique_ptr<HubFleet>, std::string> start(Options options);
    ~HubFleet();
    HubFleet(const HubFleet&) = delete;
    HubFleet& operator=(const HubFleet&) = delete;

    int size() const { return static_cast<int>(m_hubs.size()); }
    int port(int i) const { return m_hubs.at(static_cast<std::size_t>(i)).port; }
    std::string url(int i) const { return "https://127.0.0.1:" + std::to_string(port(i)); }
    /// The hubs' self-signed certificate, which is also the CA clients verify them with.
    std::filesystem::path certFile() const { return m_dir / "hub" / "hub-cert.pem"; }
    std::filesystem::path keyFile() const { return m_dir / "hub" / "hub-key.pem"; }
    const std::filesystem::path& dir() const { return m_dir; }
    const std::string& sealingPublicKeyB64() const { return m_publicKey; }
    /// A new kiosk token bound to this store and kiosk (`touchpoint-hub token add --kind kiosk`).
    Result<std::string, std::string> kioskToken(const std::string& storeId, const std::string& kioskId) const;

    /// True while process i runs; false once it exited (reaped here).
    bool running(int i);
    /// SIGKILL, as a crash or an OOM kill would end it, and reap it.
    void kill(int i);
    /// Starts process i again on its port; returns once it listens (or fails with its log's tail).
    Result<void, std::string> restart(int i);
    /// Process i's log so far.
    std::string log(int i) const;
    /// How many times each process was started (1 + restarts), summed.
    int starts() const { return m_starts; }

private:
    struct Hub {
        int port = 0;
        pid_t pid = -1;
        std::filesystem::path config, logFile;
        int generation = 0;
    };
    HubFleet() = default;
    Result<void, std::string> launch(std::size_t i);

    std::filesystem::path m_dir, m_exe;
    std::string m_publicKey;
    std::vector<Hub> m_hubs;
    int m_starts = 0;
};

}  // namespace touchpoint::hub
