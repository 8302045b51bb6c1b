#pragma once
// The one place libcurl is configured for talking to the hub: peer and host always verified, TLS 1.2+,
// configurable CA bundle, optional client certificate, connect/total/low-speed timeouts, NOSIGNAL, proxy from
// config or the environment, one reused easy handle (keep-alive) and an abort hook so stop() can cut a
// transfer short. The uploader, the kiosk's welcome request and the staff lookup all use it.
//
// Thread-safety: one HttpsClient per thread (it owns one CURL easy handle). Create a CurlGlobal in main()
// before any thread starts.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace touchpoint::uploader {

/// curl_global_init / curl_global_cleanup for the process. Create one in main() before any thread starts;
/// nested guards are counted, so tests and libraries may create their own too.
class CurlGlobal {
public:
    CurlGlobal();
    ~CurlGlobal();
    CurlGlobal(const CurlGlobal&) = delete;
    CurlGlobal& operator=(const CurlGlobal&) = delete;
};

struct HttpsClientOptions {
    std::string baseUrl;                   ///< "https://hub.example:8443" (a trailing slash is ignored)
    std::filesystem::path caFile;          ///< empty: the system bundle
    std::filesystem::path clientCertFile;  ///< optional client certificate (PEM)
    std::filesystem::path clientKeyFile;
    std::string proxy;                     ///< empty: from the environment (https_proxy); "none": no proxy
    std::chrono::milliseconds connectTimeout{10'000};
    std::chrono::milliseconds totalTimeout{60'000};  ///< default per request; get()/post() may override
    /// A transfer slower than lowSpeedBytesPerS for lowSpeedTime is aborted as a timeout (a stalled Wi-Fi
    /// link or a server that accepted the request and never answers).
    long lowSpeedBytesPerS = 1;
    std::chrono::seconds lowSpeedTime{30};
    std::size_t maxResponseBytes = 8 * 1024 * 1024;  ///< a larger answer is cut off (kind Other)
    std::string userAgent = "touchpoint-kiosk";
};

struct HttpResponse {
    long status = 0;
    /// Response headers of the final response, names lower-cased, in arrival order.
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::int64_t bytesUploaded = 0;  ///< request body bytes on the wire

    /// First header with this name (case-insensitive), e.g. "date", "retry-after", "content-type".
    std::optional<std::string> header(std::string_view name) const;
};

enum class TransportErrc {
    ConnectFailed,   ///< no route, refused, DNS failure: the hub (or the network) is down
    Timeout,         ///< connect, total or low-speed timeout
    ConnectionLost,  ///< the connection dropped mid-request or mid-response, or the server sent nothing
    ConnectionReset, ///< the hub accepted the connection, then reset or closed it before the TLS handshake ended
                     ///< (hub crashed or restarting, a proxy cut it): unreachable, not a trust problem
    TlsUntrusted,    ///< the hub's certificate is not trusted by our CA bundle, or names another host
    TlsNotYetValid,  ///< the certificate's validity starts in the future: this device's clock is probably wrong
    TlsExpired,      ///< the certificate has expired (or this device's clock is far ahead)
    TlsFailed,       ///< any other TLS handshake failure (protocol version, client certificate refused, ...)
    Aborted,         ///< the abort hook asked to stop
    Other,           ///< anything else (bad URL, response too large, out of memory, ...)
};
std::string_view toString(TransportErrc kind);

struct TransportError {
    TransportErrc kind = TransportErrc::Other;
    std::string message;     ///< plain words a store manager can act on, plus curl's detail
    int curlCode = 0;        ///< CURLcode
    long tlsVerifyResult = 0;  ///< OpenSSL X509_V_ERR_* for certificate failures, else 0
};

using HttpResult = Result<HttpResponse, TransportError>;

/// Percent-encodes a query value, everything but RFC 3986 unreserved characters ("+1 555" -> "%2B1%20555").
std::string urlEscape(std::string_view value);

class HttpsClient {
public:
    /// Throws std::invalid_argument if baseUrl does not start with https:// and std::runtime_error if the
    /// easy handle cannot be created.
    explicit HttpsClient(HttpsClientOptions options);
    ~HttpsClient();
    HttpsClient(const HttpsClient&) = delete;
    HttpsClient& operator=(const HttpsClient&) = delete;

    /// GET baseUrl + path (path includes any query; escape values with escape()).
    HttpResult get(std::string_view path, std::string_view bearerToken,
                   std::optional<std::chrono::milliseconds> timeout = std::nullopt);
    /// GET with extra header lines ("If-None-Match: \"cfg-3\"") and an answer cap below the client's own
    /// maxResponseBytes (a larger answer fails with kind Other).
    HttpResult get(std::string_view path, const std::vector<std::string>& headers, std::string_view bearerToken,
                   std::chrono::milliseconds timeout, std::size_t maxResponseBytes);
    /// POST baseUrl + path with the body as is. `headers` are full lines ("Content-Encoding: gzip").
    HttpResult post(std::string_view path, std::string_view body, const std::vector<std::string>& headers,
                     std::string_view bearerToken, std::optional<std::chrono::milliseconds> timeout = std::nullopt);

    /// Checked about once a second and on every chunk during a transfer: when the flag becomes true the transfer
    /// aborts with TransportErrc::Aborted. Set before the transfer starts; the flag must outlive the client.
    void setAbortFlag(const std::atomic<bool>* flag);

    /// URL-escapes a query value ("+1 555" -> "%2B1%20555").
    std::string escape(std::string_view value) const;

    const HttpsClientOptions& options() const { return m_options; }

private:
    struct Impl;
    HttpResult perform(std::string_view path, const std::string_view* body, const std::vector<std::string>& headers,
                       std::string_view bearerToken, std::optional<std::chrono::milliseconds> timeout,
                       std::optional<std::size_t> maxResponseBytes = std::nullopt);

    HttpsClientOptions m_options;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace touchpoint::uploader
