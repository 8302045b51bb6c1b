#include "uploader/https_client.hpp"

#include <curl/curl.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <mutex>
#include <stdexcept>

#include "common/text.hpp"

namespace touchpoint::uploader {

namespace {

std::mutex g_globalMutex;
int g_globalCount = 0;

struct EasyDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

/// Per-transfer state the curl callbacks write into.
struct Transfer {
    HttpResponse response;
    std::size_t maxBytes = 0;
    bool tooLarge = false;
    const std::function<bool()>* shouldAbort = nullptr;
};

size_t onBody(char* data, size_t size, size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    if (t->response.body.size() + n > t->maxBytes) {
        t->tooLarge = true;
        return 0;  // makes curl fail with CURLE_WRITE_ERROR
    }
    t->response.body.append(data, n);
    return n;
}

int onProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(user);
    return (t->shouldAbort != nullptr && *t->shouldAbort && (*t->shouldAbort)()) ? 1 : 0;
}

/// A handshake that ended because the peer went away (RST, or EOF before the server's reply) rather than
/// because TLS itself failed. curl reports both as CURLE_SSL_CONNECT_ERROR; only the socket error and
/// OpenSSL's wording ("SSL_ERROR_SYSCALL", "unexpected eof") tell them apart. A certificate the kiosk does
/// not trust is CURLE_PEER_FAILED_VERIFICATION, never this.
bool peerWentAway(long osErrno, std::string_view why) {
    if (osErrno == ECONNRESET || osErrno == EPIPE || osErrno == ECONNABORTED) return true;
    for (std::string_view sign : {"reset by peer", "SSL_ERROR_SYSCALL", "unexpected eof", "Broken pipe"}) {
        if (why.find(sign) != std::string_view::npos) return true;
    }
    return false;
}

TransportError classify(CURLcode code, long verifyResult, long osErrno, const char* detail, bool tooLarge,
                        std::string_view url) {
    TransportError e;
    e.curlCode = static_cast<int>(code);
    e.tlsVerifyResult = verifyResult;
    const std::string why = (detail != nullptr && detail[0] != '\0') ? detail : curl_easy_strerror(code);
    switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        e.kind = TransportErrc::ConnectFailed;
        e.message = "cannot reach the hub at " + std::string(url) + " (" + why + ")";
        break;
    case CURLE_OPERATION_TIMEDOUT:
        e.kind = TransportErrc::Timeout;
        e.message = "the hub did not answer in time (" + why + ")";
        break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        e.kind = TransportErrc::ConnectionLost;
        e.message = "the connection to the hub dropped (" + why + ")";
        break;
    case CURLE_PEER_FAILED_VERIFICATION:
        if (verifyResult == X509_V_ERR_CERT_NOT_YET_VALID) {
            e.kind = TransportErrc::TlsNotYetValid;
            e.message = "the hub's certificate is not valid yet: this device's clock is probably wrong (" + why + ")";
        } else if (verifyResult == X509_V_ERR_CERT_HAS_EXPIRED) {
            e.kind = TransportErrc::TlsExpired;
            e.message = "the hub's certificate has expired, or this device's clock is far ahead (" + why + ")";
        } else {
            e.kind = TransportErrc::TlsUntrusted;
            e.message = "the hub's certificate is not trusted: wrong hub address or CA file (" + why + ")";
        }
        break;
    case CURLE_SSL_CONNECT_ERROR:
        if (peerWentAway(osErrno, why)) {
            e.kind = TransportErrc::ConnectionReset;
            e.message = "the hub closed or reset the connection before it was set up: the hub is down or "
                        "restarting, or the network cut the connection (" + why + ")";
            break;
        }
        [[fallthrough]];
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CLIENTCERT:
        e.kind = TransportErrc::TlsFailed;
        e.message = "secure connection to the hub failed (" + why + ")";
        break;
    case CURLE_ABORTED_BY_CALLBACK:
        e.kind = TransportErrc::Aborted;
        e.message = "transfer stopped";
        break;
    case CURLE_WRITE_ERROR:
        if (tooLarge) {
            e.kind = TransportErrc::Other;
            e.message = "the hub's answer was too large";
            break;
        }
        [[fallthrough]];
    default:
        e.kind = TransportErrc::Other;
        e.message = "request to the hub failed (" + why + ")";
        break;
    }
    return e;
}

}  // namespace

