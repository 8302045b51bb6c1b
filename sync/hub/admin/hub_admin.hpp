#pragma once
// What the `touchpoint-hub` commands do, as library functions (tests call them directly):
// `init`, token management and the member CSV import.

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "common/tls_cert.hpp"
#include "hub/store/hub_store.hpp"

namespace touchpoint::hub {

struct InitResult {
    std::filesystem::path configPath;
    std::string hubUrl;
    std::filesystem::path caFile;  ///< the self-signed certificate: kiosks trust exactly it
    std::string kioskToken;        ///< scope ingest
    std::string staffToken;        ///< scope lookup
    std::string headOfficeToken;   ///< scope head-office
    std::string sealingPublicKeyB64;
    std::string identityHashKeyB64;  ///< fresh key for the kiosks' identity hashes
};

/// Creates DIR (mode 0700) with a certificate (SAN localhost, 127.0.0.1), the sealing key pair, hub.db,
/// hub.toml and three tokens (only their hashes are stored). Refuses to overwrite an existing hub.toml.
/// `hosts`: the names kiosks will use for the hub (DNS names and IP addresses, comma-separated). They go into
/// the certificate beside localhost and 127.0.0.1; with any given, the hub listens on every interface and the
/// kiosk snippet uses the first.
Result<InitResult, std::string> initHub(const std::filesystem::path& dir, int port = 8443,
                                        const std::string& hosts = "");

/// A self-signed certificate request for localhost, 127.0.0.1 and `hosts` (comma-separated DNS names and IPv4
/// or IPv6 addresses); an error names the first entry that is neither.
Result<tls::CertificateRequest, std::string> certificateRequestFor(const std::string& hosts);

/// Replaces a hub's certificate and key files with a new self-signed pair for `hosts`.
Result<void, std::string> writeSelfSignedCertificate(const std::string& certFile, const std::string& keyFile,
                                                     const std::string& hosts);
/// The lines to put in a kiosk's kiosk.toml, with comments.
std::string kioskConfigSnippet(const InitResult& init);

bool isScope(const std::string& scope);
/// Creates a token and stores its hash; returns the token (shown once).
Result<std::string, std::string> createToken(HubStore& store, const std::string& name, const std::string& scope);

struct ImportReport {
    std::int64_t imported = 0;
    std::vector<std::string> errors;  ///< "members.csv:12: email: not an e-mail address"
};
/// CSV with a header naming member_id (required) and any of email, phone, first_name, points. Rows with
/// problems are reported by line and skipped; good rows are imported.
Result<ImportReport, std::string> importMembersCsv(HubStore& store, const std::filesystem::path& csv,
                                                   const std::string& phoneRegion);

}  // namespace touchpoint::hub
