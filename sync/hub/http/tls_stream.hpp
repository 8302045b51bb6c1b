#pragma once
// A server-side TLS connection as an Asio AsyncStream (what Beast's HTTP reads and writes take) that lets
// OpenSSL read and write the non-blocking socket itself and waits for readiness with async_wait.
//
// Why not asio::ssl::stream: it keeps two 17 KB staging vectors (zero-filled, so resident) and a BIO pair
// with two more 17 KB ring buffers for the whole life of every connection, ~70 KB that an idle keep-alive
// connection never uses. Here a connection holds its socket and the SSL object only; with
// SSL_MODE_RELEASE_BUFFERS (set on the context) OpenSSL frees its record buffers whenever they are empty,
// i.e. while the connection is idle. `touchpoint-bench idle-conns` measures the difference.
//
// OpenSSL's writes go through a socket BIO that sends with MSG_NOSIGNAL (tls_stream.cpp), as Asio's own
// socket writes do: a client gone before its answer must not raise SIGPIPE in the hub.
//
// Rules, as for asio::ssl::stream: use it from one strand; at most one read and one write at a time; a
// write that did not complete is retried with the same bytes (OpenSSL requires it) by the composed write.

#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>

namespace touchpoint::hub::http {

/// Gives `ssl` a socket BIO on `fd` (not closed with it) whose writes never raise SIGPIPE; false when out of
/// memory.
bool attachSocket(SSL* ssl, int fd);

class TlsStream {
public:
    using executor_type = boost::asio::ip::tcp::socket::executor_type;

    /// Takes the accepted socket; the SSL object is made from `ctx` in the server (accept) state.
    TlsStream(boost::asio::ip::tcp::socket socket, SSL_CTX* ctx) : m_socket(std::move(socket)), m_ssl(SSL_new(ctx)) {
        boost::system::error_code ec;
        m_socket.non_blocking(true, ec);
        if (m_ssl && !attachSocket(m_ssl, static_cast<int>(m_socket.native_handle()))) {
            SSL_free(m_ssl);
            m_ssl = nullptr;
        }
        if (m_ssl) {
            SSL_set_mode(m_ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
            SSL_set_accept_state(m_ssl);
        }
    }
    ~TlsStream() {
        if (m_ssl) SSL_free(m_ssl);
    }
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;

    executor_type get_executor() { return m_socket.get_executor(); }
    boost::asio::ip::tcp::socket& socket() { return m_socket; }

    /// The TLS handshake (server side). Handler: void(error_code).
    template <class Handler>
    auto async_handshake(Handler&& handler) {
        return boost::asio::async_compose<Handler, void(boost::system::error_code)>(
            Op<Kind::Handshake, boost::asio::mutable_buffer>(*this, {}), handler, m_socket);
    }

    /// Reads decrypted bytes into the first non-empty buffer. Handler: void(error_code, std::size_t).
    template <class MutableBuffers, class Handler>
    auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
        return boost::asio::async_compose<Handler, void(boost::system::error_code, std::size_t)>(
            Op<Kind::Read, boost::asio::mutable_buffer>(*this, first<boost::asio::mutable_buffer>(buffers)), handler,
            m_socket);
    }

    /// Encrypts and sends bytes from the first non-empty buffer. Handler: void(error_code, std::size_t).
    template <class ConstBuffers, class Handler>
    auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
        return boost::asio::async_compose<Handler, void(boost::system::error_code, std::size_t)>(
            Op<Kind::Write, boost::asio::const_buffer>(*this, first<boost::asio::const_buffer>(buffers)), handler,
            m_socket);
    }

private:
    enum class Kind { Handshake, Read, Write };

    template <class Buffer, class Buffers>
    static Buffer first(const Buffers& buffers) {
        for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it) {
            Buffer b(*it);
            if (b.size() > 0) return b;
        }
        return Buffer{};
    }

    /// One attempt of the operation: > 0 bytes done (1 for a finished handshake), 0 with `ec` set on failure,
    /// or -1 with `wait` set when OpenSSL needs the socket readable or writable first.
    template <Kind K, class Buffer>
    int attempt(const Buffer& b, boost::system::error_code& ec, boost::asio::socket_base::wait_type& wait) {
        if (!m_ssl) {
            ec = boost::asio::error::no_memory;
            return 0;
        }
        ERR_clear_error();
        errno = 0;
        int n = 0;
        const int size = static_cast<int>(std::min<std::size_t>(b.size(), 1 << 20));
        if constexpr (K == Kind::Handshake) n = SSL_do_handshake(m_ssl);
        else if constexpr (K == Kind::Read) n = SSL_read(m_ssl, b.data(), size);
        else n = SSL_write(m_ssl, b.data(), size);
        if (n > 0) return n;
        const int err = SSL_get_error(m_ssl, n);
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
            wait = err == SSL_ERROR_WANT_READ ? boost::asio::socket_base::wait_read : boost::asio::socket_base::wait_write;
            return -1;
        }
        if (err == SSL_ERROR_ZERO_RETURN) {
            ec = boost::asio::error::eof;  // the peer's close_notify
        } else if (err == SSL_ERROR_SYSCALL && errno != 0 && ERR_peek_error() == 0) {
            ec = boost::system::error_code(errno, boost::system::system_category());
        } else if (const unsigned long e = ERR_get_error(); e != 0) {
            ec = boost::system::error_code(static_cast<int>(e), boost::asio::error::get_ssl_category());
        } else {
            ec = boost::asio::ssl::error::stream_truncated;  // closed without close_notify
        }
        return 0;
    }

    template <Kind K, class Buffer>
    struct Op {
        Op(TlsStream& s, Buffer b) : stream(s), buffer(b) {}
        TlsStream& stream;
        Buffer buffer;
        int state = 0;  // 0: first call (may not complete inline), 1: waiting on the socket, 2: posted result
        boost::system::error_code result;
        std::size_t bytes = 0;

        template <class Self>
        void operator()(Self& self, boost::system::error_code ec = {}) {
            if (state == 2) return finish(self);
            if (ec) {
                result = ec;
                return finish(self);
            }
            const bool inlineCall = state == 0;
            if (K != Kind::Handshake && buffer.size() == 0) {
                bytes = 0;
            } else {
                auto wait = boost::asio::socket_base::wait_read;
                const int n = stream.attempt<K>(buffer, result, wait);
                if (n < 0) {
                    state = 1;
                    stream.m_socket.async_wait(wait, std::move(self));
                    return;
                }
                bytes = K == Kind::Handshake ? 0 : static_cast<std::size_t>(std::max(n, 0));
            }
            if (inlineCall) {
                // Completion handlers never run inside the initiating call (Asio's rule): post it.
                state = 2;
                boost::asio::post(stream.m_socket.get_executor(), std::move(self));
                return;
            }
            finish(self);
        }

        template <class Self>
        void finish(Self& self) {
            if constexpr (K == Kind::Handshake) self.complete(result);
            else self.complete(result, bytes);
        }
    };

    boost::asio::ip::tcp::socket m_socket;
    SSL* m_ssl;
};

}  // namespace touchpoint::hub::http
