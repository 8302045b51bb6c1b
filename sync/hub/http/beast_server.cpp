#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>

#include <chrono>
#include <fstream>
#include <optional>
#include <openssl/ssl.h>

#include "common/log.hpp"
#include "common/text.hpp"
#include "hub/http/beast_detail.hpp"

namespace touchpoint::hub::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

bool contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

std::string clientAddress(const std::string& peer, const std::string& forwardedFor,
                          const std::vector<std::string>& trustedProxies) {
    if (forwardedFor.empty() || !contains(trustedProxies, peer)) return peer;
    // Walk from the right: each trusted proxy appended the address it saw; the first one that is not a
    // trusted proxy is the client. Anything left of it was written by the client and proves nothing.
    std::string_view rest = forwardedFor;
    std::string candidate = peer;
    while (!rest.empty()) {
        const auto comma = rest.rfind(',');
        const std::string entry(trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1)));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
        boost::system::error_code ec;
        const auto address = net::ip::make_address(entry, ec);
        if (ec) return candidate;  // garbage: stop at the last address a trusted proxy vouched for
        candidate = address.to_string();
        if (!contains(trustedProxies, candidate)) return candidate;
    }
    return candidate;
}

Result<void, std::string> configureServerTls(net::ssl::context& tls, const std::string& certFile,
                                             const std::string& keyFile) {
    boost::system::error_code ec;
    tls.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 | net::ssl::context::no_sslv3 |
                        net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 | net::ssl::context::single_dh_use,
                    ec);
    if (ec) return Fail("TLS options: " + ec.message());
    SSL_CTX* ctx = tls.native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    // TLS 1.2: forward secrecy and AEAD only. TLS 1.3 suites are all AEAD; OpenSSL's defaults stay.
    if (SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                                     "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                                     "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") != 1) {
        return Fail(std::string("TLS: cipher list refused"));
    }
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
    // An idle connection should not keep OpenSSL's 34 KB of record buffers.
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    tls.use_certificate_chain_file(certFile, ec);
    if (ec) return Fail("TLS: cannot load certificate " + certFile + ": " + ec.message());
    tls.use_private_key_file(keyFile, net::ssl::context::pem, ec);
    if (ec) return Fail("TLS: cannot load key " + keyFile + ": " + ec.message());
    if (SSL_CTX_check_private_key(ctx) != 1) return Fail("TLS: " + keyFile + " does not match " + certFile);
    return {};
}

Result<void, std::string> checkServerTls(const std::string& certFile, const std::string& keyFile) {
    net::ssl::context tls(net::ssl::context::tls_server);
    return configureServerTls(tls, certFile, keyFile);
}

BeastServer::Impl::Impl(ServerOptions o, const Router& r, Authenticator a)
    : options(std::move(o)),
      router(r),
      authenticate(std::move(a)),
      addressLimiter(options.limits.perAddress),
      tokenLimiter(options.limits.perToken),
      tls(net::ssl::context::tls_server),
      io(options.limits.ioThreads) {}

bool BeastServer::Impl::admit(Session* s, const std::shared_ptr<Session>& owner, const std::string& address, bool exempt) {
    std::optional<Refusal> why;
    {
        std::lock_guard lock(mutex);
        if (stopping.load()) return false;
        if (sessions.size() >= options.limits.maxConnections) {
            why = Refusal::TooManyConnections;
        } else if (!exempt && perAddress[address] >= options.limits.maxConnectionsPerAddress) {
            why = Refusal::AddressConnections;
        } else {
            if (!exempt) ++perAddress[address];
            sessions.emplace(s, owner);
            return true;
        }
    }
    refused({.why = *why, .status = 0, .source = {}, .address = address, .route = {}});
    return false;
}

