#pragma once
// What the `touchpoint-hub` commands do, as library functions (tests call them directly):
// `init`, token management and the member CSV import.

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "hub/hub_store.hpp"

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
Result<InitResult, std::string> initHub(const std::filesystem::path& dir, int port = 8443);
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
