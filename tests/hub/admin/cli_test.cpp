// The real `touchpoint-hub` executable: init, --check-config, token commands, members import, and serving
// HTTPS until SIGTERM.

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <regex>
#include <thread>

#include "common/clock.hpp"
#include "hub_process.hpp"
#include "temp_dir.hpp"


namespace {

using touchpoint::testing::TempDir;
using touchpoint::testing::readFile;

using Run = touchpoint::hub::testing::CommandRun;

pid_t spawn(const std::vector<std::string>& args, const std::filesystem::path& out, const std::filesystem::path& err) {
    return touchpoint::hub::testing::spawnProgram(TOUCHPOINT_HUB_EXE, args, out, err);
}

using touchpoint::hub::testing::waitExit;

Run run(const TempDir& dir, const std::vector<std::string>& args) {
    return touchpoint::hub::testing::runProgram(TOUCHPOINT_HUB_EXE, dir.path(), args);
}

std::string tokenAfter(const std::string& text, const std::string& key) {
    std::smatch m;
    const std::regex re(key + R"( = "(tpk_[0-9a-f]{64})\")");
    return std::regex_search(text, m, re) ? m[1].str() : "";
}

/// `touchpoint-hub --config FILE` serving in the background; killed when the test ends whatever happens.
struct ServedHub {
    std::filesystem::path errFile;
    pid_t pid = -1;

