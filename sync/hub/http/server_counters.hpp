#pragma once
// What the HTTP layer refused or cut off, by reason, for /metrics. Lock-free: counted on the event loop.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace touchpoint::hub::http {

enum class Refusal : std::size_t {
    HeaderTooLarge,        ///< 431
    BodyTooLarge,          ///< 413 (Content-Length or chunked)
    InflatedTooLarge,      ///< 413 while gunzipping
    BadGzip,               ///< 400
    BadRequest,            ///< 400 malformed framing, target or query
    RequestTimeout,        ///< 408: the request did not arrive in time
    IdleTimeout,           ///< an idle keep-alive connection was closed
    HandshakeFailed,       ///< TLS handshake failed or timed out
    TooManyConnections,    ///< refused at accept: the process's connection limit
    AddressConnections,    ///< refused at accept: one address's connection limit
    RateLimitedAddress,    ///< 429
    RateLimitedToken,      ///< 429
    Unauthenticated,       ///< 401/403 on the headers, body never read
    QueueFull,             ///< 503: no worker free and the queue full
    NotFound,              ///< 404
    Forbidden,             ///< 403 by a route's own rule (a role, a token's kind) after the token was read
    RateLimitedRoute,      ///< 429 by a route's own limit (the welcome's, staff lookups')
    Count
};

/// A Prometheus label value: backslash, quote and newline escaped.
std::string prometheusLabelValue(std::string_view text);

class ServerCounters {
public:
    void count(Refusal r) { m_counts[static_cast<std::size_t>(r)].fetch_add(1, std::memory_order_relaxed); }
    std::int64_t get(Refusal r) const { return m_counts[static_cast<std::size_t>(r)].load(std::memory_order_relaxed); }
    void connectionOpened() { m_open.fetch_add(1, std::memory_order_relaxed); }
    void connectionClosed() { m_open.fetch_sub(1, std::memory_order_relaxed); }
    std::int64_t openConnections() const { return m_open.load(std::memory_order_relaxed); }

    /// Prometheus text: touchpoint_hub_http_refusals_total{reason=...} and touchpoint_hub_http_connections.
    std::string render() const;
    static std::string_view name(Refusal r);

private:
    std::array<std::atomic<std::int64_t>, static_cast<std::size_t>(Refusal::Count)> m_counts{};
    std::atomic<std::int64_t> m_open{0};
};

}  // namespace touchpoint::hub::http
