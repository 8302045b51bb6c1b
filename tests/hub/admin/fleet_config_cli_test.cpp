// `touchpoint-hub publish`, `publish rollback` and `publish list` on the real executable, and a hub process
// that serves what they published: a change made through another process (the command, over the store)
// reaches the kiosks' poll within the hub's cache age (hub/fleet/config_cache.hpp).

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "hub_process.hpp"
#include "temp_dir.hpp"

namespace {

using nlohmann::json;
using touchpoint::testing::readFile;
using touchpoint::testing::TempDir;

using Run = touchpoint::hub::testing::CommandRun;

Run run(const TempDir& dir, const std::vector<std::string>& args) {
    return touchpoint::hub::testing::runProgram(TOUCHPOINT_HUB_EXE, dir.path(), args);
}

json document(const std::string& npsText) {
    return {{"format", 1},
            {"survey",
             {{"id", "spring"},
              {"version", 1},
              {"titleKey", "survey.spring.title"},
              {"steps", {{{"id", "nps"}, {"type", "nps"}, {"questionKey", "survey.q.nps"}}}}}},
            {"texts", {{"en", {{"survey.spring.title", "Spring"}, {"survey.q.nps", npsText}}}}},
            {"settings", {{"languages", {"en"}}, {"defaultLanguage", "en"}}}};
}

std::string write(const TempDir& dir, const std::string& name, const std::string& text) {
    const auto path = dir / name;
    std::ofstream(path) << text;
    return path.string();
}

TEST(HubCliPublish, PublishRollbackListAndAServingHubPicksThemUp) {
    TempDir dir;
    const auto hubDir = dir / "hub";
    auto init = run(dir, {"init", "--dir", hubDir.string(), "--port", "0"});
    ASSERT_EQ(init.code, 0) << init.err;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(init.out, m, std::regex(R"(token = "(tpk_[0-9a-f]{64})\")"))) << init.out;
    const std::string kioskToken = m[1].str();
    const auto config = (hubDir / "hub.toml").string();