    ServedHub(const TempDir& dir, const std::string& config) : errFile(dir / "serve.err") {
        pid = spawn({"--config", config}, dir / "serve.out", errFile);
    }
    ~ServedHub() {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    }
    /// The port from the "listening" log line (the config says port 0), or 0 after 15 s.
    int waitForPort() const {
        for (int i = 0; i < 300; ++i) {
            const auto log = readFile(errFile);
            const auto at = log.find("listening");
            const auto key = at == std::string::npos ? at : log.find(" port=", at);
            if (key != std::string::npos) return std::atoi(log.c_str() + key + 6);
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return 0;
    }
    /// A client that verifies the hub against its certificate, once the hub listens; null when it never did.
    std::unique_ptr<httplib::SSLClient> connect(const std::filesystem::path& caFile) const {
        const int port = waitForPort();
        if (port <= 0) return nullptr;
        auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", port);
        c->set_ca_cert_path(caFile.c_str());
        c->enable_server_certificate_verification(true);
        return c;
    }
    /// SIGTERM, then the exit code.
    int terminate() {
        kill(pid, SIGTERM);
        const int code = waitExit(pid);
        pid = -1;
        return code;
    }
};

TEST(HubCli, InitCheckConfigTokensMembersAndServe) {
    TempDir dir;
    const auto hubDir = dir / "hub";
    auto init = run(dir, {"init", "--dir", hubDir.string(), "--port", "0"});
    ASSERT_EQ(init.code, 0) << init.err;
    EXPECT_NE(init.out.find("sealing_public_key = \""), std::string::npos);
    EXPECT_NE(init.out.find("identity_hash_key = \""), std::string::npos);
    const auto kioskToken = tokenAfter(init.out, "token");
    ASSERT_FALSE(kioskToken.empty()) << init.out;
    // Only hashes are stored: the token text is nowhere in the hub's files.
    EXPECT_EQ(readFile(hubDir / "hub.db").find(kioskToken), std::string::npos);
    EXPECT_EQ(readFile(hubDir / "hub.toml").find(kioskToken), std::string::npos);
    EXPECT_NE(run(dir, {"init", "--dir", hubDir.string()}).code, 0);  // never overwrites

    const auto config = (hubDir / "hub.toml").string();
    auto check = run(dir, {"--config", config, "--check-config"});
    EXPECT_EQ(check.code, 0) << check.err;
    {
        std::ofstream bad(dir / "bad.toml");
        bad << "[server]\nport = \"x\"\n[store]\nurl = \"ftp://nope\"\n";
    }
    auto broken = run(dir, {"--config", (dir / "bad.toml").string(), "--check-config"});
    EXPECT_EQ(broken.code, 1);
    EXPECT_NE(broken.err.find("bad.toml:2: server.port: expected an integer"), std::string::npos) << broken.err;
    EXPECT_NE(broken.err.find("bad.toml:4: store.url:"), std::string::npos) << broken.err;

    auto added = run(dir, {"token", "add", "--config", config, "--kind", "kiosk", "--store", "store-1", "--kiosk", "kiosk-2", "--name", "kiosk-2"});
    ASSERT_EQ(added.code, 0) << added.err;
    const std::string token2 = added.out.substr(0, added.out.find('\n'));
    EXPECT_EQ(token2.rfind("tpk_", 0), 0u);
    EXPECT_NE(run(dir, {"token", "add", "--config", config, "--kind", "root", "--name", "x"}).code, 0);
    auto list = run(dir, {"token", "list", "--config", config});
    EXPECT_NE(list.out.find("kiosk-2\tkiosk store=store-1 kiosk=kiosk-2"), std::string::npos) << list.out;
    EXPECT_EQ(list.out.find("tpk_"), std::string::npos);
    EXPECT_EQ(run(dir, {"token", "revoke", "--config", config, "--name", "kiosk-2"}).code, 0);
    EXPECT_NE(run(dir, {"token", "revoke", "--config", config, "--name", "kiosk-2"}).code, 0);

    {
        std::ofstream csv(dir / "members.csv");
        csv << "member_id,email,points\nM-7,m7@example.com,50\n";
    }
    auto members = run(dir, {"members", "import", "--config", config, (dir / "members.csv").string()});
    EXPECT_EQ(members.code, 0) << members.err;
    EXPECT_NE(members.out.find("imported 1 members"), std::string::npos);

    // Serve: port 0 in the file, so read the bound port from the log line.
    ServedHub served(dir, config);
    const auto client = served.connect(hubDir / "hub-cert.pem");
    ASSERT_TRUE(client) << readFile(served.errFile);
    httplib::SSLClient& c = *client;
    auto health = c.Get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    c.set_bearer_token_auth(kioskToken.c_str());
    auto welcome = c.Get("/v1/profiles/welcome?member=M-7");
    ASSERT_TRUE(welcome);
    EXPECT_NE(welcome->body.find("\"found\":true"), std::string::npos) << welcome->body;
    c.set_bearer_token_auth(token2.c_str());
    auto revoked = c.Get("/v1/profiles/welcome?member=M-7");
    ASSERT_TRUE(revoked);
    EXPECT_EQ(revoked->status, 401);
    EXPECT_EQ(served.terminate(), 0);
    EXPECT_EQ(readFile(served.errFile).find(kioskToken), std::string::npos);  // tokens never logged
}

/// The subjectAltName entries of a PEM certificate, as "DNS:name" / "IP:address".
std::vector<std::string> subjectAltNames(const std::string& pemText) {
    std::vector<std::string> out;
    BIO* bio = BIO_new_mem_buf(pemText.data(), static_cast<int>(pemText.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!cert) return out;
    auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
        if (n->type == GEN_DNS) {
            out.push_back("DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)),
                                               static_cast<std::size_t>(ASN1_STRING_length(n->d.dNSName))));
        } else if (n->type == GEN_IPADD) {
            char text[INET6_ADDRSTRLEN] = {};
            const int len = ASN1_STRING_length(n->d.iPAddress);
            inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(n->d.iPAddress), text, sizeof text);
            out.push_back(std::string("IP:") + text);
        }
    }
    GENERAL_NAMES_free(names);
    X509_free(cert);
    return out;
}

