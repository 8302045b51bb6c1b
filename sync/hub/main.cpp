// touchpoint-hub: the journey hub. Thin: parses arguments and calls the library.
//   touchpoint-hub --config FILE [--check-config]
//   touchpoint-hub init --dir DIR [--port N] [--host NAME[,NAME...]]
//   touchpoint-hub cert --config FILE --host NAME[,NAME...]
//   touchpoint-hub token add|revoke|list --config FILE [--scope S] [--name N]
//   touchpoint-hub members import --config FILE members.csv
//   touchpoint-hub bench ingest --store sqlite|postgres [--senders 4] [--n 200000] [--json]

#include <csignal>
#include <iostream>
#include <map>
#include <set>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "hub/bench_ingest.hpp"
#include "hub/admin/hub_admin.hpp"
#include "hub/http/hub_server.hpp"
#ifdef TOUCHPOINT_HUB_DASHBOARD
#include "hub/dashboard/hub_dashboard.hpp"
#endif

namespace {

using namespace touchpoint;
using namespace touchpoint::hub;

constexpr const char* kUsage =
    "usage:\n"
    "  touchpoint-hub --config FILE              run the hub\n"
    "  touchpoint-hub --config FILE --check-config\n"
    "  touchpoint-hub init --dir DIR [--port N] [--host NAME[,NAME...]]\n"
    "                                          certificate, keys, tokens and a working hub.toml\n"
    "  touchpoint-hub cert --config FILE --host NAME[,NAME...]\n"
    "                                          a new self-signed certificate for the names kiosks use\n"
    "  touchpoint-hub token add --config FILE --scope ingest|lookup|head-office --name NAME\n"
    "  touchpoint-hub token revoke --config FILE --name NAME\n"
    "  touchpoint-hub token list --config FILE\n"
    "  touchpoint-hub members import --config FILE members.csv\n"
    "  touchpoint-hub bench ingest --store sqlite|postgres [--senders 4] [--n 200000] [--json] [--dir /tmp]\n";

struct Args {
    std::vector<std::string> positional;
    std::map<std::string, std::string> options;  // --name value; flags map to "1"
    bool has(const std::string& k) const { return options.count(k) > 0; }
    std::string get(const std::string& k, const std::string& fallback = "") const {
        auto it = options.find(k);
        return it == options.end() ? fallback : it->second;
    }
};

Args parseArgs(int argc, char** argv) {
    static const std::set<std::string> kFlags{"--check-config", "--json", "--help"};
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string s = argv[i];
        if (s.rfind("--", 0) == 0) {
            if (kFlags.count(s) || i + 1 >= argc) a.options[s] = "1";
            else a.options[s] = argv[++i];
        } else {
            a.positional.push_back(s);
        }
    }
    return a;
}

Result<HubConfig, int> config(const Args& a) {
    if (!a.has("--config")) {
        std::cerr << "--config FILE is required\n" << kUsage;
        return Fail(2);
    }
    auto c = loadHubConfig(a.get("--config"));
    if (!c) {
        for (const auto& e : c.error()) std::cerr << e << "\n";
        return Fail(1);
    }
    return std::move(c).value();
}

Result<std::unique_ptr<HubStore>, int> store(const HubConfig& c) {
    HubConfig small = c;
    small.storeConnections = 1;
    auto s = openHubStore(c.storeUrl, small);
    if (!s) {
        std::cerr << "store: " << s.error().message << "\n";
        return Fail(1);
    }
    return std::move(s).value();
}

int serve(const Args& a) {
    auto c = config(a);
    if (!c) return c.error();
    if (a.has("--check-config")) {
        // Beyond syntax: the files it names must be readable.
        auto keys = readSealingKeys(*c);
        if (!keys) {
            std::cerr << c->sourcePath << ": sealing.secret_key_files: " << keys.error() << "\n";
            return 1;
        }
        event::Unsealer u;
        for (const auto& k : *keys) {
            if (auto r = u.addSecretKeyB64(k); !r) {
                std::cerr << c->sourcePath << ": sealing.secret_key_files: " << r.error() << "\n";
                return 1;
            }
        }
        for (const auto& f : {c->tlsCertFile, c->tlsKeyFile}) {
            if (!std::filesystem::exists(f)) {
                std::cerr << c->sourcePath << ": tls: " << f << " does not exist\n";
                return 1;
            }
        }
        std::cout << c->sourcePath << ": OK\n";
        return 0;
    }
    auto server = HubServer::create(std::move(c).value());
    if (!server) {
        std::cerr << server.error() << "\n";
        return 1;
    }
#ifdef TOUCHPOINT_HUB_DASHBOARD
    // The head-office dashboard at / (sign-in, pages, CSV) on the same server.
    (*server)->addRoutes(dashboard::hubDashboardRoutes());
#endif
    // run() handles SIGINT and SIGTERM itself: stop accepting, finish what is in flight, exit within ~2 s.
    auto r = (*server)->run();
    if (!r) {
        std::cerr << r.error() << "\n";
        return 1;
    }
    return 0;
}

