#pragma once
// The hub's HTTPS server on Boost.Beast/Asio. One event loop (ioThreads, 1 by default) owns every socket:
// an idle or slow connection costs a socket, its TLS state and a small buffer, never a thread. Request work
// (authentication, gunzip, the handler) runs on a bounded WorkerPool; results come back to the connection's
// strand. Limits (config/server_limits.hpp) are enforced while bytes arrive: the header size while the header
// is read, the body size from Content-Length before reading and per chunk while reading, the inflated size
// while gunzipping, deadlines for the handshake, the request and idle keep-alive, connections per address,
// and token scopes on the headers before any body byte is read.

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "hub/config/server_limits.hpp"
#include "hub/http/http_message.hpp"
#include "hub/http/router.hpp"
#include "hub/http/refusal_log.hpp"
#include "hub/http/server_counters.hpp"

namespace touchpoint::hub::http {

/// What an authenticator decides from a request's headers (its body is not read yet).
struct AuthOutcome {
    std::optional<Principal> principal;  ///< set: allowed
    int status = 401;                    ///< otherwise the answer: 401, 403, or 503 when it cannot tell
    std::string error;
    Headers headers;                     ///< e.g. WWW-Authenticate, Retry-After
    /// The token's name when the token was found and still refused (revoked, wrong scope, unbound): the
    /// source the refusal is logged and counted for.
    std::string subject;
};
/// Runs on a worker thread (it may read the store).
using Authenticator = std::function<AuthOutcome(const Request& headersOnly, std::string_view scope)>;

struct ServerOptions {
    std::string listenAddress = "127.0.0.1";
    int port = 0;              ///< 0: any free port
    std::string certFile;      ///< PEM certificate chain
    std::string keyFile;       ///< PEM private key
    std::size_t workerThreads = 8;
    int workerNice = 10;  ///< added to the workers' nice value (WorkerPool)
    ServerLimits limits;
};

class BeastServer {
public:
    /// `router` and `authenticator`'s captures must outlive the server. Routes may not be added after start().
    BeastServer(ServerOptions options, const Router& router, Authenticator authenticator);
    ~BeastServer();
    BeastServer(const BeastServer&) = delete;
    BeastServer& operator=(const BeastServer&) = delete;

    /// Loads the certificate, binds and starts the event loop and workers; returns the bound port.
    Result<int, std::string> start();
    /// Blocks until stop() has finished (the executable's main thread).
    void wait();
    /// Graceful stop: stops accepting, closes idle connections, lets in-flight requests finish (their
    /// connections close after the answer), and after limits.shutdownGrace cuts what is left. Idempotent;
    /// safe from any thread but a worker's.
    void stop();

    int port() const;
    ServerCounters& counters();
    const ServerCounters& counters() const;
    /// Refusals by source, and the refusal log's own counts (/metrics).
    const RefusalLog& refusals() const;
    /// Counts and logs a refusal a route's handler made (Refusal::Forbidden, RateLimitedRoute), as the
    /// server does its own. Safe from any thread.
    void refused(const RefusalNote& note);

    struct Impl;

private:
    std::shared_ptr<Impl> m_impl;
};

/// Loads the certificate and key the way start() will, so a configuration error shows before serving.
Result<void, std::string> checkServerTls(const std::string& certFile, const std::string& keyFile);

/// The client address for a peer: X-Forwarded-For's rightmost entry that is not a trusted proxy, but only
/// when the peer itself is one of `trustedProxies`; otherwise the peer.
std::string clientAddress(const std::string& peer, const std::string& forwardedFor,
                          const std::vector<std::string>& trustedProxies);

}  // namespace touchpoint::hub::http
