// One client connection: TLS handshake, then requests one after another on its strand. The phases and their
// deadlines: handshake (handshakeTimeout), idle between requests (idleTimeout, closed quietly), reading a
// request (requestTimeout from its first byte, 408), waiting for a worker (no deadline: the handler's own
// store timeouts bound it), writing (writeTimeout). A request answered before its body was read (401, 413,
// 404 ...) ends the connection with a short lingering read so the client sees the answer, not a reset.

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <array>
#include <limits>

#include "common/log.hpp"
#include "hub/http/beast_detail.hpp"
#include "hub/http/tls_stream.hpp"
#include "protocol/gzip.hpp"

namespace touchpoint::hub::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
/// What a lingering close reads and throws away at most, and for how long. Closing with unread bytes makes
/// the kernel send a reset, and a reset makes the client drop the answer it has not read yet; so the refused
/// body is drained (raw TCP, never decrypted) until the client stops sending, within these bounds.
constexpr std::size_t kLingerBytes = 32 * 1024 * 1024;
constexpr std::chrono::milliseconds kLingerTime{1000};

bool startsWithNoCase(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    CaseInsensitiveLess less;
    const auto head = text.substr(0, prefix.size());
    return !less(head, prefix) && !less(prefix, head);
}

/// True when the body's first non-blank byte opens a JSON object or array (never a form field's first byte).
bool looksLikeJson(std::string_view body) {
    const auto start = body.find_first_not_of(" \t\r\n");
    return start != std::string_view::npos && (body[start] == '{' || body[start] == '[');
}
}  // namespace

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(BeastServer::Impl* server, tcp::socket&& socket)
        : m_server(server),
          m_stream(std::move(socket), m_server->tls.native_handle()),
          m_timer(m_stream.get_executor()),
          m_buffer(m_server->options.limits.maxHeaderBytes + 4096) {}

    ~Session() {
        if (m_admitted) {
            m_server->release(this, m_peer, m_exempt);
            m_server->counters.connectionClosed();
        }
    }

    void run() {
        beast::error_code ec;
        const auto endpoint = socket().remote_endpoint(ec);
        if (ec) return;
        m_peer = endpoint.address().to_string();
        const auto& proxies = limits().trustedProxies;
        m_exempt = std::find(proxies.begin(), proxies.end(), m_peer) != proxies.end();
        if (!m_server->admit(this, shared_from_this(), m_peer, m_exempt)) {
            socket().close(ec);
            return;
        }
        m_admitted = true;
        m_server->counters.connectionOpened();
        socket().set_option(tcp::no_delay(true), ec);
        m_phase = Phase::Handshake;
        arm(limits().handshakeTimeout);
        m_stream.async_handshake([self = shared_from_this()](beast::error_code e) {
            if (e) {
                self->m_server->refused(
                    {.why = Refusal::HandshakeFailed, .status = 0, .source = {}, .address = self->m_peer, .route = {}});
                self->closeNow();
                return;
            }
            self->waitForRequest();
        });
    }

    net::any_io_executor executor() { return m_stream.get_executor(); }

    /// On the strand: the server is stopping.
    void stop() {
        m_stopRequested = true;
        if (m_phase == Phase::Idle || m_phase == Phase::Handshake) closeNow();
    }

