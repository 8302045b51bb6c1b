#pragma once
// HAProxy (Debian's /usr/sbin/haproxy) in front of a HubFleet on loopback, as production runs it: it ends the
// clients' TLS with the hubs' certificate and opens a new verified TLS connection to a hub (re-encryption,
// HTTP mode). HTTP mode rather than TCP pass-through because then the balancer sees requests: it adds
// X-Forwarded-For (the hubs' per-address limits see each client, not the balancer), keeps a client's
// connection when the hub behind it dies, and can retry a request that never reached a hub on another one.
// Health checks are GET /healthz every 500 ms, so a killed hub leaves the rotation within about a second and
// a hub whose store fails (503) too. The config is generated in a temporary folder; HAProxy runs in the
// foreground (-db) as our child and is SIGKILLed on teardown.

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace touchpoint::hub {

inline constexpr const char* kHaproxyExe = "/usr/sbin/haproxy";

class Haproxy {
public:
    struct Options {
        std::vector<int> hubPorts;        ///< the hubs on 127.0.0.1
        std::filesystem::path certFile;   ///< PEM certificate presented to clients (the hubs' own)
        std::filesystem::path keyFile;    ///< its private key
        std::filesystem::path hubCaFile;  ///< what the hubs' certificates are verified with
    };
    /// Writes haproxy.cfg, checks it (haproxy -c), starts HAProxy and waits until it accepts connections.
    static Result<std::unique_ptr<Haproxy>, std::string> start(const Options& options);
    ~Haproxy();
    Haproxy(const Haproxy&) = delete;
    Haproxy& operator=(const Haproxy&) = delete;

    int port() const { return m_port; }
    std::string url() const { return "https://127.0.0.1:" + std::to_string(m_port); }
    /// The generated configuration (a test prints it when something fails).
    std::string config() const;
    /// HAProxy's own output (server state changes, alerts).
    std::string log() const;
    bool running();

    /// The configuration text for `hubPorts` (also what packaging/haproxy/haproxy.cfg shows).
    static std::string configText(const Options& options, int port, const std::filesystem::path& pemFile);

private:
    Haproxy() = default;
    std::filesystem::path m_dir;
    pid_t m_pid = -1;
    int m_port = 0;
};

}  // namespace touchpoint::hub
