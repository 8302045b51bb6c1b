// touchpoint-hub: the journey hub. Thin: parses arguments and calls the library.
//   touchpoint-hub --config FILE [--check-config]
//   touchpoint-hub init --dir DIR [--port N] [--host NAME[,NAME...]] [--store S] [--kiosk K] [--data-key FILE]
//   touchpoint-hub cert --config FILE --host NAME[,NAME...]
//   touchpoint-hub token add --config FILE --name N --kind K [--store S --kiosk K] [--role R]
//   touchpoint-hub token bind --config FILE --name N --store S --kiosk K   (a token migrated unbound)
//   touchpoint-hub token role --config FILE --name N --role R          (a head-office token's role)
//   touchpoint-hub token revoke|list --config FILE [--name N]
//   touchpoint-hub members import --config FILE members.csv
//   touchpoint-hub keys create --file FILE                             (the hub's data key, 0600)
//   touchpoint-hub keys rotate --config FILE [--batch N] [--max-rows N]  (everything under the current key)
//   touchpoint-hub keys status --config FILE                   (what each key of the file is still needed for)
//   touchpoint-hub notifications replay|status --config FILE   (dead letters due again; the queue by state)
//   touchpoint-hub publish --config FILE --name N --file doc.json [--scope S] [--starts-at ISO]
//   touchpoint-hub publish rollback --config FILE --scope S --config-version ID [--starts-at ISO]
//   touchpoint-hub publish list --config FILE                  (kiosk configuration: admin/publish_command.hpp)
// Arguments through CLI11 (common/cli.hpp): --help on every subcommand, anything unknown refused with exit 2.

#include <sys/resource.h>

#include <csignal>
#include <iostream>

#include "common/cli.hpp"
#include "common/clock.hpp"
#include "common/log.hpp"
#include "hub/admin/backup_command.hpp"
#include "hub/admin/hub_admin.hpp"
#include "hub/admin/keys_command.hpp"
#include "hub/admin/publish_command.hpp"
#include "hub/http/hub_server.hpp"
#include "hub/privacy/data_key.hpp"
#ifdef TOUCHPOINT_HUB_DASHBOARD
#include "hub/dashboard/hub_dashboard.hpp"
#endif

namespace {

using namespace touchpoint;
using namespace touchpoint::hub;

/// What the command line asked for; each subcommand fills its part.
struct Options {
    std::string config;
    bool checkConfig = false;
    std::string dir;
    int port = 8443;
    std::string host;
    TokenSpec token;  ///< token add / bind / role
    std::string initStore = "store-1";  ///< init: the first kiosk's tokens are bound to these
    std::string initKiosk = "kiosk-1";
    std::string membersCsv;
    std::string dataKeyFile;  ///< init --data-key, keys create --file
    PublishOptions publish;
    std::string backupFile;  ///< backup --to
    KeyRotationOptions rotation;  ///< keys rotate
    std::int64_t maxRows = 0;     ///< keys rotate --max-rows (0: no limit)
};

Result<HubConfig, int> config(const Options& a) {
    auto c = loadHubConfig(a.config);
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

/// Every connection costs a descriptor, and the usual soft limit (1,024) is far below the connections one hub
/// holds (limits.max_connections): raise the soft limit to the hard one, which systemd (LimitNOFILE) or the
/// administrator sets, and say what we got.
void raiseDescriptorLimit() {
    rlimit l{};
    if (::getrlimit(RLIMIT_NOFILE, &l) != 0) return;
    const auto before = l.rlim_cur;
    if (l.rlim_cur != l.rlim_max) {
        l.rlim_cur = l.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &l) != 0) ::getrlimit(RLIMIT_NOFILE, &l);
    }
    auto text = [](rlim_t v) { return v == RLIM_INFINITY ? std::string("unlimited") : std::to_string(v); };
    log::info("hub", "open file limit", {{"soft", text(l.rlim_cur)}, {"hard", text(l.rlim_max)}, {"was", text(before)}});
}