private:
    enum class Phase { Handshake, Idle, Reading, Working, Writing, Closed };

    const ServerLimits& limits() const { return m_server->options.limits; }
    tcp::socket& socket() { return m_stream.socket(); }

    void arm(std::chrono::milliseconds d) {
        m_timedOut = false;
        const auto generation = ++m_timerGeneration;
        m_timer.expires_after(d);
        m_timer.async_wait([weak = weak_from_this(), generation](beast::error_code ec) {
            auto self = weak.lock();
            if (ec || !self || generation != self->m_timerGeneration) return;
            self->onDeadline();
        });
    }
    void disarm() {
        ++m_timerGeneration;
        m_timer.cancel();
    }

    void onDeadline() {
        m_timedOut = true;
        beast::error_code ec;
        switch (m_phase) {
            case Phase::Reading: socket().cancel(ec); break;  // the read handler answers 408
            case Phase::Idle: m_server->counters.count(Refusal::IdleTimeout); closeNow(); break;
            case Phase::Handshake: closeNow(); break;  // counted by the handshake's handler
            case Phase::Writing: closeNow(); break;
            case Phase::Working:
            case Phase::Closed: break;
        }
    }

    void closeNow() {
        if (m_phase == Phase::Closed) return;
        m_phase = Phase::Closed;
        disarm();
        beast::error_code ec;
        socket().shutdown(tcp::socket::shutdown_both, ec);
        socket().close(ec);
    }

    /// The client may still be sending the body we refused: stop sending, read and drop what arrives for a
    /// moment, then close. Bounded in bytes and time, and raw TCP (no decryption) since nothing is parsed.
    void lingerAndClose() {
        beast::error_code ec;
        socket().shutdown(tcp::socket::shutdown_send, ec);
        m_phase = Phase::Writing;  // a deadline closes it
        arm(kLingerTime);
        m_linger = std::make_unique<std::array<char, 4096>>();
        lingerRead();
    }
    void lingerRead() {
        socket().async_read_some(net::buffer(*m_linger), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            self->m_lingered += n;
            if (ec || self->m_lingered >= kLingerBytes || self->m_phase == Phase::Closed) {
                self->closeNow();
                return;
            }
            self->lingerRead();
        });
    }

    void waitForRequest() {
        if (m_stopRequested) {
            closeNow();
            return;
        }
        m_request = Request{};
        m_bodyUnread = false;
        if (m_buffer.size() > 0) {  // a pipelined request is already here
            readHeader();
            return;
        }
        // While idle the connection holds no read buffer: the first byte is read into a member, so a
        // keep-alive connection costs its socket and TLS state only.
        m_buffer.shrink_to_fit();
        m_phase = Phase::Idle;
        arm(limits().idleTimeout);
        m_stream.async_read_some(net::buffer(&m_firstByte, 1), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            if (ec || n == 0) {
                self->closeNow();
                return;
            }
            net::buffer_copy(self->m_buffer.prepare(1), net::buffer(&self->m_firstByte, 1));
            self->m_buffer.commit(1);
            self->readHeader();
        });
    }

    void readHeader() {
        m_phase = Phase::Reading;
        m_match = {};
        arm(limits().requestTimeout);
        m_headerParser.emplace();
        m_headerParser->header_limit(static_cast<std::uint32_t>(limits().maxHeaderBytes));
        m_headerParser->body_limit(std::numeric_limits<std::uint64_t>::max());  // checked per route below
        bhttp::async_read_header(m_stream, m_buffer, *m_headerParser,
                                 [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onHeader(ec); });
    }

    void onHeader(beast::error_code ec) {
        if (m_phase == Phase::Closed) return;
        if (m_timedOut) return refuse(Refusal::RequestTimeout, 408, "request not received in time");
        if (ec == bhttp::error::header_limit) {
            return refuse(Refusal::HeaderTooLarge, 431,
                          "request header larger than " + std::to_string(limits().maxHeaderBytes) + " bytes");
        }
        if (ec == bhttp::error::end_of_stream || ec == net::error::eof || ec.category() == net::error::get_ssl_category() ||
            ec == net::error::connection_reset || ec == net::error::operation_aborted) {
            closeNow();
            return;
        }
        if (ec) return refuse(Refusal::BadRequest, 400, "malformed request");
        const auto& h = m_headerParser->get();
        m_bodyUnread = m_headerParser->chunked() || m_headerParser->content_length().value_or(0) > 0;
        m_keepAlive = h.keep_alive();
        m_version = h.version();
        if (!fillRequest(h)) return refuse(Refusal::BadRequest, 400, "malformed request target");

        if (const int wait = m_server->addressLimiter.take(m_request.remoteAddress)) {
            return refuse(Refusal::RateLimitedAddress, 429, "too many requests from this address", wait);
        }
        m_match = m_server->router.match(m_request.method, m_request.path);
        if (!m_match.route) return refuse(Refusal::NotFound, 404, "not found");
        m_request.captures = m_match.captures;
        const auto& options = m_match.route->options;
        m_bodyLimit = options.maxBodyBytes ? options.maxBodyBytes : limits().defaultBodyBytes;
        if (m_headerParser->content_length().value_or(0) > m_bodyLimit) {
            return refuse(Refusal::BodyTooLarge, 413, "body larger than " + std::to_string(m_bodyLimit) + " bytes");
        }
        if (options.scope.empty()) return readBody();
        // Authentication may read the store: off the event loop, and before a single body byte is read.
        m_phase = Phase::Working;
        disarm();
        const bool queued = m_server->pool->trySubmit([self = shared_from_this(), scope = options.scope] {
            AuthOutcome outcome;
            try {
                outcome = self->m_server->authenticate(self->m_request, scope);
            } catch (const std::exception& e) {
                outcome.status = 503;
                outcome.error = "authentication unavailable";
                log::error("http", "authenticator failed", {{"what", e.what()}});
            }
            net::post(self->m_stream.get_executor(),
                      [self, outcome = std::move(outcome)]() mutable { self->onAuthenticated(std::move(outcome)); });
        });
        if (!queued) refuse(Refusal::QueueFull, 503, "server busy, retry later", 1);
    }

    bool fillRequest(const bhttp::request_header<>& h) {
        m_request.method = std::string(h.method_string());
        m_request.target = std::string(h.target());
        const std::string_view target = h.target();
        const auto q = target.find('?');
        auto path = percentDecode(target.substr(0, q), false);
        if (!path || path->empty() || path->front() != '/') return false;
        m_request.path = std::move(*path);
        if (q != std::string_view::npos && !parseQuery(target.substr(q + 1), m_request.params)) return false;
        for (const auto& field : h) m_request.headers.emplace(std::string(field.name_string()), std::string(field.value()));
        m_request.remoteAddress = clientAddress(m_peer, m_request.header("X-Forwarded-For"), limits().trustedProxies);
        return true;
    }

    void onAuthenticated(AuthOutcome outcome) {
        if (m_phase == Phase::Closed) return;
        if (!outcome.principal) {
            if (outcome.status == 401 || outcome.status == 403) {
                noteRefusal(Refusal::Unauthenticated, outcome.status, outcome.subject);
            }
            Response res;
            res.error(outcome.status, outcome.error);
            for (auto& [k, v] : outcome.headers) res.setHeader(k, v);
            return write(std::move(res));
        }
        m_request.principal = std::move(outcome.principal);
        if (const int wait = m_server->tokenLimiter.take(m_request.principal->subject)) {
            return refuse(Refusal::RateLimitedToken, 429, "too many requests for this token", wait);
        }
        readBody();
    }

    void readBody() {
        if (!m_bodyUnread) return dispatch();
        m_phase = Phase::Reading;
        arm(limits().requestTimeout);
        m_bodyParser.emplace(std::move(*m_headerParser));
        m_headerParser.reset();
        m_bodyParser->body_limit(m_bodyLimit);
        if (startsWithNoCase(m_request.header("Expect"), "100-continue")) {
            auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, m_version);
            bhttp::async_write(m_stream, *cont, [self = shared_from_this(), cont](beast::error_code ec, std::size_t) {
                if (ec) return self->closeNow();
                self->readBodyBytes();
            });
            return;
        }
        readBodyBytes();
    }

    void readBodyBytes() {
        bhttp::async_read(m_stream, m_buffer, *m_bodyParser, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (self->m_phase == Phase::Closed) return;
            if (self->m_timedOut) return self->refuse(Refusal::RequestTimeout, 408, "request body not received in time");
            if (ec == bhttp::error::body_limit) {
                return self->refuse(Refusal::BodyTooLarge, 413,
                                    "body larger than " + std::to_string(self->m_bodyLimit) + " bytes");
            }
            if (ec) return self->closeNow();
            self->m_bodyUnread = false;
            self->m_request.body = std::move(self->m_bodyParser->get().body());
            self->m_bodyParser.reset();
            self->dispatch();
        });
    }

    void dispatch() {
        m_phase = Phase::Working;
        disarm();
        m_headerParser.reset();
        const bool queued = m_server->pool->trySubmit([self = shared_from_this()] {
            Response res;
            self->handle(res);
            net::post(self->m_stream.get_executor(), [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
        });
        if (!queued) refuse(Refusal::QueueFull, 503, "server busy, retry later", 1);
    }

    /// On a worker thread: gunzip (capped), form fields, the handler.
    void handle(Response& res) {
        const auto& options = m_match.route->options;
        const std::string encoding = m_request.header("Content-Encoding");
        if (!encoding.empty() && !startsWithNoCase(encoding, "identity")) {
            if (!startsWithNoCase(encoding, "gzip")) {
                res.error(415, "unsupported Content-Encoding (gzip or none)");
                return;
            }
            const auto cap = options.maxInflatedBytes ? options.maxInflatedBytes : m_bodyLimit;
            auto inflated = protocol::gzipDecompress(m_request.body, cap);
            if (!inflated) {
                const bool tooLarge = inflated.error().find("size limit") != std::string::npos;
                if (tooLarge) res.error(413, "body inflates past " + std::to_string(cap) + " bytes");
                else res.error(400, "malformed request (bad gzip)");
                noteRefusal(tooLarge ? Refusal::InflatedTooLarge : Refusal::BadGzip, res.status);
                return;
            }
            m_request.body = std::move(inflated).value();
            m_request.headers.erase("Content-Encoding");
        }
        // Browser SDKs post JSON labelled as a form (sendBeacon, CORS-simple requests): such a body is left
        // as it is for the route to read, not split into fields.
        if (startsWithNoCase(m_request.header("Content-Type"), "application/x-www-form-urlencoded") &&
            !looksLikeJson(m_request.body) && !parseQuery(m_request.body, m_request.params)) {
            res.error(400, "malformed form body");
            return;
        }
        try {
            m_match.route->handler(m_request, res);
        } catch (const std::exception& e) {
            log::error("http", "handler failed", {{"route", options.name}, {"what", e.what()}});
            res = Response{};
            res.error(500, "internal error");
        } catch (...) {
            // Whatever escapes, the connection must get an answer, or it would wait for one forever.
            log::error("http", "handler failed", {{"route", options.name}});
            res = Response{};
            res.error(500, "internal error");
        }
        if (options.hsts) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    }

    /// Counts and logs a refusal of the current request: its source is the token read for it (or `subject`,
    /// the token that was found and refused), its address the client's, its route the matched one's name.
    void noteRefusal(Refusal why, int status, std::string_view subject = {}) {
        const std::string_view source = m_request.principal ? std::string_view(m_request.principal->subject) : subject;
        const std::string& address = m_request.remoteAddress.empty() ? m_peer : m_request.remoteAddress;
        std::string_view route;
        if (m_match.route) route = m_match.route->options.name.empty() ? m_match.route->pattern : m_match.route->options.name;
        m_server->refused({.why = why, .status = status, .source = source, .address = address, .route = route});
    }

    void refuse(Refusal why, int status, const std::string& message, int retryAfter = 0) {
        noteRefusal(why, status);
        // After these the parser's state is unusable or the client too slow to keep.
        if (why == Refusal::RequestTimeout || why == Refusal::HeaderTooLarge || why == Refusal::BadRequest) {
            m_keepAlive = false;
        }
        Response res;
        res.error(status, message);
        if (retryAfter > 0) res.setHeader("Retry-After", std::to_string(retryAfter));
        write(std::move(res));
    }

    bool keepAlive() const {
        return m_keepAlive && !m_bodyUnread && !m_stopRequested && !m_server->stopping.load() && !m_timedOut;
    }

    void write(Response res) {
        if (m_phase == Phase::Closed) return;
        // Every answer of a route that pages call from their own site, refusals too, is readable by the page.
        if (m_match.route && m_match.route->options.cors) res.setHeader("Access-Control-Allow-Origin", "*");
        if (res.producer) return writeStreamed(std::move(res));
        m_phase = Phase::Writing;
        arm(limits().writeTimeout);
        auto msg = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(res.status), m_version);
        for (const auto& [k, v] : res.headers) msg->insert(k, v);
        if (!res.contentType.empty()) msg->set(bhttp::field::content_type, res.contentType);
        msg->body() = std::move(res.body);
        msg->keep_alive(keepAlive());
        msg->prepare_payload();
        bhttp::async_write(m_stream, *msg, [self = shared_from_this(), msg](beast::error_code ec, std::size_t) {
            self->afterWrite(ec, msg->keep_alive());
        });
    }

    void afterWrite(beast::error_code ec, bool keepAlive) {
        if (m_phase == Phase::Closed) return;
        if (ec) return closeNow();
        if (m_bodyUnread) return lingerAndClose();
        if (!keepAlive) return closeNow();
        waitForRequest();
    }

    void writeStreamed(Response res) {
        m_phase = Phase::Writing;
        arm(limits().writeTimeout);
        auto head = std::make_shared<bhttp::response<bhttp::empty_body>>(static_cast<bhttp::status>(res.status), m_version);
        for (const auto& [k, v] : res.headers) head->insert(k, v);
        if (!res.contentType.empty()) head->set(bhttp::field::content_type, res.contentType);
        head->keep_alive(keepAlive());
        head->chunked(true);
        auto serializer = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*head);
        bhttp::async_write_header(m_stream, *serializer,
                                  [self = shared_from_this(), head, serializer, producer = std::move(res.producer)](
                                      beast::error_code ec, std::size_t) {
                                      if (ec) return self->closeNow();
                                      self->nextChunk(producer, head->keep_alive());
                                  });
    }

    void nextChunk(const BodyProducer& producer, bool keepAlive) {
        m_phase = Phase::Working;
        disarm();
        const bool queued = m_server->pool->trySubmit([self = shared_from_this(), producer, keepAlive] {
            auto chunk = std::make_shared<std::string>();
            bool done = false, ok = false;
            try {
                ok = producer(*chunk, done);
            } catch (const std::exception& e) {
                log::error("http", "streamed body failed", {{"what", e.what()}});
            }
            net::post(self->m_stream.get_executor(),
                      [self, producer, chunk, done, ok, keepAlive] { self->onChunk(producer, chunk, done, ok, keepAlive); });
        });
        if (!queued) closeNow();
    }

    void onChunk(const BodyProducer& producer, const std::shared_ptr<std::string>& chunk, bool done, bool ok, bool keepAlive) {
        if (m_phase == Phase::Closed) return;
        if (!ok) return closeNow();  // the client sees a truncated transfer, never a complete-looking one
        m_phase = Phase::Writing;
        arm(limits().writeTimeout);
        auto after = [self = shared_from_this(), producer, chunk, done, keepAlive](beast::error_code ec, std::size_t) {
            if (ec) return self->closeNow();
            if (!done) return self->nextChunk(producer, keepAlive);
            net::async_write(self->m_stream, bhttp::make_chunk_last(), [self, keepAlive](beast::error_code e, std::size_t) {
                self->afterWrite(e, keepAlive);
            });
        };
        if (chunk->empty()) return after({}, 0);
        net::async_write(m_stream, bhttp::make_chunk(net::buffer(*chunk)), std::move(after));
    }

    BeastServer::Impl* m_server;
    TlsStream m_stream;
    net::steady_timer m_timer;
    beast::flat_buffer m_buffer;
    std::optional<bhttp::request_parser<bhttp::empty_body>> m_headerParser;
    std::optional<bhttp::request_parser<bhttp::string_body>> m_bodyParser;
    std::unique_ptr<std::array<char, 4096>> m_linger;
    Request m_request;
    RouteMatch m_match;
    std::string m_peer;
    std::size_t m_bodyLimit = 0;
    std::size_t m_lingered = 0;
    std::uint64_t m_timerGeneration = 0;
    unsigned m_version = 11;
    Phase m_phase = Phase::Handshake;
    char m_firstByte = 0;
    bool m_admitted = false;
    bool m_exempt = false;
    bool m_timedOut = false;
    bool m_keepAlive = true;
    bool m_bodyUnread = false;
    bool m_stopRequested = false;
};

void startSession(BeastServer::Impl* server, tcp::socket socket) {
    std::make_shared<Session>(server, std::move(socket))->run();
}

void stopSession(const std::shared_ptr<Session>& session) {
    // The executor is the connection's strand; its state is only touched there.
    net::post(session->executor(), [session] { session->stop(); });
}

}  // namespace touchpoint::hub::http
