#pragma once
// Certificates made with OpenSSL at run time: `touchpoint-hub init` makes the hub's self-signed certificate
// with it, and the HTTPS tests make a CA, server certificates (valid, expired, not yet valid) and a client
// certificate per test run, so no test depends on a shared file or a fixed date.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace touchpoint::tls {

struct Pem {
    std::string certificate;  ///< PEM "CERTIFICATE"
    std::string privateKey;   ///< PEM "PRIVATE KEY" (PKCS#8, unencrypted)
};

struct CertificateRequest {
    std::string commonName = "localhost";
    std::vector<std::string> dnsNames{"localhost"};
    std::vector<std::string> ipAddresses{"127.0.0.1"};
    bool isCa = false;
    /// Validity window relative to now: negative starts in the past. A certificate that is "not yet valid"
    /// has notBeforeOffset > 0; an expired one has notAfterOffset < 0.
    std::chrono::seconds notBeforeOffset{-3600};
    std::chrono::seconds notAfterOffset{std::chrono::hours(24 * 3650)};
};

/// Makes a P-256 key and a certificate for it, signed by `issuer` or self-signed when there is none.
Result<Pem, std::string> makeCertificate(const CertificateRequest& request, const std::optional<Pem>& issuer = {});

/// Writes text to a file with the given mode (0600 for keys), replacing it atomically.
Result<void, std::string> writeFileAtomically(const std::string& path, const std::string& text, unsigned mode);

}  // namespace touchpoint::tls
