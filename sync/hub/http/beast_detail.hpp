#pragma once
// Internals shared by beast_server.cpp (acceptor, lifecycle) and beast_session.cpp (one connection).
// Not for use outside sync/hub/http.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "hub/http/beast_server.hpp"
#include "hub/http/rate_limiter.hpp"
#include "hub/http/refusal_log.hpp"
#include "hub/http/worker_pool.hpp"

namespace touchpoint::hub::http {

class Session;

struct BeastServer::Impl {
    Impl(ServerOptions o, const Router& r, Authenticator a);

    ServerOptions options;
    const Router& router;
    Authenticator authenticate;
    ServerCounters counters;
    RefusalLog refusalLog;
    RateLimiter addressLimiter;
    RateLimiter tokenLimiter;

    std::atomic<bool> stopping{false};
    std::mutex mutex;  // guards the two maps below and `stopped`
    std::map<Session*, std::weak_ptr<Session>> sessions;
    std::map<std::string, std::size_t> perAddress;
    bool stopped = false;
    std::condition_variable stoppedCv;
    std::once_flag stopOnce;
    int port = 0;

    // Declared last, destroyed first: destroying the io_context destroys the handlers that still own
    // sessions, and a session's destructor uses the members above. Sessions hold a plain Impl*, so nothing
    // in the io_context keeps the Impl alive (no cycle).
    boost::asio::ssl::context tls;
    boost::asio::io_context io;
    /// Keeps the loop running while a worker holds a request and nothing waits on a socket.
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
    std::optional<boost::asio::ip::tcp::acceptor> acceptor;
    std::unique_ptr<WorkerPool> pool;
    std::vector<std::thread> ioThreads;

    /// Registers a new connection; false (and nothing registered) when stopping or a connection limit
    /// refuses it (then counted and logged).
    bool admit(Session* s, const std::shared_ptr<Session>& owner, const std::string& address, bool exempt);
    /// Counts a refusal by reason and, through the refusal log, by source, and logs it.
    void refused(const RefusalNote& note);
    void release(Session* s, const std::string& address, bool exempt);
    void accept();
};

/// TLS 1.2 (ECDHE with AES-GCM or ChaCha20-Poly1305 only) and 1.3; certificate and key from PEM files.
Result<void, std::string> configureServerTls(boost::asio::ssl::context& tls, const std::string& certFile,
                                             const std::string& keyFile);

/// Starts serving one accepted socket.
void startSession(BeastServer::Impl* server, boost::asio::ip::tcp::socket socket);

/// Asks a session to end: closes it now when idle, else after the answer in flight.
void stopSession(const std::shared_ptr<Session>& session);

}  // namespace touchpoint::hub::http
