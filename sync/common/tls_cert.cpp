#include "common/tls_cert.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace touchpoint::tls {

namespace {

template <auto Fn>
struct Deleter {
    template <class T>
    void operator()(T* p) const { Fn(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free>>;

std::string opensslError(const std::string& what) {
    const unsigned long code = ERR_get_error();
    char buf[256] = {};
    ERR_error_string_n(code, buf, sizeof buf);
    return what + ": " + buf;
}

std::string bioText(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return std::string(data, static_cast<std::size_t>(n));
}

bool addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (ext == nullptr) return false;
    const int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok == 1;
}

}  // namespace

Result<Pem, std::string> makeCertificate(const CertificateRequest& req, const std::optional<Pem>& issuer) {
    KeyPtr key(EVP_EC_gen("P-256"));
    if (!key) return Fail(opensslError("generate key"));

    X509Ptr cert(X509_new());
    X509_set_version(cert.get(), 2);
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7F;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), static_cast<long>(req.notBeforeOffset.count()));
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(req.notAfterOffset.count()));
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Touchpoint"), -1, -1,
                               0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(req.commonName.c_str()), -1, -1, 0);

    X509Ptr issuerCert;
    KeyPtr issuerKey;
    if (issuer) {
        BioPtr cb(BIO_new_mem_buf(issuer->certificate.data(), static_cast<int>(issuer->certificate.size())));
        issuerCert.reset(PEM_read_bio_X509(cb.get(), nullptr, nullptr, nullptr));
        BioPtr kb(BIO_new_mem_buf(issuer->privateKey.data(), static_cast<int>(issuer->privateKey.size())));
        issuerKey.reset(PEM_read_bio_PrivateKey(kb.get(), nullptr, nullptr, nullptr));
        if (!issuerCert || !issuerKey) return Fail(opensslError("read issuer certificate"));
        X509_set_issuer_name(cert.get(), X509_get_subject_name(issuerCert.get()));
    } else {
        X509_set_issuer_name(cert.get(), name);
    }
    X509* signer = issuerCert ? issuerCert.get() : cert.get();

    bool ok = addExtension(cert.get(), signer, NID_basic_constraints, req.isCa ? "critical,CA:TRUE" : "CA:FALSE");
    ok = ok && addExtension(cert.get(), signer, NID_subject_key_identifier, "hash");
    if (req.isCa) {
        ok = ok && addExtension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
    } else {
        ok = ok && addExtension(cert.get(), signer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
        ok = ok && addExtension(cert.get(), signer, NID_ext_key_usage, "serverAuth,clientAuth");
    }
    std::string san;
    for (const auto& d : req.dnsNames) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
    for (const auto& ip : req.ipAddresses) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
    if (!san.empty()) ok = ok && addExtension(cert.get(), signer, NID_subject_alt_name, san);
    if (!ok) return Fail(opensslError("add certificate extension"));

    if (X509_sign(cert.get(), issuerKey ? issuerKey.get() : key.get(), EVP_sha256()) == 0) {
        return Fail(opensslError("sign certificate"));
    }

    Pem pem;
    BioPtr certBio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(certBio.get(), cert.get());
    pem.certificate = bioText(certBio.get());
    BioPtr keyBio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(keyBio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    pem.privateKey = bioText(keyBio.get());
    return pem;
}

Result<void, std::string> writeFileAtomically(const std::string& path, const std::string& text, unsigned mode) {
    const std::string tmp = path + ".tmp";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) return Fail("cannot create " + tmp + ": " + std::strerror(errno));
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            const std::string err = std::strerror(errno);
            ::close(fd);
            ::unlink(tmp.c_str());
            return Fail("cannot write " + tmp + ": " + err);
        }
        done += static_cast<std::size_t>(n);
    }
    ::fchmod(fd, mode);
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        ::unlink(tmp.c_str());
        return Fail("cannot flush " + tmp + ": " + std::strerror(errno));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return Fail("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
    }
    return {};
}

}  // namespace touchpoint::tls