int serve(const Options& a) {
    auto c = config(a);
    if (!c) return c.error();
    if (a.checkConfig) {
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
        if (auto dataKeys = privacy::DataKeys::readFile(c->dataKeyFile); !dataKeys) {
            std::cerr << c->sourcePath << ": privacy.data_key_file: " << dataKeys.error() << "\n";
            return 1;
        }
        for (const auto& f : {c->tlsCertFile, c->tlsKeyFile}) {
            if (!std::filesystem::exists(f)) {
                std::cerr << c->sourcePath << ": tls: " << f << " does not exist\n";
                return 1;
            }
        }
        if (auto t = makeNotificationTransport(c->notifications); !t) {
            std::cerr << c->sourcePath << ": notifications: " << t.error() << "\n";
            return 1;
        }
        std::cout << c->sourcePath << ": OK\n";
        return 0;
    }
    raiseDescriptorLimit();
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

int tokenCommand(const std::string& sub, const Options& a) {
    auto c = config(a);
    if (!c) return c.error();
    auto s = store(*c);
    if (!s) return s.error();
    if (sub == "add") {
        auto t = createToken(**s, a.token);
        if (!t) {
            std::cerr << "token add: " << t.error() << "\n";
            return 1;
        }
        std::cout << *t << "\n";
        std::cerr << "Shown once; the hub stores only its hash.\n";
        return 0;
    }
    // bind, role, revoke: one change to the live token of that name; false when there is none to change.
    auto changed = [&](const char* what, const StoreResult<bool>& r, const std::string& none, const std::string& done) {
        if (!r) {
            std::cerr << "token " << what << ": " << r.error().message << "\n";
            return 1;
        }
        if (!*r) {
            std::cerr << "token " << what << ": no live " << none << " named '" << a.token.name << "'\n";
            return 1;
        }
        std::cout << done << "\n";
        return 0;
    };
    if (sub == "bind") {
        return changed("bind", (*s)->bindToken(a.token.name, a.token.storeId, a.token.kioskId),
                       "unbound kiosk or staff token",
                       "bound " + a.token.name + " to store " + a.token.storeId + ", kiosk " + a.token.kioskId);
    }
    if (sub == "role") {
        // Dashboard sessions opened with the token end on their next request.
        return changed("role", (*s)->setTokenRole(a.token.name, a.token.role), "head-office token",
                       a.token.name + " now has role " + a.token.role);
    }
    if (sub == "revoke") {
        return changed("revoke", (*s)->revokeToken(a.token.name), "token", "revoked " + a.token.name);
    }
    if (sub == "list") {
        auto l = (*s)->listTokens();
        if (!l) {
            std::cerr << "token list: " << l.error().message << "\n";
            return 1;
        }
        for (const auto& t : *l) {
            std::string what = t.kind;
            if (!t.storeId.empty()) what += " store=" + t.storeId + " kiosk=" + t.kioskId;
            if (!t.role.empty()) what += " role=" + t.role;
            if ((t.kind == "kiosk" || t.kind == "staff") && t.storeId.empty()) what += " UNBOUND (token bind)";
            std::cout << t.name << "\t" << what << "\tcreated " << formatIsoUtcMs(t.createdMs)
                      << (t.revokedMs ? "\trevoked " + formatIsoUtcMs(*t.revokedMs) : std::string("\tactive")) << "\n";
        }
        return 0;
    }
    return cli::kUsageExit;  // CLI11 requires one of the subcommands
}

int membersImportCommand(const Options& a) {
    auto c = config(a);
    if (!c) return c.error();
    auto s = store(*c);
    if (!s) return s.error();
    auto r = importMembersCsv(**s, a.membersCsv, c->loyalty.defaultPhoneRegion);
    if (!r) {
        std::cerr << r.error() << "\n";
        return 1;
    }
    for (const auto& e : r->errors) std::cerr << e << "\n";
    std::cout << "imported " << r->imported << " members, " << r->errors.size() << " rows skipped\n";
    return r->errors.empty() ? 0 : 1;
}

int keysCreateCommand(const Options& a) {
    auto id = privacy::createDataKeyFile(a.dataKeyFile);
    if (!id) {
        std::cerr << "keys create: " << id.error() << "\n";
        return 1;
    }
    std::cout << "Made data key " << *id << " in " << a.dataKeyFile
              << ".\nName it in the hub's config: [privacy] data_key_file = \"" << a.dataKeyFile << "\"\n";
    return 0;
}

/// keys rotate and keys status: on the store the config names, with the key file it names (no key file, or a
/// value sealed under a key the file lacks, is an error before anything changes).
int keysStoreCommand(bool rotate, const Options& a) {
    auto c = config(a);
    if (!c) return c.error();
    auto s = store(*c);
    if (!s) return s.error();
    if (!rotate) return keysStatusCommand(**s, std::cout, std::cerr);
    KeyRotationOptions options = a.rotation;
    if (a.maxRows > 0) options.maxRows = a.maxRows;
    return keysRotateCommand(**s, options, std::cout, std::cerr);
}

int notificationsCommand(const std::string& what, const Options& a) {
    auto c = config(a);
    if (!c) return c.error();
    auto s = store(*c);
    if (!s) return s.error();
    if (what == "replay") {
        auto n = (*s)->cases().replayDeadNotifications(SystemClock::instance().utcMs());
        if (!n) {
            std::cerr << "store: " << n.error().message << "\n";
            return 1;
        }
        std::cout << "replayed " << *n << " dead notifications; a running hub delivers them\n";
        return 0;
    }
    auto states = (*s)->cases().notificationStates();
    if (!states) {
        std::cerr << "store: " << states.error().message << "\n";
        return 1;
    }
    for (const auto& [state, n] : *states) std::cout << state << " " << n << "\n";
    return 0;
}

int backupCommand(const Options& a) {
    auto c = config(a);
    if (!c) return c.error();
    auto s = store(*c);
    if (!s) return s.error();
    if (auto r = backupStore(**s, a.backupFile); !r) {
        std::cerr << "backup: " << r.error() << "\n";
        return 1;
    }
    std::cout << "backup written to " << a.backupFile << " (the data key is not in it)\n";
    return 0;
}

int certCommand(const Options& a) {
    auto c = config(a);
    if (!c) return c.error();
    if (auto r = certificateRequestFor(a.host); !r) {
        std::cerr << "cert: " << r.error() << "\n";
        return 2;
    }
    auto r = writeSelfSignedCertificate(c->tlsCertFile, c->tlsKeyFile, a.host);
    if (!r) {
        std::cerr << "cert: " << r.error() << "\n";
        return 1;
    }
    std::cout << "Wrote " << c->tlsCertFile << " and " << c->tlsKeyFile
              << ".\nRestart the hub, then copy " << c->tlsCertFile
              << " to every kiosk as its hub.ca_file: kiosks trust exactly this certificate.\n";
    return 0;
}

int initCommand(const Options& a) {
    if (auto names = certificateRequestFor(a.host); !names) {
        std::cerr << "init: " << names.error() << "\n";
        return 2;
    }
    auto r = initHub(a.dir, a.port, a.host, a.initStore, a.initKiosk, a.dataKeyFile);
    if (!r) {
        std::cerr << "init: " << r.error() << "\n";
        return 1;
    }
    std::cout << (r->dataKeyCreated ? "Made the data key " : "Uses the data key ") << r->dataKeyFile.string()
              << ": keep it apart from the database and its backups, and back it up on its own.\n";
    std::cout << "Wrote " << r->configPath.string() << "\nRun: touchpoint-hub --config " << r->configPath.string()
              << "\n\n"
              << kioskConfigSnippet(*r);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    CLI::App app{"The journey hub. Without a subcommand it runs the hub named by --config.", "touchpoint-hub"};
    app.add_option("--config", o.config, "the hub's TOML config");
    app.add_flag("--check-config", o.checkConfig, "check the config and the files it names, then exit");

    auto* init = app.add_subcommand("init", "certificate, keys, tokens and a working hub.toml in a new folder");
    init->add_option("--dir", o.dir, "the folder to create")->required();
    init->add_option("--port", o.port, "the port kiosks connect to")->check(CLI::Range(0, 65535))->capture_default_str();
    init->add_option("--host", o.host, "NAME[,NAME...]: the names kiosks use in hub.url (certificate names)");
    init->add_option("--store", o.initStore, "the first kiosk's store id (its tokens are bound to it)")
        ->capture_default_str();
    init->add_option("--kiosk", o.initKiosk, "the first kiosk's id")->capture_default_str();
    init->add_option("--data-key", o.dataKeyFile,
                     "the hub's data key file, outside DIR (made if missing; default: DIR-keys/hub-data.key)");

    auto* cert = app.add_subcommand("cert", "a new self-signed certificate for the names kiosks use");
    cert->add_option("--config", o.config, "the hub's TOML config")->required();
    cert->add_option("--host", o.host, "NAME[,NAME...]: the names kiosks use in hub.url")->required();

    auto* token = app.add_subcommand("token", "API tokens: add, bind, role, revoke, list");
    token->require_subcommand(1);
    auto* tokenAdd = token->add_subcommand("add", "a new token, shown once (the hub stores only its hash)");
    auto* tokenBind = token->add_subcommand("bind", "bind a kiosk or staff token made before token kinds");
    auto* tokenRole = token->add_subcommand("role", "change a head-office token's role (its dashboard sessions end)");
    auto* tokenRevoke = token->add_subcommand("revoke", "revoke the live token with this name");
    auto* tokenList = token->add_subcommand("list", "every token with its kind, bindings, role and state");
    for (auto* sub : {tokenAdd, tokenBind, tokenRole, tokenRevoke, tokenList}) {
        sub->add_option("--config", o.config, "the hub's TOML config")->required();
    }
    tokenAdd->add_option("--kind", o.token.kind,
                         "kiosk (bound to --store/--kiosk), web, app, server (write keys), staff (lookup, bound to "
                         "--store/--kiosk) or head-office (--role)")
        ->required()
        ->check(CLI::IsMember({"kiosk", "web", "app", "server", "staff", "head-office"}));
    tokenAdd->add_option("--name", o.token.name, "who holds it (e.g. the kiosk id)")->required();
    tokenAdd->add_option("--role", o.token.role, "head-office: analyst (read), manager, admin (tokens, erasure, keys)")
        ->check(CLI::IsMember({"analyst", "manager", "admin"}));
    for (auto* sub : {tokenAdd, tokenBind}) {
        sub->add_option("--store", o.token.storeId, "kiosk and staff tokens: the store id it speaks for");
        sub->add_option("--kiosk", o.token.kioskId, "kiosk and staff tokens: the kiosk id it speaks for");
    }
    tokenBind->add_option("--name", o.token.name, "the token's name")->required();
    tokenBind->get_option("--store")->required();
    tokenBind->get_option("--kiosk")->required();
    tokenRole->add_option("--name", o.token.name, "the token's name")->required();
    tokenRole->add_option("--role", o.token.role, "analyst, manager or admin")
        ->required()
        ->check(CLI::IsMember({"analyst", "manager", "admin"}));
    tokenRevoke->add_option("--name", o.token.name, "the token's name")->required();

    auto* members = app.add_subcommand("members", "loyalty members");
    members->require_subcommand(1);
    auto* membersImport = members->add_subcommand("import", "import members from a CSV file");
    membersImport->add_option("--config", o.config, "the hub's TOML config")->required();
    membersImport->add_option("file", o.membersCsv, "members.csv")->required();

    auto* keys = app.add_subcommand("keys", "the hub's data key (docs/OPERATIONS.md \"Personal data\")");
    keys->require_subcommand(1);
    auto* keysCreate = keys->add_subcommand("create", "a new data key file (0600); never overwrites one");
    keysCreate->add_option("--file", o.dataKeyFile, "where to write it, outside the database's folder")->required();
    auto* keysRotate = keys->add_subcommand(
        "rotate", "re-seal every value and re-tag every identifier under the current (first) key, while hubs run");
    auto* keysStatus = keys->add_subcommand("status", "per key of the file: values and tags under it; changes nothing");
    for (auto* sub : {keysRotate, keysStatus}) {
        sub->add_option("--config", o.config, "the hub's TOML config (its store and data key file)")->required();
    }
    keysRotate->add_option("--batch", o.rotation.batch, "rows per committed transaction")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    keysRotate->add_option("--max-rows", o.maxRows, "stop after changing N rows (run again to go on)")
        ->check(CLI::PositiveNumber);
    auto* notifications = app.add_subcommand("notifications", "the alert and case notification queue");
    notifications->require_subcommand(1);
    auto* notificationsReplay = notifications->add_subcommand("replay", "make every dead notification due again");
    auto* notificationsStatus = notifications->add_subcommand("status", "notifications by state");
    for (auto* sub : {notificationsReplay, notificationsStatus}) {
        sub->add_option("--config", o.config, "the hub's TOML config")->required();
    }

    auto* backup = app.add_subcommand("backup", "a consistent copy of the SQLite store, taken while the hub runs");
    backup->add_option("--config", o.config, "the hub's TOML config")->required();
    backup->add_option("--to", o.backupFile, "the new file (never an existing one; keep it apart from the key)")
        ->required();

    auto* publish = app.add_subcommand("publish", "publish kiosk configuration (surveys, texts, settings) to the fleet");
    auto* publishRollback = publish->add_subcommand("rollback", "assign an earlier config version again (history kept)");
    auto* publishList = publish->add_subcommand("list", "every published revision, assignment and region");
    // Required on each leaf; on `publish` itself checked below (CLI11 would ask it of `publish rollback` too).
    publish->add_option("--config", o.config, "the hub's TOML config");
    for (auto* sub : {publishRollback, publishList}) {
        sub->add_option("--config", o.config, "the hub's TOML config")->required();
    }
    publish->add_option("--name", o.publish.name, "the document's name ([A-Za-z0-9_.-], up to 64)");
    publish->add_option("--file", o.publish.file, "the document (JSON, sync/content/fleet_document.hpp)");
    for (auto* sub : {publish, publishRollback}) {
        sub->add_option("--scope", o.publish.scope, "all | region:R | store:S | kiosk:S/K (publish: none = not assigned)");
        sub->add_option("--starts-at", o.publish.startsAt, "ISO-8601 time it applies from (default now)");
    }
    publishRollback->get_option("--scope")->required();
    publishRollback->add_option("--config-version", o.publish.configVersion, "the document to assign again")
        ->required()
        ->check(CLI::PositiveNumber);

    if (auto exit = cli::parse(app, argc, argv)) return *exit;
    try {
        if (*init) return initCommand(o);
        if (*cert) return certCommand(o);
        if (*keysCreate) return keysCreateCommand(o);
        if (*keysRotate) return keysStoreCommand(true, o);
        if (*keysStatus) return keysStoreCommand(false, o);
        if (*tokenAdd) {
            // A combination no token can have is a usage error, like an unknown option.
            if (auto why = tokenSpecError(o.token); !why.empty()) return cli::refuse(*tokenAdd, why);
            return tokenCommand("add", o);
        }
        if (*tokenBind) return tokenCommand("bind", o);
        if (*tokenRole) return tokenCommand("role", o);
        if (*tokenRevoke) return tokenCommand("revoke", o);
        if (*tokenList) return tokenCommand("list", o);
        if (*membersImport) return membersImportCommand(o);
        if (*notificationsReplay) return notificationsCommand("replay", o);
        if (*notificationsStatus) return notificationsCommand("status", o);
        if (*backup) return backupCommand(o);
        if (*publishRollback || *publishList || *publish) {
            if (!*publishRollback && !*publishList &&
                (o.config.empty() || o.publish.name.empty() || o.publish.file.empty())) {
                return cli::refuse(*publish, "--config, --name and --file are required");
            }
            auto c = config(o);
            if (!c) return c.error();
            if (*publishRollback) return publishRollbackCommand(*c, o.publish, std::cout, std::cerr);
            if (*publishList) return publishListCommand(*c, std::cout, std::cerr);
            return publishCommand(*c, o.publish, std::cout, std::cerr);
        }
        if (o.config.empty()) return cli::refuse(app, "--config FILE is required");
        return serve(o);
    } catch (const std::exception& e) {
        std::cerr << "touchpoint-hub: " << e.what() << "\n";
        return 1;
    }
}
