#include "raw_tls_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <csignal>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <fstream>

namespace touchpoint::hub::testing {

namespace {

std::string lowerText(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

std::string RawResponse::header(const std::string& name) const {
    const std::string want = lowerText(name) + ":";
    std::size_t pos = 0;
    while ((pos = head.find("\r\n", pos)) != std::string::npos) {
        pos += 2;
        const auto end = head.find("\r\n", pos);
        const std::string line = head.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
        if (lowerText(line.substr(0, want.size())) == want) {
            std::string v = line.substr(want.size());
            while (!v.empty() && v.front() == ' ') v.erase(0, 1);
            return v;
        }
    }
    return {};
}

RawTlsClient::~RawTlsClient() { close(); }

void RawTlsClient::close() {
    if (m_ssl) SSL_free(m_ssl);
    if (m_ctx) SSL_CTX_free(m_ctx);
    if (m_fd >= 0) ::close(m_fd);
    m_ssl = nullptr;
    m_ctx = nullptr;
    m_fd = -1;
    m_pending.clear();
}

bool RawTlsClient::connectTcp(int port) {
    // OpenSSL writes with plain send(): a peer that already closed must fail the write, not kill the test.
    static const bool ignored = [] { return ::signal(SIGPIPE, SIG_IGN) != SIG_ERR; }();
    (void)ignored;
    close();
    m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (m_fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close();
        return false;
    }
    int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return true;
}

bool RawTlsClient::connect(int port, int maxVersion, const std::string& ciphers) {
    if (!connectTcp(port)) return false;
    m_ctx = SSL_CTX_new(TLS_client_method());
    if (maxVersion) {
        SSL_CTX_set_min_proto_version(m_ctx, 0);
        SSL_CTX_set_max_proto_version(m_ctx, maxVersion);
        SSL_CTX_set_security_level(m_ctx, 0);
    }
    if (!ciphers.empty()) SSL_CTX_set_cipher_list(m_ctx, ciphers.c_str());
    m_ssl = SSL_new(m_ctx);
    SSL_set_fd(m_ssl, m_fd);
    static char host[] = "localhost";
    SSL_ctrl(m_ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, host);
    timeval tv{5, 0};
    ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (SSL_connect(m_ssl) != 1) {
        close();
        return false;
    }
    return true;
}

bool RawTlsClient::send(const std::string& data) {
    if (!m_ssl) return false;
    std::size_t done = 0;
    while (done < data.size()) {
        const int n = SSL_write(m_ssl, data.data() + done, static_cast<int>(std::min<std::size_t>(data.size() - done, 1 << 20)));
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool RawTlsClient::readable(std::chrono::milliseconds wait) {
    if (!m_ssl) return true;
    if (!m_pending.empty() || SSL_pending(m_ssl) > 0) return true;
    pollfd p{m_fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return false;
    // Readable bytes may be TLS 1.3 session tickets only: peek without blocking to see application data.
    const int flags = ::fcntl(m_fd, F_GETFL);
    ::fcntl(m_fd, F_SETFL, flags | O_NONBLOCK);
    char c;
    const int n = SSL_peek(m_ssl, &c, 1);
    const int err = n > 0 ? SSL_ERROR_NONE : SSL_get_error(m_ssl, n);
    ::fcntl(m_fd, F_SETFL, flags);
    return n > 0 || (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE);
}

int RawTlsClient::readSome(char* buf, int n, std::chrono::milliseconds timeout) {
    if (!m_ssl) return -1;
    if (SSL_pending(m_ssl) == 0) {
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return -1;
    }
    const int got = SSL_read(m_ssl, buf, n);
    return got > 0 ? got : 0;
}

std::optional<RawResponse> RawTlsClient::read(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto left = [&] {
        return std::max(std::chrono::milliseconds(0), std::chrono::duration_cast<std::chrono::milliseconds>(
                                                          deadline - std::chrono::steady_clock::now()));
    };
    std::string data = std::move(m_pending);
    m_pending.clear();
    char buf[16384];
    bool closed = false;
    auto more = [&] {
        if (closed) return false;
        const int n = readSome(buf, sizeof buf, left());
        if (n <= 0) {
            closed = true;
            return false;
        }
        data.append(buf, static_cast<std::size_t>(n));
        return true;
    };
    std::size_t headEnd;
    while ((headEnd = data.find("\r\n\r\n")) == std::string::npos) {
        if (!more()) return std::nullopt;
    }
    RawResponse r;
    r.head = data.substr(0, headEnd);
    if (r.head.size() < 12) return std::nullopt;
    r.status = std::atoi(r.head.substr(9, 3).c_str());
    std::string rest = data.substr(headEnd + 4);
    if (r.status == 100) {
        m_pending = rest;
        return r;
    }
    const std::string length = r.header("Content-Length");
    if (!length.empty()) {
        const auto n = static_cast<std::size_t>(std::stoull(length));
        data = rest;
        while (data.size() < n && more()) {}
        r.body = data.substr(0, n);
        if (data.size() > n) m_pending = data.substr(n);
        return r;
    }
    if (lowerText(r.header("Transfer-Encoding")).find("chunked") != std::string::npos) {
        data = rest;
        std::size_t pos = 0;
        for (;;) {
            std::size_t eol;
            while ((eol = data.find("\r\n", pos)) == std::string::npos) {
                if (!more()) return r;
            }
            const std::size_t size = std::stoul(data.substr(pos, eol - pos), nullptr, 16);
            while (data.size() < eol + 2 + size + 2) {
                if (!more()) return r;
            }
            r.body += data.substr(eol + 2, size);
            pos = eol + 2 + size + 2;
            if (size == 0) return r;
        }
    }
    data = rest;
    while (more()) {}
    r.body = data;
    return r;
}

bool RawTlsClient::closedByPeer(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buf[4096];
    while (std::chrono::steady_clock::now() < deadline) {
        if (m_fd < 0) return true;
        pollfd p{m_fd, POLLIN, 0};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (::poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 0))) <= 0) continue;
        const int n = m_ssl ? SSL_read(m_ssl, buf, sizeof buf) : static_cast<int>(::recv(m_fd, buf, sizeof buf, 0));
        if (n <= 0) return true;
    }
    return false;
}

std::vector<std::unique_ptr<RawTlsClient>> connectMany(int port, int n, bool tls) {
    std::vector<std::unique_ptr<RawTlsClient>> out;
    for (int i = 0; i < n; ++i) {
        auto c = std::make_unique<RawTlsClient>();
        if (!(tls ? c->connect(port) : c->connectTcp(port))) break;
        out.push_back(std::move(c));
    }
    return out;
}

std::string gzipOfZeros(std::size_t zeros) {
    z_stream z{};
    deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
    std::vector<unsigned char> in(1 << 20, 0), out(1 << 16);
    std::string gz;
    for (std::size_t left = zeros; left > 0 || z.avail_in > 0;) {
        const std::size_t n = std::min(left, in.size());
        left -= n;
        z.next_in = in.data();
        z.avail_in = static_cast<uInt>(n);
        const int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
        do {
            z.next_out = out.data();
            z.avail_out = static_cast<uInt>(out.size());
            deflate(&z, flush);
            gz.append(reinterpret_cast<char*>(out.data()), out.size() - z.avail_out);
        } while (z.avail_out == 0);
        if (flush == Z_FINISH) break;
    }
    deflateEnd(&z);
    return gz;
}

long residentKiB(int pid) {
    std::ifstream in(pid ? "/proc/" + std::to_string(pid) + "/status" : std::string("/proc/self/status"));
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    }
    return -1;
}

}  // namespace touchpoint::hub::testing