void BeastServer::Impl::refused(const RefusalNote& note) {
    counters.count(note.why);
    const auto now = std::chrono::steady_clock::now().time_since_epoch();
    refusalLog.note(note, std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

void BeastServer::Impl::release(Session* s, const std::string& address, bool exempt) {
    std::lock_guard lock(mutex);
    sessions.erase(s);
    if (!exempt) {
        auto it = perAddress.find(address);
        if (it != perAddress.end() && --it->second == 0) perAddress.erase(it);
    }
    if (stopping.load() && sessions.empty()) stoppedCv.notify_all();
}

void BeastServer::Impl::accept() {
    acceptor->async_accept(net::make_strand(io), [self = this](boost::system::error_code ec, tcp::socket socket) {
        if (self->stopping.load() || !self->acceptor->is_open()) return;
        if (!ec) {
            startSession(self, std::move(socket));
        } else if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space) {
            // Out of file descriptors: pause instead of spinning; existing connections keep working.
            log::warn("http", "accept failed", {{"error", ec.message()}});
            auto timer = std::make_shared<net::steady_timer>(self->io, std::chrono::milliseconds(50));
            timer->async_wait([self, timer](boost::system::error_code) { self->accept(); });
            return;
        }
        self->accept();
    });
}

BeastServer::BeastServer(ServerOptions options, const Router& router, Authenticator authenticator)
    : m_impl(std::make_shared<Impl>(std::move(options), router, std::move(authenticator))) {}

BeastServer::~BeastServer() { stop(); }

Result<int, std::string> BeastServer::start() {
    auto& s = *m_impl;
    if (auto t = configureServerTls(s.tls, s.options.certFile, s.options.keyFile); !t) return Fail(t.error());
    boost::system::error_code ec;
    const auto address = net::ip::make_address(s.options.listenAddress, ec);
    if (ec) return Fail("listen address " + s.options.listenAddress + ": " + ec.message());
    const tcp::endpoint endpoint(address, static_cast<unsigned short>(s.options.port));
    s.acceptor.emplace(s.io);
    s.acceptor->open(endpoint.protocol(), ec);
    if (!ec) s.acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) s.acceptor->bind(endpoint, ec);
    if (!ec) s.acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        return Fail("cannot listen on " + s.options.listenAddress + ":" + std::to_string(s.options.port) + ": " +
                    ec.message());
    }
    s.port = s.acceptor->local_endpoint().port();
    s.pool = std::make_unique<WorkerPool>(s.options.workerThreads, s.options.limits.maxQueuedRequests,
                                          s.options.workerNice);
    s.work.emplace(s.io.get_executor());
    s.accept();
    const int threads = std::max(1, s.options.limits.ioThreads);
    for (int i = 0; i < threads; ++i) {
        s.ioThreads.emplace_back([impl = m_impl] {
            for (;;) {
                try {
                    impl->io.run();
                    return;
                } catch (const std::exception& e) {
                    // A handler must never throw; if one does, log it and keep serving the others.
                    log::error("http", "event loop handler failed", {{"what", e.what()}});
                }
            }
        });
    }
    return s.port;
}

void BeastServer::wait() {
    std::unique_lock lock(m_impl->mutex);
    m_impl->stoppedCv.wait(lock, [this] { return m_impl->stopped; });
}

void BeastServer::stop() {
    auto impl = m_impl;
    std::call_once(impl->stopOnce, [impl] {
        impl->stopping.store(true);
        std::vector<std::shared_ptr<Session>> live;
        {
            std::lock_guard lock(impl->mutex);
            for (auto& [ptr, weak] : impl->sessions) {
                if (auto s = weak.lock()) live.push_back(std::move(s));
            }
        }
        if (impl->acceptor) {
            net::post(impl->io, [impl] {
                boost::system::error_code ec;
                impl->acceptor->close(ec);
            });
        }
        for (auto& s : live) stopSession(s);
        live.clear();
        // In-flight requests finish and close their connections; idle ones are closed already.
        {
            std::unique_lock lock(impl->mutex);
            impl->stoppedCv.wait_for(lock, impl->options.limits.shutdownGrace, [&] { return impl->sessions.empty(); });
            if (!impl->sessions.empty()) {
                log::warn("http", "stopping with requests still in flight", {{"connections", std::to_string(impl->sessions.size())}});
            }
        }
        impl->work.reset();
        impl->io.stop();
        for (auto& t : impl->ioThreads) {
            if (t.joinable()) t.join();
        }
        if (impl->pool) impl->pool->stop();
        {
            std::lock_guard lock(impl->mutex);
            impl->stopped = true;
        }
        impl->stoppedCv.notify_all();
    });
}

int BeastServer::port() const { return m_impl->port; }
ServerCounters& BeastServer::counters() { return m_impl->counters; }
const ServerCounters& BeastServer::counters() const { return m_impl->counters; }
const RefusalLog& BeastServer::refusals() const { return m_impl->refusalLog; }
void BeastServer::refused(const RefusalNote& note) { m_impl->refused(note); }

}  // namespace touchpoint::hub::http
