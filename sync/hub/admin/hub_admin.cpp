#include "hub/admin/hub_admin.hpp"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "common/text.hpp"
#include "common/tls_cert.hpp"
#include "event/sealing.hpp"
#include "hub/ingest/identity.hpp"
#include "hub/ingest/token_claims.hpp"
#include "hub/privacy/data_key.hpp"

namespace touchpoint::hub {

namespace {

/// Splits one CSV line (RFC 4180 quoting, no embedded newlines).
std::vector<std::string> splitCsv(const std::string& line) {
    std::vector<std::string> out(1);
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                out.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                out.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.emplace_back();
        } else if (c != '\r') {
            out.back() += c;
        }
    }
    return out;
}

}  // namespace

namespace {

/// Store and kiosk ids as kiosks send them: 1..64 printable ASCII characters without spaces.
bool isBindingId(const std::string& id) {
    return !id.empty() && id.size() <= 64 &&
           std::all_of(id.begin(), id.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

std::string scopeOfKind(const std::string& kind) {
    if (kind == kKindStaff) return "lookup";
    if (kind == kKindHeadOffice) return "head-office";
    return "ingest";
}

std::string tokenSpecError(const TokenSpec& s) {
    if (s.name.empty() || s.name.size() > 64) return "name must be 1..64 characters";
    const bool bound = s.kind == kKindKiosk || s.kind == kKindStaff;
    if (!bound && !isSourceKind(s.kind) && s.kind != kKindHeadOffice) {
        return "kind must be kiosk, web, app, server, staff or head-office";
    }
    if (bound && (!isBindingId(s.storeId) || !isBindingId(s.kioskId))) {
        return "a " + s.kind + " token needs --store and --kiosk (1..64 characters, no spaces)";
    }
    if (!bound && (!s.storeId.empty() || !s.kioskId.empty())) return "only kiosk and staff tokens take --store and --kiosk";
    if (s.kind == kKindHeadOffice) {
        if (s.role != kRoleAnalyst && s.role != kRoleManager && s.role != kRoleAdmin) {
            return "a head-office token needs --role analyst, manager or admin";
        }
    } else if (!s.role.empty()) {
        return "only head-office tokens take --role";
    }
    return {};
}

Result<std::string, std::string> createToken(HubStore& store, const TokenSpec& spec) {
    if (auto why = tokenSpecError(spec); !why.empty()) return Fail(why);
    const auto token = newToken();
    TokenRecord record;
    record.name = spec.name;
    record.scope = scopeOfKind(spec.kind);
    record.kind = spec.kind;
    record.storeId = spec.storeId;
    record.kioskId = spec.kioskId;
    record.role = spec.role;
    if (auto r = store.addToken(tokenHash(token), record); !r) return Fail(r.error().message);
    return token;
}

Result<tls::CertificateRequest, std::string> certificateRequestFor(const std::string& hosts) {
    tls::CertificateRequest req;
    std::stringstream list(hosts);
    for (std::string host; std::getline(list, host, ',');) {
        host = std::string(trim(host));
        if (host.empty()) continue;
        in6_addr v6{};
        in_addr v4{};
        if (inet_pton(AF_INET, host.c_str(), &v4) == 1 || inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
            if (std::find(req.ipAddresses.begin(), req.ipAddresses.end(), host) == req.ipAddresses.end()) {
                req.ipAddresses.push_back(host);
            }
            continue;
        }
        // A DNS name: dot-separated labels of letters, digits and inner hyphens (RFC 1123).
        bool valid = host.size() <= 253;
        std::stringstream labels(host);
        for (std::string label; valid && std::getline(labels, label, '.');) {
            valid = !label.empty() && label.size() <= 63 && label.front() != '-' && label.back() != '-' &&
                    std::all_of(label.begin(), label.end(), [](unsigned char c) { return std::isalnum(c) || c == '-'; });
        }
        if (!valid || host.back() == '.') return Fail("--host: \"" + host + "\" is neither a DNS name nor an IP address");
        std::transform(host.begin(), host.end(), host.begin(), [](unsigned char c) { return std::tolower(c); });
        if (std::find(req.dnsNames.begin(), req.dnsNames.end(), host) == req.dnsNames.end()) {
            if (req.commonName == "localhost") req.commonName = host;
            req.dnsNames.push_back(host);
        }
    }
    // Self-signed certificates are renewed by hand, so they last long; kiosks pin this exact certificate.
    req.notAfterOffset = std::chrono::hours(24 * 825);
    return req;
}

Result<void, std::string> writeSelfSignedCertificate(const std::string& certFile, const std::string& keyFile,
                                                     const std::string& hosts) {
    auto req = certificateRequestFor(hosts);
    if (!req) return Fail(req.error());
    auto pem = tls::makeCertificate(*req);
    if (!pem) return Fail("certificate: " + pem.error());
    // Key first: a hub restarted between the two writes fails to start rather than serving a mismatched pair.
    if (auto r = tls::writeFileAtomically(keyFile, pem->privateKey, 0600); !r) return Fail(r.error());
    if (auto r = tls::writeFileAtomically(certFile, pem->certificate, 0644); !r) return Fail(r.error());
    return {};
}

Result<InitResult, std::string> initHub(const std::filesystem::path& dir, int port, const std::string& hosts,
                                        const std::string& storeId, const std::string& kioskId,
                                        const std::filesystem::path& dataKeyFile) {
    auto request = certificateRequestFor(hosts);
    if (!request) return Fail(request.error());
    const auto absDir = std::filesystem::absolute(dir).lexically_normal();
    const auto dirName = absDir.has_filename() ? absDir : absDir.parent_path();
    const auto dataKey = dataKeyFile.empty()
                             ? dirName.parent_path() / (dirName.filename().string() + "-keys") / "hub-data.key"
                             : std::filesystem::absolute(dataKeyFile).lexically_normal();
    if (dataKey.parent_path() == dirName) {
        return Fail("--data-key: " + dataKey.string() + " is in " + dirName.string() +
                    ", the database's folder; keep the data key apart (a copy of the folder would carry it)");
    }
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return Fail("create " + dir.string() + ": " + ec.message());
    ::chmod(dir.c_str(), 0700);
    const auto abs = std::filesystem::absolute(dir);
    InitResult out;
    out.configPath = abs / "hub.toml";
    if (std::filesystem::exists(out.configPath)) return Fail(out.configPath.string() + " exists; not overwriting it");
    out.dataKeyFile = dataKey;
    if (!std::filesystem::exists(dataKey, ec)) {
        auto made = privacy::createDataKeyFile(dataKey);
        if (!made) return Fail("data key: " + made.error());
        out.dataKeyCreated = true;
    }

    auto pem = tls::makeCertificate(*request);
    if (!pem) return Fail("certificate: " + pem.error());
    out.caFile = abs / "hub-cert.pem";
    const auto keyFile = abs / "hub-key.pem";
    if (auto r = tls::writeFileAtomically(out.caFile.string(), pem->certificate, 0644); !r) return Fail(r.error());
    if (auto r = tls::writeFileAtomically(keyFile.string(), pem->privateKey, 0600); !r) return Fail(r.error());

    const auto keys = event::generateSealingKeyPair();
    out.sealingPublicKeyB64 = keys.publicKeyB64;
    const auto secretFile = abs / "sealing-secret.key";
    if (auto r = tls::writeFileAtomically(secretFile.string(), keys.secretKeyB64 + "\n", 0600); !r) return Fail(r.error());
    if (auto r = tls::writeFileAtomically((abs / "sealing-public.key").string(), keys.publicKeyB64 + "\n", 0644); !r) {
        return Fail(r.error());
    }
    out.identityHashKeyB64 = event::IdentityHasher::generateKeyB64();
    const bool named = request->dnsNames.size() > 1 || request->ipAddresses.size() > 1;
    std::string urlHost = "127.0.0.1";
    if (request->dnsNames.size() > 1) {
        urlHost = request->dnsNames[1];
    } else if (request->ipAddresses.size() > 1) {
        const auto& ip = request->ipAddresses[1];
        urlHost = ip.find(':') == std::string::npos ? ip : "[" + ip + "]";
    }
    out.hubUrl = "https://" + urlHost + ":" + std::to_string(port);

    std::ostringstream toml;
    toml << "# touchpoint-hub configuration written by `touchpoint-hub init`.\n"
            "# See packaging/config/hub.toml for every setting. Relative paths are relative to this file.\n\n"
            "[server]\nlisten = \""
         << (named ? "0.0.0.0" : "127.0.0.1") << "\"\nport = "
         << port
         << "\nworker_threads = 8\n\n"
            "[tls]\ncert_file = \"hub-cert.pem\"\nkey_file = \"hub-key.pem\"\n\n"
            "[store]\nurl = \"sqlite://hub.db\"\n\n"
            "[sealing]\n# Current key first; keep retired keys listed until no kiosk queue holds data sealed to them.\n"
            "secret_key_files = [\"sealing-secret.key\"]\n\n"
            "[privacy]\n# The hub's data key, kept apart from the database and its backups (OPERATIONS.md).\n"
            "data_key_file = \""
         << dataKey.string()
         << "\"\n\n"
            "[loyalty]\npoints_per_checkin = 10\ncooldown_hours = 3\nvelocity_per_day = 5\n";
    if (auto r = tls::writeFileAtomically(out.configPath.string(), toml.str(), 0600); !r) return Fail(r.error());

    HubConfig config;
    config.storeUrl = "sqlite://" + (abs / "hub.db").string();
    config.storeConnections = 1;
    if (out.dataKeyCreated) config.dataKeyFile = dataKey.string();  // a key made elsewhere may not be ours to read
    auto store = openHubStore(config.storeUrl, config);
    if (!store) return Fail("store: " + store.error().message);
    ::chmod((abs / "hub.db").c_str(), 0600);  // holds personal data once shoppers sign in
    auto kiosk = createToken(**store, {kioskId, std::string(kKindKiosk), storeId, kioskId, ""});
    if (!kiosk) return Fail("kiosk token: " + kiosk.error());
    auto staff = createToken(**store, {"staff-" + kioskId, std::string(kKindStaff), storeId, kioskId, ""});
    auto office = createToken(**store, {"head-office", std::string(kKindHeadOffice), "", "", std::string(kRoleAdmin)});
    if (!staff || !office) return Fail(std::string("could not store the first tokens"));
    out.storeId = storeId;
    out.kioskId = kioskId;
    out.kioskToken = *kiosk;
    out.staffToken = *staff;
    out.headOfficeToken = *office;
    return out;
}

std::string kioskConfigSnippet(const InitResult& i) {
    std::ostringstream s;
    s << "# --- for each kiosk's kiosk.toml (give every kiosk its own token: touchpoint-hub token add --kind kiosk) ---\n"
         "# These tokens speak for store \""
      << i.storeId << "\", kiosk \"" << i.kioskId
      << "\" only: set [device] store_id and kiosk_id to those.\n"
         "[hub]\nurl = \""
      << i.hubUrl << "\"\ntoken = \"" << i.kioskToken << "\"\nstaff_token = \"" << i.staffToken
      << "\"\nca_file = \"" << i.caFile.string()
      << "\"\n\n[privacy]\nsealing_public_key = \"" << i.sealingPublicKeyB64 << "\"\nidentity_hash_key = \""
      << i.identityHashKeyB64 << "\"\n\n# --- head office (exports, stats, dashboard) ---\n# token: "
      << i.headOfficeToken << "\n# Tokens are shown only now; the hub keeps their hashes.\n";
    return s.str();
}

Result<ImportReport, std::string> importMembersCsv(HubStore& store, const std::filesystem::path& csv,
                                                   const std::string& phoneRegion) {
    std::ifstream in(csv);
    if (!in) return Fail("cannot open " + csv.string());
    std::string line;
    if (!std::getline(in, line)) return Fail(csv.string() + ": empty file");
    const auto header = splitCsv(line);
    int colId = -1, colEmail = -1, colPhone = -1, colName = -1, colPoints = -1;
    for (std::size_t i = 0; i < header.size(); ++i) {
        const auto h = trim(header[i]);
        const int idx = static_cast<int>(i);
        if (h == "member_id") colId = idx;
        if (h == "email") colEmail = idx;
        if (h == "phone") colPhone = idx;
        if (h == "first_name") colName = idx;
        if (h == "points") colPoints = idx;
    }
    if (colId < 0) return Fail(csv.string() + ":1: header: member_id column is required");
    ImportReport report;
    int lineNo = 1;
    while (std::getline(in, line)) {
        ++lineNo;
        if (trim(line).empty()) continue;
        const auto cells = splitCsv(line);
        auto cell = [&](int col) -> std::string {
            return col >= 0 && col < static_cast<int>(cells.size()) ? std::string(trim(cells[col])) : std::string();
        };
        const std::string where = csv.filename().string() + ":" + std::to_string(lineNo) + ": ";
        MemberImport m;
        m.memberId = cell(colId);
        if (m.memberId.empty() || m.memberId.size() > 64) {
            report.errors.push_back(where + "member_id: missing or too long");
            continue;
        }
        if (auto e = cell(colEmail); !e.empty()) {
            auto n = normalizeEmail(e);
            if (!n) {
                report.errors.push_back(where + "email: not an e-mail address");
                continue;
            }
            m.email = *n;
        }
        if (auto p = cell(colPhone); !p.empty()) {
            auto n = normalizePhone(p, phoneRegion);
            if (!n) {
                report.errors.push_back(where + "phone: not a possible phone number");
                continue;
            }
            m.phone = *n;
        }
        m.firstName = cell(colName);
        if (auto pts = cell(colPoints); !pts.empty()) {
            try {
                std::size_t used = 0;
                m.points = std::stoll(pts, &used);
                if (used != pts.size() || m.points < 0) throw std::invalid_argument("points");
            } catch (const std::exception&) {
                report.errors.push_back(where + "points: not a whole number >= 0");
                continue;
            }
        }
        if (auto r = store.importMember(m); !r) {
            report.errors.push_back(where + r.error().message);
            continue;
        }
        ++report.imported;
    }
    return report;
}

}  // namespace touchpoint::hub