TEST(HubCli, HostNamesGoIntoTheCertificateTheConfigAndTheKioskSnippet) {
    TempDir dir;
    const auto hubDir = dir / "hub";
    EXPECT_EQ(run(dir, {"init", "--dir", hubDir.string(), "--host", "hub.example.com,not a name"}).code, 2);
    EXPECT_FALSE(std::filesystem::exists(hubDir / "hub.toml"));  // nothing half-made

    auto init = run(dir, {"init", "--dir", hubDir.string(), "--host", "Hub.Example.com, 10.0.0.5,fd00::7"});
    ASSERT_EQ(init.code, 0) << init.err;
    EXPECT_NE(init.out.find("url = \"https://hub.example.com:8443\""), std::string::npos) << init.out;
    EXPECT_NE(readFile(hubDir / "hub.toml").find("listen = \"0.0.0.0\""), std::string::npos);
    EXPECT_EQ(subjectAltNames(readFile(hubDir / "hub-cert.pem")),
              (std::vector<std::string>{"DNS:localhost", "DNS:hub.example.com", "IP:127.0.0.1", "IP:10.0.0.5",
                                        "IP:fd00::7"}));

    const auto config = (hubDir / "hub.toml").string();
    const auto oldKey = readFile(hubDir / "hub-key.pem");
    EXPECT_EQ(run(dir, {"cert", "--config", config}).code, 2);
    EXPECT_EQ(run(dir, {"cert", "--config", config, "--host", "-bad-.example.com"}).code, 2);
    // The same name as an attached value reaches the name check rather than the argument parser.
    auto badName = run(dir, {"cert", "--config", config, "--host=-bad-.example.com"});
    EXPECT_EQ(badName.code, 2);
    EXPECT_NE(badName.err.find("cert: "), std::string::npos) << badName.err;
    auto cert = run(dir, {"cert", "--config", config, "--host", "kiosk-hub.store.example"});
    ASSERT_EQ(cert.code, 0) << cert.err;
    EXPECT_NE(cert.out.find("copy"), std::string::npos);
    EXPECT_EQ(subjectAltNames(readFile(hubDir / "hub-cert.pem")),
              (std::vector<std::string>{"DNS:localhost", "DNS:kiosk-hub.store.example", "IP:127.0.0.1"}));
    EXPECT_NE(readFile(hubDir / "hub-key.pem"), oldKey);
    EXPECT_EQ(run(dir, {"--config", config, "--check-config"}).code, 0);
}

/// A plaintext message as any SDK holding an ingest key may send it, captured now (the real hub's clock).
nlohmann::json sdkTrack(const std::string& id, const std::string& event, const nlohmann::json& properties) {
    return {{"type", "track"},
            {"messageId", id},
            {"timestamp", touchpoint::formatIsoUtcMs(touchpoint::SystemClock::instance().utcMs())},
            {"anonymousId", "visitor-" + id},
            {"event", event},
            {"properties", properties},
            {"context", {{"channel", "in_store_kiosk"}, {"storeId", "store-1"}, {"kioskId", "k1"}}}};
}

