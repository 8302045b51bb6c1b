#pragma once
// What one hub process lets a client cost it. Every limit is enforced while bytes arrive, answers with its
// own status and a JSON reason, and is counted in /metrics (docs/OPERATIONS.md, "Limits").

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace touchpoint::hub {

/// A token bucket: `perSecond` refill, `burst` capacity. perSecond = 0 turns the limit off.
struct RateLimit {
    double perSecond = 0;
    double burst = 0;
};

struct ServerLimits {
    /// Request line plus headers; more answers 431.
    std::size_t maxHeaderBytes = 16 * 1024;
    /// Body of a route that declares no limit of its own; more answers 413 (Content-Length and chunked alike).
    std::size_t defaultBodyBytes = 64 * 1024;
    /// Handshake, then the whole request (headers and body) must arrive within this; else 408 and close.
    std::chrono::milliseconds handshakeTimeout{10'000};
    std::chrono::milliseconds requestTimeout{15'000};
    /// A keep-alive connection with no request in flight is closed after this.
    std::chrono::milliseconds idleTimeout{60'000};
    /// Writing one response (or one chunk of a streamed export) must finish within this.
    std::chrono::milliseconds writeTimeout{30'000};
    /// Open connections in all, and from one client address (a store's kiosks may share one NAT address).
    std::size_t maxConnections = 20'000;
    std::size_t maxConnectionsPerAddress = 64;
    /// Requests waiting for a worker; more answers 503 with Retry-After.
    std::size_t maxQueuedRequests = 1024;
    /// Per client address (before authentication) and per token (after it); 429 with Retry-After.
    RateLimit perAddress{300, 600};
    RateLimit perToken{1000, 2000};
    /// Peers whose X-Forwarded-For is believed (a load balancer's own addresses). Empty: nobody's is.
    std::vector<std::string> trustedProxies;
    /// On SIGTERM, in-flight requests get this long to finish before the process exits regardless.
    std::chrono::milliseconds shutdownGrace{1'500};
    /// Event-loop threads; one keeps up with the 2-core target machine since all request work is pooled.
    int ioThreads = 1;
};

}  // namespace touchpoint::hub
