#pragma once
// A deliberately crude HTTPS client for attack tests: it sends exactly the bytes it is told to (partial
// headers, oversized chunked bodies, nothing at all) and reads whatever comes back with a timeout. OpenSSL on
// a plain socket, no certificate check (the peer is our own server on loopback).

#include <openssl/ssl.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace touchpoint::hub::testing {

struct RawResponse {
    int status = 0;
    std::string head;  ///< status line and headers
    std::string body;
    std::string header(const std::string& name) const;  ///< case-insensitive, "" when absent
};

class RawTlsClient {
public:
    RawTlsClient() = default;
    ~RawTlsClient();
    RawTlsClient(const RawTlsClient&) = delete;
    RawTlsClient& operator=(const RawTlsClient&) = delete;

    /// TCP connect only (no handshake).
    bool connectTcp(int port);
    /// TCP connect and TLS handshake; `maxVersion`/`ciphers` restrict the offer (0 / "" for defaults).
    bool connect(int port, int maxVersion = 0, const std::string& ciphers = "");
    /// Writes all of `data`; false when the connection is gone.
    bool send(const std::string& data);
    /// True when something (data or a close) is waiting to be read.
    bool readable(std::chrono::milliseconds wait);
    /// Reads one response (Content-Length, chunked, or until close) within `timeout`.
    std::optional<RawResponse> read(std::chrono::milliseconds timeout = std::chrono::seconds(5));
    /// True when the peer closed the connection (or reset it) within `timeout`.
    bool closedByPeer(std::chrono::milliseconds timeout);
    void close();
    bool open() const { return m_fd >= 0; }

private:
    int readSome(char* buf, int n, std::chrono::milliseconds timeout);

    int m_fd = -1;
    SSL_CTX* m_ctx = nullptr;
    SSL* m_ssl = nullptr;
    std::string m_pending;
};

/// Opens `n` connections (TLS handshake done, or bare TCP when !tls); stops at the first that fails, so the
/// caller checks the size.
std::vector<std::unique_ptr<RawTlsClient>> connectMany(int port, int n, bool tls = true);

/// A gzip stream of `zeros` zero bytes (a gzip bomb), made in pieces so the caller never holds the inflated size.
std::string gzipOfZeros(std::size_t zeros);

/// This process's resident memory in KiB (VmRSS in /proc/<pid>/status); pid 0 means this process.
long residentKiB(int pid = 0);

}  // namespace touchpoint::hub::testing