TEST(HubCli, HostileCommentAndNumbersNeitherCrashTheHubNorRejectTheirBatchMates) {
    // Once, a 30,000-digit comment was accepted and then every stats, dashboard and export request crashed the
    // hub (std::regex recursion), and a 5,000-digit number rejected its whole batch.
    TempDir dir;
    const auto hubDir = dir / "hub";
    // The kiosk token speaks for the store and kiosk the messages below name.
    auto init = run(dir, {"init", "--dir", hubDir.string(), "--port", "0", "--store", "store-1", "--kiosk", "k1"});
    ASSERT_EQ(init.code, 0) << init.err;
    const auto kioskToken = tokenAfter(init.out, "token");
    ASSERT_FALSE(kioskToken.empty()) << init.out;
    const auto config = (hubDir / "hub.toml").string();
    auto office = run(dir, {"token", "add", "--config", config, "--kind", "head-office", "--role", "analyst", "--name", "analyst"});
    ASSERT_EQ(office.code, 0) << office.err;
    const std::string officeToken = office.out.substr(0, office.out.find('\n'));

    ServedHub served(dir, config);
    const auto client = served.connect(hubDir / "hub-cert.pem");
    ASSERT_TRUE(client) << readFile(served.errFile);
    httplib::SSLClient& c = *client;
    c.set_read_timeout(60, 0);

    const std::string digits(30'000, '7');
    const std::string day = touchpoint::formatIsoUtcDay(touchpoint::SystemClock::instance().utcMs());
    auto hugeHeartbeat = sdkTrack("hb-huge", "Kiosk Heartbeat", {{"queueDepth", 1}}).dump();
    hugeHeartbeat.replace(hugeHeartbeat.find("\"queueDepth\":1"), 14, "\"queueDepth\":1e300");
    auto longNumber = sdkTrack("long-number", "Custom", {{"n", 1}}).dump();
    longNumber.replace(longNumber.find("\"n\":1"), 5, "\"n\":" + std::string(5000, '9'));
    const std::string body =
        "{\"batch\":[" +
        sdkTrack("digits", "Feedback Submitted", {{"answers", {{"nps", 3}}}, {"comment", digits}}).dump() + "," +
        hugeHeartbeat + "," + longNumber + "," + sdkTrack("hb-ok", "Kiosk Heartbeat", {{"queueDepth", 4}}).dump() +
        "]}";
    c.set_bearer_token_auth(kioskToken.c_str());
    auto posted = c.Post("/v1/batch", body, "application/json");
    ASSERT_TRUE(posted);
    ASSERT_EQ(posted->status, 200) << posted->body;
    const auto receipts = nlohmann::json::parse(posted->body)["receipts"];
    ASSERT_EQ(receipts.size(), 4u) << posted->body;
    EXPECT_EQ(receipts[0]["status"], "accepted");
    EXPECT_EQ(receipts[1]["status"], "rejected");
    EXPECT_EQ(receipts[1]["reason"], "properties.queueDepth: expected a whole number 0..9007199254740991");
    EXPECT_EQ(receipts[2]["status"], "rejected");
    EXPECT_EQ(receipts[2]["reason"], "properties.n: number longer than 64 characters or beyond the range of a double");
    EXPECT_EQ(receipts[3]["status"], "accepted");

    c.set_bearer_token_auth(officeToken.c_str());
    for (int round = 0; round < 2; ++round) {  // the crash was on every load, not only the first
        auto stats = c.Get("/v1/stats");
        ASSERT_TRUE(stats) << "hub gone: " << readFile(served.errFile).substr(0, 2000);
        ASSERT_EQ(stats->status, 200) << stats->body;
        const auto doc = nlohmann::json::parse(stats->body);
        ASSERT_EQ(doc["recentComments"].size(), 1u);
        EXPECT_EQ(doc["recentComments"][0]["text"], "[phone]");
        auto data = c.Get(("/dashboard/api/data?from=" + day + "&to=" + day).c_str());
        ASSERT_TRUE(data) << "hub gone: " << readFile(served.errFile).substr(0, 2000);
        EXPECT_EQ(data->status, 200) << data->body.substr(0, 500);
        EXPECT_EQ(data->body.find(digits.substr(0, 100)), std::string::npos);
        for (const char* format : {"csv", "json"}) {
            auto exported = c.Get(("/v1/export/feedback?format=" + std::string(format)).c_str());
            ASSERT_TRUE(exported) << "hub gone: " << readFile(served.errFile).substr(0, 2000);
            EXPECT_EQ(exported->status, 200) << exported->body.substr(0, 500);
            EXPECT_NE(exported->body.find("[phone]"), std::string::npos) << format;
            EXPECT_EQ(exported->body.find(digits.substr(0, 100)), std::string::npos) << format;
        }
    }
    auto health = c.Get("/healthz");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    EXPECT_EQ(served.terminate(), 0);
}

TEST(HubCli, UnknownOptionsAndMissingValuesAreRefusedWithExitCode2) {
    TempDir dir;
    const auto config = (dir / "hub.toml").string();
    auto expectRefused = [&](const std::vector<std::string>& args, const std::string& named) {
        const auto r = run(dir, args);
        EXPECT_EQ(r.code, 2) << args.size() << " args: " << r.err;
        EXPECT_NE(r.err.find(named), std::string::npos) << r.err;
        EXPECT_EQ(r.out, "");
    };
    expectRefused({"--config", config, "--no-such-option"}, "--no-such-option");
    expectRefused({"--config"}, "--config");
    expectRefused({}, "--config");
    expectRefused({"frobnicate"}, "frobnicate");
    expectRefused({"init", "--dir"}, "--dir");
    expectRefused({"init", "--dir", (dir / "h").string(), "--port", "eighty"}, "--port");
    expectRefused({"init", "--dir", (dir / "h").string(), "--port", "70000"}, "--port");
    expectRefused({"token", "add", "--config", config, "--kind", "web"}, "--name");
    expectRefused({"token", "add", "--config", config, "--kind", "root", "--name", "x"}, "--kind");
    // Combinations no token can have: a kiosk token without its binding, a write key claiming a store, a
    // head-office token without a role, a role on a kiosk token.
    expectRefused({"token", "add", "--config", config, "--kind", "kiosk", "--name", "x"}, "--store");
    expectRefused({"token", "add", "--config", config, "--kind", "web", "--store", "s", "--name", "x"}, "--store");
    expectRefused({"token", "add", "--config", config, "--kind", "head-office", "--name", "x"}, "--role");
    expectRefused({"token", "add", "--config", config, "--kind", "kiosk", "--store", "s", "--kiosk", "k", "--role",
                   "admin", "--name", "x"},
                  "--role");
    expectRefused({"token", "rename", "--config", config}, "subcommand is required");
    expectRefused({"token", "list", "--config", config, "--verbose"}, "--verbose");
    expectRefused({"members", "import", "--config", config}, "file");
    EXPECT_FALSE(std::filesystem::exists(dir / "h"));

    // --help on the program and on every subcommand prints that command's options and exits 0.
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"--help"}, {"init", "--help"}, {"cert", "--help"}, {"token", "add", "--help"},
          {"token", "revoke", "--help"}, {"token", "list", "--help"}, {"members", "import", "--help"}}) {
        const auto r = run(dir, args);
        EXPECT_EQ(r.code, 0) << args.back() << r.err;
        const std::string own = args.size() == 1 ? "--check-config" : args[0] == "init" ? "--dir" : "--config";
        EXPECT_NE(r.out.find(own), std::string::npos) << r.out;
    }
}

}  // namespace