CurlGlobal::CurlGlobal() {
    std::lock_guard lock(g_globalMutex);
    if (g_globalCount++ == 0) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            --g_globalCount;
            throw std::runtime_error("curl_global_init failed");
        }
    }
}

CurlGlobal::~CurlGlobal() {
    std::lock_guard lock(g_globalMutex);
    if (--g_globalCount == 0) curl_global_cleanup();
}

std::string_view toString(TransportErrc kind) {
    switch (kind) {
    case TransportErrc::ConnectFailed: return "connect_failed";
    case TransportErrc::Timeout: return "timeout";
    case TransportErrc::ConnectionLost: return "connection_lost";
    case TransportErrc::ConnectionReset: return "connection_reset";
    case TransportErrc::TlsUntrusted: return "tls_untrusted";
    case TransportErrc::TlsNotYetValid: return "tls_not_yet_valid";
    case TransportErrc::TlsExpired: return "tls_expired";
    case TransportErrc::TlsFailed: return "tls_failed";
    case TransportErrc::Aborted: return "aborted";
    case TransportErrc::Other: return "other";
    }
    return "other";
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    const std::string key = asciiLower(name);
    for (const auto& [k, v] : headers) {
        if (k == key) return v;
    }
    return std::nullopt;
}

struct HttpsClient::Impl {
    EasyHandle easy;
    char errorBuffer[CURL_ERROR_SIZE] = {};
    std::function<bool()> shouldAbort;
};

HttpsClient::HttpsClient(HttpsClientOptions options) : m_options(std::move(options)), m_impl(std::make_unique<Impl>()) {
    if (asciiLower(m_options.baseUrl).rfind("https://", 0) != 0) {
        throw std::invalid_argument("hub URL must start with https://");
    }
    while (!m_options.baseUrl.empty() && m_options.baseUrl.back() == '/') m_options.baseUrl.pop_back();

    m_impl->easy.reset(curl_easy_init());
    if (!m_impl->easy) throw std::runtime_error("curl_easy_init failed");
    CURL* h = m_impl->easy.get();

    // Options that hold for every request; per-request ones are set in perform(). The handle is never
    // reset, so its connection cache (keep-alive to the hub) survives between requests.
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, m_impl->errorBuffer);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM for DNS timeouts: we run in a worker thread
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect (captive portal) is an answer, not a hop
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));
    if (!m_options.caFile.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, m_options.caFile.c_str());
    if (!m_options.clientCertFile.empty()) {
        curl_easy_setopt(h, CURLOPT_SSLCERT, m_options.clientCertFile.c_str());
        curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (!m_options.clientKeyFile.empty()) {
        curl_easy_setopt(h, CURLOPT_SSLKEY, m_options.clientKeyFile.c_str());
        curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (m_options.proxy == "none") {
        curl_easy_setopt(h, CURLOPT_PROXY, "");  // "" disables proxies, including https_proxy from the environment
    } else if (!m_options.proxy.empty()) {
        curl_easy_setopt(h, CURLOPT_PROXY, m_options.proxy.c_str());
    }  // else: libcurl reads https_proxy / no_proxy from the environment
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_options.connectTimeout.count()));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, m_options.lowSpeedBytesPerS);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(m_options.lowSpeedTime.count()));
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    // gzip only: offering br makes a cpp-httplib hub brotli-compress every receipt, which costs it more CPU
    // than the whole rest of a batch.
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(h, CURLOPT_USERAGENT, m_options.userAgent.c_str());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &onBody);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &onProgress);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
}

