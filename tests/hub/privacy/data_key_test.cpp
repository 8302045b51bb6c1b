// The hub's data key (hub/privacy/data_key.hpp): the key file, its tags, where it may live, and a hub that
// refuses to open its store without it.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "hub/config/hub_config.hpp"
#include "hub/privacy/data_key.hpp"
#include "hub/store/hub_store.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub {
namespace {

using touchpoint::testing::TempDir;

constexpr const char* kKeyA = "dka 7pVbNWZwXK8AUpTRsuWzJHqGVLD8D3WGZeBXBI4EX2Q=";
constexpr const char* kKeyB = "dkb QmZ8l3r4xzh6cE8jYJqZb0rFt5m3WcTq2vY1x9Kp7sU=";

unsigned modeOf(const std::filesystem::path& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 0777;
}

TEST(DataKey, CreatedPrivateNeverOverwrittenAndReadBack) {
    TempDir dir;
    const auto file = dir / "keys" / "hub-data.key";
    auto id = privacy::createDataKeyFile(file);
    ASSERT_TRUE(id) << id.error();
    EXPECT_EQ(id->rfind("dk", 0), 0u);
    EXPECT_EQ(modeOf(file), 0600u);
    EXPECT_EQ(modeOf(file.parent_path()), 0700u);
    const auto before = touchpoint::testing::readFile(file);
    auto again = privacy::createDataKeyFile(file);
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().find("not overwriting"), std::string::npos);
    EXPECT_EQ(touchpoint::testing::readFile(file), before);
    auto keys = privacy::DataKeys::readFile(file.string());
    ASSERT_TRUE(keys) << keys.error();
    EXPECT_EQ(keys->current().id, *id);
    EXPECT_EQ(keys->all().size(), 1u);
}

TEST(DataKey, BadFilesAreRefusedWithTheFileAndLineButNeverTheKey) {
    EXPECT_EQ(privacy::DataKeys::parse("# nothing\n\n", "k.key").error(), "k.key: no key in the file");
    const auto shortKey = privacy::DataKeys::parse("dk1 c2hvcnQ=\n", "k.key");
    ASSERT_FALSE(shortKey);
    EXPECT_EQ(shortKey.error(), "k.key:1: the key must be 32 bytes in base64");
    EXPECT_FALSE(privacy::DataKeys::parse("dk1\n", "k.key"));
    EXPECT_FALSE(privacy::DataKeys::parse("d k1 x\n", "k.key"));
    const auto twice = privacy::DataKeys::parse(std::string(kKeyA) + "\n" + kKeyA + "\n", "k.key");
    ASSERT_FALSE(twice);
    EXPECT_EQ(twice.error(), "k.key:2: key id dka appears twice");
    auto missing = privacy::DataKeys::readFile("/nonexistent/hub-data.key");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().find("cannot open"), std::string::npos);
    EXPECT_NE(missing.error().find("touchpoint-hub keys create --file /nonexistent/hub-data.key"), std::string::npos);
}

TEST(DataKey, TagsAreKeyedStableAndCarryTheKeyId) {
    auto a = privacy::DataKeys::parse(kKeyA, "a");
    auto b = privacy::DataKeys::parse(kKeyB, "b");
    auto both = privacy::DataKeys::parse(std::string(kKeyB) + "\n" + kKeyA + "\n", "ab");
    ASSERT_TRUE(a && b && both);
    const auto tagA = a->identifierTag("phone", "+12025550123");
    EXPECT_EQ(tagA.rfind("dka:", 0), 0u);
    EXPECT_EQ(tagA.size(), 4u + 64u);
    EXPECT_EQ(tagA, a->identifierTag("phone", "+12025550123"));      // stable: an equality look-up
    EXPECT_NE(tagA, a->identifierTag("phone", "+12025550124"));
    EXPECT_NE(tagA, a->identifierTag("email", "+12025550123"));      // the kind is part of it
    EXPECT_NE(tagA.substr(4), b->identifierTag("phone", "+12025550123").substr(4));  // another key, another tag
    // Not the unkeyed hash anyone could compute.
    EXPECT_EQ(tagA.find("2025550123"), std::string::npos);
    // The current key writes; every key is looked for.
    EXPECT_EQ(both->identifierTag("phone", "+12025550123").rfind("dkb:", 0), 0u);
    const auto tags = both->identifierTags("phone", "+12025550123");
    ASSERT_EQ(tags.size(), 2u);
    EXPECT_EQ(tags[1], tagA);
}