namespace {

unsigned fileMode(const std::filesystem::path& p) {
    return static_cast<unsigned>(std::filesystem::status(p).permissions()) & 0777u;
}

TEST(HubCli, TheDataKeyLivesApartFromTheDatabaseAndTheHubRefusesToStartWithoutIt) {
    TempDir dir;
    const auto made = dir / "etc" / "hub-data.key";
    auto create = run(dir, {"keys", "create", "--file", made.string()});
    ASSERT_EQ(create.code, 0) << create.err;
    EXPECT_NE(create.out.find("data_key_file = \"" + made.string() + "\""), std::string::npos) << create.out;
    EXPECT_EQ(fileMode(made), 0600u);
    const auto key = readFile(made);
    auto again = run(dir, {"keys", "create", "--file", made.string()});
    EXPECT_EQ(again.code, 1);
    EXPECT_NE(again.err.find("not overwriting"), std::string::npos) << again.err;
    EXPECT_EQ(readFile(made), key);

    // init: a key of its own beside (not in) the folder, named in hub.toml; or the one given, used as it is.
    const auto hubDir = dir / "hub";
    auto init = run(dir, {"init", "--dir", hubDir.string(), "--port", "0"});
    ASSERT_EQ(init.code, 0) << init.err;
    const auto own = dir / "hub-keys" / "hub-data.key";
    EXPECT_EQ(fileMode(own), 0600u);
    EXPECT_NE(readFile(hubDir / "hub.toml").find("data_key_file = \"" + own.string() + "\""), std::string::npos);
    auto given = run(dir, {"init", "--dir", (dir / "hub2").string(), "--port", "0", "--data-key", made.string()});
    ASSERT_EQ(given.code, 0) << given.err;
    EXPECT_EQ(readFile(made), key);
    EXPECT_NE(readFile(dir / "hub2" / "hub.toml").find(made.string()), std::string::npos);
    auto inside = run(dir, {"init", "--dir", (dir / "hub3").string(), "--data-key", (dir / "hub3" / "k.key").string()});
    EXPECT_EQ(inside.code, 1);
    EXPECT_NE(inside.err.find("the database's folder"), std::string::npos) << inside.err;

    // Without its key the hub neither passes its check nor starts, and says how to make one.
    std::filesystem::remove(own);
    const auto config = (hubDir / "hub.toml").string();
    auto check = run(dir, {"--config", config, "--check-config"});
    EXPECT_EQ(check.code, 1);
    EXPECT_NE(check.err.find("privacy.data_key_file"), std::string::npos) << check.err;
    EXPECT_NE(check.err.find("touchpoint-hub keys create --file " + own.string()), std::string::npos) << check.err;
    auto serve = run(dir, {"--config", config});
    EXPECT_EQ(serve.code, 1);
    EXPECT_NE(serve.err.find("cannot open"), std::string::npos) << serve.err;
}

}  // namespace