HttpsClient::~HttpsClient() = default;

void HttpsClient::setAbortFlag(const std::atomic<bool>* flag) {
    if (flag == nullptr) {
        m_impl->shouldAbort = nullptr;
        return;
    }
    m_impl->shouldAbort = [flag] { return flag->load(std::memory_order_relaxed); };
}

std::string urlEscape(std::string_view value) {
    // Since curl 7.82 the handle argument is ignored, so no handle is needed to escape.
    char* out = curl_easy_escape(nullptr, value.data(), static_cast<int>(value.size()));
    if (out == nullptr) return {};
    std::string s(out);
    curl_free(out);
    return s;
}

std::string HttpsClient::escape(std::string_view value) const { return urlEscape(value); }

HttpResult HttpsClient::get(std::string_view path, std::string_view bearerToken,
                            std::optional<std::chrono::milliseconds> timeout) {
    return perform(path, nullptr, {}, bearerToken, timeout);
}

HttpResult HttpsClient::get(std::string_view path, const std::vector<std::string>& headers,
                            std::string_view bearerToken, std::chrono::milliseconds timeout,
                            std::size_t maxResponseBytes) {
    return perform(path, nullptr, headers, bearerToken, timeout, maxResponseBytes);
}

HttpResult HttpsClient::post(std::string_view path, std::string_view body, const std::vector<std::string>& headers,
                             std::string_view bearerToken, std::optional<std::chrono::milliseconds> timeout) {
    return perform(path, &body, headers, bearerToken, timeout);
}

HttpResult HttpsClient::perform(std::string_view path, const std::string_view* body,
                                const std::vector<std::string>& headers, std::string_view bearerToken,
                                std::optional<std::chrono::milliseconds> timeout,
                                std::optional<std::size_t> maxResponseBytes) {
    CURL* h = m_impl->easy.get();
    const std::string url = m_options.baseUrl + std::string(path);

    Slist list;
    auto append = [&list](const std::string& line) {
        curl_slist* next = curl_slist_append(list.get(), line.c_str());
        if (next == nullptr) throw std::bad_alloc();
        (void)list.release();
        list.reset(next);
    };
    append("Expect:");  // no 100-continue round trip for every batch
    if (!bearerToken.empty()) append("Authorization: Bearer " + std::string(bearerToken));
    for (const auto& line : headers) append(line);

    Transfer transfer;
    transfer.maxBytes = std::min(m_options.maxResponseBytes, maxResponseBytes.value_or(m_options.maxResponseBytes));
    transfer.shouldAbort = &m_impl->shouldAbort;
    m_impl->errorBuffer[0] = '\0';

    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, list.get());
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.value_or(m_options.totalTimeout).count()));
    if (body != nullptr) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }

    const CURLcode code = curl_easy_perform(h);
    // Never leave pointers to this frame's objects in the handle.
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, nullptr);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, nullptr);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, nullptr);

    if (code != CURLE_OK) {
        long verify = 0;
        if (code == CURLE_PEER_FAILED_VERIFICATION) curl_easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT, &verify);
        long osErrno = 0;
        curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &osErrno);
        return Fail(classify(code, verify, osErrno, m_impl->errorBuffer, transfer.tooLarge, m_options.baseUrl));
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &transfer.response.status);
    // The final response's own headers, as libcurl parsed them (no 1xx, no proxy CONNECT, trimmed values).
    for (curl_header* prev = nullptr; curl_header* header = curl_easy_nextheader(h, CURLH_HEADER, -1, prev);
         prev = header) {
        transfer.response.headers.emplace_back(asciiLower(header->name), header->value);
    }
    curl_off_t uploaded = 0;
    curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &uploaded);
    transfer.response.bytesUploaded = static_cast<std::int64_t>(uploaded);
    return std::move(transfer.response);
}

}  // namespace touchpoint::uploader