int tokenCommand(const Args& a) {
    const std::string sub = a.positional.size() > 1 ? a.positional[1] : "";
    auto c = config(a);
    if (!c) return c.error();
    auto s = store(*c);
    if (!s) return s.error();
    if (sub == "add") {
        auto t = createToken(**s, a.get("--name"), a.get("--scope"));
        if (!t) {
            std::cerr << "token add: " << t.error() << "\n";
            return 1;
        }
        std::cout << *t << "\n";
        std::cerr << "Shown once; the hub stores only its hash.\n";
        return 0;
    }
    if (sub == "revoke") {
        auto r = (*s)->revokeToken(a.get("--name"));
        if (!r) {
            std::cerr << "token revoke: " << r.error().message << "\n";
            return 1;
        }
        if (!*r) {
            std::cerr << "token revoke: no live token named '" << a.get("--name") << "'\n";
            return 1;
        }
        std::cout << "revoked " << a.get("--name") << "\n";
        return 0;
    }
    if (sub == "list") {
        auto l = (*s)->listTokens();
        if (!l) {
            std::cerr << "token list: " << l.error().message << "\n";
            return 1;
        }
        for (const auto& t : *l) {
            std::cout << t.name << "\t" << t.scope << "\tcreated " << formatIsoUtcMs(t.createdMs)
                      << (t.revokedMs ? "\trevoked " + formatIsoUtcMs(*t.revokedMs) : std::string("\tactive")) << "\n";
        }
        return 0;
    }
    std::cerr << kUsage;
    return 2;
}

int membersCommand(const Args& a) {
    if (a.positional.size() < 3 || a.positional[1] != "import") {
        std::cerr << kUsage;
        return 2;
    }
    auto c = config(a);
    if (!c) return c.error();
    auto s = store(*c);
    if (!s) return s.error();
    auto r = importMembersCsv(**s, a.positional[2], c->loyalty.defaultPhoneRegion);
    if (!r) {
        std::cerr << r.error() << "\n";
        return 1;
    }
    for (const auto& e : r->errors) std::cerr << e << "\n";
    std::cout << "imported " << r->imported << " members, " << r->errors.size() << " rows skipped\n";
    return r->errors.empty() ? 0 : 1;
}

int certCommand(const Args& a) {
    if (!a.has("--host")) {
        std::cerr << "cert: --host NAME[,NAME...] is required (the names kiosks use in hub.url)\n";
        return 2;
    }
    auto c = config(a);
    if (!c) return c.error();
    if (auto r = certificateRequestFor(a.get("--host")); !r) {
        std::cerr << "cert: " << r.error() << "\n";
        return 2;
    }
    auto r = writeSelfSignedCertificate(c->tlsCertFile, c->tlsKeyFile, a.get("--host"));
    if (!r) {
        std::cerr << "cert: " << r.error() << "\n";
        return 1;
    }
    std::cout << "Wrote " << c->tlsCertFile << " and " << c->tlsKeyFile
              << ".\nRestart the hub, then copy " << c->tlsCertFile
              << " to every kiosk as its hub.ca_file: kiosks trust exactly this certificate.\n";
    return 0;
}

int initCommand(const Args& a) {
    if (!a.has("--dir")) {
        std::cerr << "init: --dir DIR is required\n";
        return 2;
    }
    int port = 8443;
    try {
        port = std::stoi(a.get("--port", "8443"));
    } catch (const std::exception&) {
        std::cerr << "init: --port must be a number\n";
        return 2;
    }
    if (auto names = certificateRequestFor(a.get("--host")); !names) {
        std::cerr << "init: " << names.error() << "\n";
        return 2;
    }
    auto r = initHub(a.get("--dir"), port, a.get("--host"));
    if (!r) {
        std::cerr << "init: " << r.error() << "\n";
        return 1;
    }
    std::cout << "Wrote " << r->configPath.string() << "\nRun: touchpoint-hub --config " << r->configPath.string()
              << "\n\n"
              << kioskConfigSnippet(*r);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const Args a = parseArgs(argc, argv);
    const std::string cmd = a.positional.empty() ? "" : a.positional[0];
    try {
        if (a.has("--help")) {
            std::cout << kUsage;
            return 0;
        }
        if (cmd.empty()) return serve(a);
        if (cmd == "init") return initCommand(a);
        if (cmd == "cert") return certCommand(a);
        if (cmd == "token") return tokenCommand(a);
        if (cmd == "members") return membersCommand(a);
        if (cmd == "bench" && a.positional.size() > 1 && a.positional[1] == "ingest") {
            BenchOptions o;
            o.store = a.get("--store", "sqlite");
            o.postgresUrl = a.get("--pg-url");
            o.senders = std::stoi(a.get("--senders", "4"));
            o.messages = std::stoll(a.get("--n", "200000"));
            o.json = a.has("--json");
            o.dir = a.get("--dir", "/tmp");
            return runIngestBench(o, std::cout, std::cerr);
        }
    } catch (const std::exception& e) {
        std::cerr << "touchpoint-hub: " << e.what() << "\n";
        return 1;
    }
    std::cerr << kUsage;
    return 2;
}