    // An invalid document: every problem printed with its path, exit code 1, nothing published.
    json bad = document("Recommend us?");
    bad["texts"]["en"].erase("survey.q.nps");
    bad["settings"]["inactivityS"] = 1;
    const auto badFile = write(dir, "bad.json", bad.dump());
    auto refused =
        run(dir, {"publish", "--config", config, "--name", "spring", "--file", badFile, "--scope", "all"});
    EXPECT_EQ(refused.code, 1);
    EXPECT_NE(refused.err.find("bad.json: texts.en"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("survey.q.nps"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("settings.inactivityS"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("nothing published"), std::string::npos) << refused.err;
    EXPECT_EQ(
        run(dir, {"publish", "--config", config, "--name", "spring", "--file", write(dir, "x.json", "{nope")})
            .code,
        1);
    // Bad scopes, times and names are usage errors.
    const auto goodFile = write(dir, "good.json", document("Recommend us?").dump());
    EXPECT_EQ(
        run(dir, {"publish", "--config", config, "--name", "spring", "--file", goodFile, "--scope", "galaxy"})
            .code,
        2);
    EXPECT_EQ(run(dir, {"publish", "--config", config, "--name", "spring", "--file", goodFile, "--scope",
                        "all", "--starts-at", "soon"})
                  .code,
              2);
    EXPECT_EQ(run(dir, {"publish", "--config", config, "--name", "no/slash", "--file", goodFile}).code, 2);
    EXPECT_EQ(run(dir, {"publish", "--config", config, "--file", goodFile}).code, 2);
    EXPECT_EQ(run(dir, {"publish", "rollback", "--config", config, "--config-version", "1"}).code,
              2);  // no scope

    auto first =
        run(dir, {"publish", "--config", config, "--name", "spring", "--file", goodFile, "--scope", "all"});
    ASSERT_EQ(first.code, 0) << first.err;
    EXPECT_NE(
        first.out.find(
            "published spring revision 1 as config version 1 (survey spring version 1), assigned to all"),
        std::string::npos)
        << first.out;

    // A hub serving the store: the kiosk gets version 1.
    const auto errFile = dir / "serve.err";
    pid_t pid = touchpoint::hub::testing::spawnProgram(TOUCHPOINT_HUB_EXE, {"--config", config},
                                                       dir / "serve.out", errFile);
    ASSERT_GT(pid, 0);
    struct Killer {
        pid_t pid;
        ~Killer() {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
    } killer{pid};
    int port = 0;
    for (int i = 0; i < 300 && port == 0; ++i) {
        const auto log = readFile(errFile);
        const auto at = log.find("listening");
        const auto key = at == std::string::npos ? at : log.find(" port=", at);
        if (key != std::string::npos)
            port = std::atoi(log.c_str() + key + 6);
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_GT(port, 0) << readFile(errFile);
    httplib::SSLClient c("127.0.0.1", port);
    c.set_ca_cert_path((hubDir / "hub-cert.pem").c_str());
    c.enable_server_certificate_verification(true);
    c.set_bearer_token_auth(kioskToken.c_str());
    auto configVersion = [&]() -> std::int64_t {
        auto r = c.Get("/v1/kiosk/config");
        if (!r || r->status != 200) return -1;
        return json::parse(r->body, nullptr, false).value("configVersion", std::int64_t{-1});
    };
    EXPECT_EQ(configVersion(), 1);

    // Published by the command while the hub serves: the hub sees it within its cache age (5 s; bounded
    // wait).
    const auto secondFile = write(dir, "second.json", document("Would you recommend us?").dump());
    auto second = run(dir, {"publish", "--config", config, "--name", "spring", "--file", secondFile,
                            "--scope", "store:store-1"});
    ASSERT_EQ(second.code, 0) << second.err;
    EXPECT_NE(second.out.find("revision 2 as config version 2"), std::string::npos) << second.out;
    std::int64_t seen = -1;
    for (int i = 0; i < 150 && seen != 2; ++i) {
        seen = configVersion();
        if (seen != 2) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(seen, 2);

    auto rollback = run(dir, {"publish", "rollback", "--config", config, "--scope", "store:store-1",
                              "--config-version", "1"});
    ASSERT_EQ(rollback.code, 0) << rollback.err;
    EXPECT_NE(rollback.out.find("assigned config version 1 to store:store-1"), std::string::npos)
        << rollback.out;
    EXPECT_EQ(
        run(dir, {"publish", "rollback", "--config", config, "--scope", "all", "--config-version", "99"})
            .code,
        1);
    for (int i = 0; i < 150 && seen != 1; ++i) {
        seen = configVersion();
        if (seen != 1) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(seen, 1);

    auto list = run(dir, {"publish", "list", "--config", config});
    ASSERT_EQ(list.code, 0) << list.err;
    EXPECT_NE(list.out.find("1\tspring\t1\tspring v1"), std::string::npos) << list.out;
    EXPECT_NE(list.out.find("2\tspring\t2\tspring v2"), std::string::npos)
        << list.out;  // the question's wording changed: answers to it are another survey version
    EXPECT_NE(list.out.find("\tstore:store-1\t1\t"), std::string::npos) << list.out;
    EXPECT_EQ(readFile(errFile).find(kioskToken), std::string::npos);

    for (const std::vector<std::string>& args : {std::vector<std::string>{"publish", "--help"},
                                                 {"publish", "rollback", "--help"},
                                                 {"publish", "list", "--help"}}) {
        const auto r = run(dir, args);
        EXPECT_EQ(r.code, 0) << r.err;
        EXPECT_NE(r.out.find("--config"), std::string::npos) << r.out;
    }
}

TEST(HubCliPublish, ContactThresholdsAboveTheHubsCasesAreRefused) {
    TempDir dir;
    const auto hubDir = dir / "hub";
    auto init = run(dir, {"init", "--dir", hubDir.string(), "--port", "0"});
    ASSERT_EQ(init.code, 0) << init.err;
    const auto config = (hubDir / "hub.toml").string();
    // This hub calls an answer unhappy only up to NPS 4 (the command reads [cases] from its --config).
    std::string toml = readFile(config);
    const auto cases = toml.find("\n[cases]\n");
    if (cases == std::string::npos) {
        toml += "\n[cases]\nunhappy_nps_max = 4\n";
    } else {
        toml.insert(cases + 9, "unhappy_nps_max = 4\n");
    }
    std::ofstream(config, std::ios::trunc) << toml;

    json doc = document("Recommend us?");
    doc["settings"]["feedback"] = {{"contactQuestion", true}, {"contactNpsMax", 5}, {"contactCsatMax", 2}};
    auto refused = run(dir, {"publish", "--config", config, "--name", "spring", "--file",
                             write(dir, "high.json", doc.dump()), "--scope", "all"});
    EXPECT_EQ(refused.code, 1) << refused.out;
    EXPECT_NE(refused.err.find("high.json: settings.feedback.contactNpsMax: 5 is above the hub's [cases] "
                               "unhappy_nps_max 4"),
              std::string::npos)
        << refused.err;
    EXPECT_NE(refused.err.find("nothing published"), std::string::npos) << refused.err;
    doc["settings"]["feedback"]["contactNpsMax"] = 4;
    auto published = run(dir, {"publish", "--config", config, "--name", "spring", "--file",
                               write(dir, "ok.json", doc.dump()), "--scope", "all"});
    EXPECT_EQ(published.code, 0) << published.err;
}

}  // namespace
