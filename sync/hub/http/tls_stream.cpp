#include "hub/http/tls_stream.hpp"

#include <openssl/bio.h>
#include <sys/socket.h>

#include <stdexcept>

namespace touchpoint::hub::http {

namespace {

/// OpenSSL's socket BIO writes with write(2): to a peer that has gone (a client whose request timed out) the
/// second write after its reset raises SIGPIPE, which kills the hub. Asio's own sockets pass MSG_NOSIGNAL;
/// this write does the same, and everything else is OpenSSL's socket BIO.
int writeWithoutSigpipe(BIO* bio, const char* data, int size) {
    const int fd = static_cast<int>(BIO_get_fd(bio, nullptr));
    errno = 0;
    const auto n = ::send(fd, data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
    BIO_clear_retry_flags(bio);
    if (n <= 0 && BIO_sock_should_retry(static_cast<int>(n))) BIO_set_retry_write(bio);
    return static_cast<int>(n);
}

BIO_METHOD* makeSocketMethod() {
    const BIO_METHOD* socket = BIO_s_socket();
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "socket, no SIGPIPE");
    if (m == nullptr || BIO_meth_set_write(m, writeWithoutSigpipe) != 1 ||
        BIO_meth_set_read(m, BIO_meth_get_read(socket)) != 1 || BIO_meth_set_puts(m, BIO_meth_get_puts(socket)) != 1 ||
        BIO_meth_set_ctrl(m, BIO_meth_get_ctrl(socket)) != 1 || BIO_meth_set_create(m, BIO_meth_get_create(socket)) != 1 ||
        BIO_meth_set_destroy(m, BIO_meth_get_destroy(socket)) != 1) {
        throw std::runtime_error("OpenSSL: cannot make the socket BIO method");
    }
    return m;
}

}  // namespace

bool attachSocket(SSL* ssl, int fd) {
    // Made once and kept for the life of the process (every connection's BIO refers to it).
    static BIO_METHOD* const method = makeSocketMethod();
    BIO* bio = BIO_new(method);
    if (bio == nullptr) return false;
    BIO_set_fd(bio, fd, BIO_NOCLOSE);  // the Asio socket owns and closes the descriptor
    SSL_set_bio(ssl, bio, bio);        // one BIO for both directions: SSL takes the one reference
    return true;
}

}  // namespace touchpoint::hub::http