TEST(DataKey, ASystemdCredentialIsFoundInItsDirectory) {
    TempDir dir;
    {
        std::ofstream(dir / "hub-data.key") << kKeyA << "\n";
    }
    ::setenv("CREDENTIALS_DIRECTORY", dir.path().c_str(), 1);
    auto keys = privacy::DataKeys::readFile("${CREDENTIALS_DIRECTORY}/hub-data.key");
    ::unsetenv("CREDENTIALS_DIRECTORY");
    ASSERT_TRUE(keys) << keys.error();
    EXPECT_EQ(keys->current().id, "dka");
    auto unset = privacy::DataKeys::readFile("${CREDENTIALS_DIRECTORY}/hub-data.key");
    ASSERT_FALSE(unset);
    EXPECT_NE(unset.error().find("CREDENTIALS_DIRECTORY is not set"), std::string::npos);
}

std::string configText(const std::string& privacy) {
    return "[tls]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\n[store]\nurl = \"sqlite://db/hub.db\"\n"
           "[sealing]\nsecret_key_files = [\"s.key\"]\n" +
           privacy;
}

TEST(DataKey, AConfigFileMustNameAKeyOutsideTheDatabaseFolder) {
    TempDir dir;
    auto write = [&](const std::string& text) {
        std::ofstream(dir / "hub.toml") << text;
        return loadHubConfig((dir / "hub.toml").string());
    };
    auto none = write(configText(""));
    ASSERT_FALSE(none);
    EXPECT_NE(none.error().front().find("privacy.data_key_file: missing"), std::string::npos) << none.error().front();
    EXPECT_NE(none.error().front().find("touchpoint-hub keys create"), std::string::npos);
    auto inside = write(configText("[privacy]\ndata_key_file = \"db/hub-data.key\"\n"));
    ASSERT_FALSE(inside);
    EXPECT_NE(inside.error().front().find("is in the database's folder"), std::string::npos) << inside.error().front();
    auto apart = write(configText("[privacy]\ndata_key_file = \"keys/hub-data.key\"\n"));
    ASSERT_TRUE(apart) << apart.error().front();
    EXPECT_EQ(apart->dataKeyFile, (dir / "keys/hub-data.key").string());
    auto credential = write(configText("[privacy]\ndata_key_file = \"${CREDENTIALS_DIRECTORY}/hub-data.key\"\n"));
    ASSERT_TRUE(credential) << credential.error().front();
    EXPECT_EQ(credential->dataKeyFile, "${CREDENTIALS_DIRECTORY}/hub-data.key");
    auto empty = parseHubConfig(configText("[privacy]\ndata_key_file = \"\"\n"), "hub.toml");
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().front(), "hub.toml:9: privacy.data_key_file: must name a file");
}

TEST(DataKey, TheStoreDoesNotOpenWithoutItsKey) {
    TempDir dir;
    HubConfig config;
    config.dataKeyFile = (dir / "keys" / "hub-data.key").string();
    const std::string url = "sqlite://" + (dir / "hub.db").string();
    auto store = openHubStore(url, config);
    ASSERT_FALSE(store);
    EXPECT_NE(store.error().message.find("privacy.data_key_file"), std::string::npos) << store.error().message;
    EXPECT_FALSE(std::filesystem::exists(dir / "hub.db"));  // refused before touching the database
    std::filesystem::create_directories(dir / "keys");
    {
        std::ofstream(config.dataKeyFile) << "not a key\n";
    }
    auto garbled = openHubStore(url, config);
    ASSERT_FALSE(garbled);
    EXPECT_NE(garbled.error().message.find("hub-data.key:1: the key must be 32 bytes in base64"), std::string::npos)
        << garbled.error().message;
    std::filesystem::remove(config.dataKeyFile);
    ASSERT_TRUE(privacy::createDataKeyFile(config.dataKeyFile));
    auto opened = openHubStore(url, config);
    EXPECT_TRUE(opened) << opened.error().message;
}

}  // namespace
}  // namespace touchpoint::hub
