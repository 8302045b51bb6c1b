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
    std::string kioskToken;        ///< kind kiosk, bound to storeId / kioskId
    std::string staffToken;        ///< kind staff, bound to the same kiosk
    std::string headOfficeToken;   ///< kind head-office, role admin
    std::string storeId;
    std::string kioskId;
    std::string sealingPublicKeyB64;
    std::string identityHashKeyB64;  ///< fresh key for the kiosks' identity hashes
    std::filesystem::path dataKeyFile;  ///< the hub's data key, outside DIR (privacy.data_key_file)
    bool dataKeyCreated = false;        ///< false: an existing key file was named and is used as it is
};

/// Creates DIR (mode 0700) with a certificate (SAN localhost, 127.0.0.1), the sealing key pair, hub.db,
/// hub.toml and three tokens (only their hashes are stored). Refuses to overwrite an existing hub.toml.
/// `hosts`: the names kiosks will use for the hub (DNS names and IP addresses, comma-separated). They go into
/// the certificate beside localhost and 127.0.0.1; with any given, the hub listens on every interface and the
/// kiosk snippet uses the first.
/// The first kiosk's tokens are bound to `storeId` / `kioskId`.
/// `dataKeyFile`: the hub's data key, which must not be in DIR; made (0600, its folder 0700) when it does not
/// exist, used as it is when it does (a key the package made as root). Empty: DIR's sibling folder
/// "<DIR>-keys/hub-data.key".
Result<InitResult, std::string> initHub(const std::filesystem::path& dir, int port = 8443,
                                        const std::string& hosts = "", const std::string& storeId = "store-1",
                                        const std::string& kioskId = "kiosk-1",
                                        const std::filesystem::path& dataKeyFile = {});

/// A self-signed certificate request for localhost, 127.0.0.1 and `hosts` (comma-separated DNS names and IPv4
/// or IPv6 addresses); an error names the first entry that is neither.
Result<tls::CertificateRequest, std::string> certificateRequestFor(const std::string& hosts);

/// Replaces a hub's certificate and key files with a new self-signed pair for `hosts`.
Result<void, std::string> writeSelfSignedCertificate(const std::string& certFile, const std::string& keyFile,
                                                     const std::string& hosts);
/// The lines to put in a kiosk's kiosk.toml, with comments.
std::string kioskConfigSnippet(const InitResult& init);

/// What a new token is (docs/OPERATIONS.md "Tokens"): kiosk (bound to one store and kiosk), web | app | server
/// (write keys, no bindings), staff (lookup, bound to its kiosk), head-office (with a role).
struct TokenSpec {
    std::string name;
    std::string kind;
    std::string storeId;
    std::string kioskId;
    std::string role;  ///< head-office: analyst | manager | admin
};

/// Why the combination cannot be a token ("" when it can): a missing or forbidden binding or role.
std::string tokenSpecError(const TokenSpec& spec);
/// The route scope a kind of token authenticates for: ingest | lookup | head-office.
std::string scopeOfKind(const std::string& kind);
/// Creates a token and stores its hash; returns the token (shown once).
Result<std::string, std::string> createToken(HubStore& store, const TokenSpec& spec);

struct ImportReport {
    std::int64_t imported = 0;
    std::vector<std::string> errors;  ///< "members.csv:12: email: not an e-mail address"
};
/// CSV with a header naming member_id (required) and any of email, phone, first_name, points. Rows with
/// problems are reported by line and skipped; good rows are imported.
Result<ImportReport, std::string> importMembersCsv(HubStore& store, const std::filesystem::path& csv,
                                                   const std::string& phoneRegion);

}  // namespace touchpoint::hub
