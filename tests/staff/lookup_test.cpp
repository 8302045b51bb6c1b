#include <gtest/gtest.h>

#include <deque>
#include <fstream>

#include "app/staff_status_cache.hpp"
#include "common/clock.hpp"
#include "staff/identifier.hpp"
#include "staff/lookup_service.hpp"
#include "staff_fakes.hpp"
#include "temp_dir.hpp"

namespace touchpoint::kiosk::staff {
namespace {

using touchpoint::testing::readFile;
using touchpoint::testing::TempDir;

const char* kLookupBody = R"({
  "found": true, "profileId": "p-123", "firstInitial": "A", "tier": "Silver", "points": 340,
  "nextTier": "Gold", "pointsToNextTier": 160, "progress": 0.68,
  "rewards": [{"id": "coffee", "name": "Free coffee", "points": 300}],
  "journeyStage": "retention",
  "latestNps": {"score": 9, "at": "2026-11-20T10:00:00.000Z"},
  "lastVisits": {"in_store_kiosk": "2026-11-23T01:12:00.000Z", "web": "2026-11-21T08:00:00Z", "app": null},
  "channels": ["in_store_kiosk", "web"]})";

TEST(StaffLookupParse, ReadsEveryShownFieldAndNoIdentifiers) {
    auto status = parseLookupBody(nlohmann::json::parse(kLookupBody));
    ASSERT_TRUE(status) << status.error();
    EXPECT_EQ(status->firstInitial, "A");
    EXPECT_EQ(status->tier, "Silver");
    EXPECT_EQ(status->points, 340);
    EXPECT_EQ(status->nextTier, "Gold");
    EXPECT_EQ(status->pointsToNextTier, 160);
    EXPECT_DOUBLE_EQ(status->progress, 0.68);
    ASSERT_EQ(status->rewards.size(), 1u);
    EXPECT_EQ(status->rewards[0].name, "Free coffee");
    EXPECT_EQ(status->journeyStage, "retention");
    EXPECT_EQ(status->latestNps, 9);
    ASSERT_EQ(status->lastVisitsUtcMs.size(), 2u);
    std::int64_t web = 0;
    ASSERT_TRUE(parseIsoUtcMs("2026-11-21T08:00:00Z", web));
    EXPECT_EQ(status->lastVisitsUtcMs.at("web"), web);
    EXPECT_EQ(toCacheJson(*status).dump().find("p-123"), std::string::npos);

    auto back = fromCacheJson(toCacheJson(*status));
    ASSERT_TRUE(back) << back.error();
    EXPECT_EQ(toCacheJson(*back), toCacheJson(*status));
}

TEST(StaffLookupParse, WrongTypesAreClearErrors) {
    EXPECT_EQ(parseLookupBody(nlohmann::json::parse(R"({"points": "many"})")).error(), "points: not a number");
    EXPECT_EQ(parseLookupBody(nlohmann::json::parse(R"({"rewards": {}})")).error(), "rewards: not an array");
    EXPECT_EQ(parseLookupBody(nlohmann::json::parse(R"({"lastVisits": {"web": "yesterday"}})")).error(),
              "lastVisits.web: not a time");
    EXPECT_FALSE(parseLookupBody(nlohmann::json::parse("[1,2]")));
    EXPECT_FALSE(parseLookupBody(nlohmann::json::parse("\"<html>\"")));
    // A full name in the initial field is cut to the initial.
    auto longName = parseLookupBody(nlohmann::json::parse(R"({"firstInitial": "Alexandra"})"));
    ASSERT_TRUE(longName);
    EXPECT_LE(longName->firstInitial.size(), 4u);
}

TEST(StaffIdentifier, NormalisesPhoneEmailAndCard) {
    auto phone = normalizeIdentifier(LookupMode::Phone, " (202) 555-0143 ", "US");
    ASSERT_TRUE(phone);
    EXPECT_EQ(phone->value, "+12025550143");
    EXPECT_EQ(phone->type, event::Identity::Type::Phone);
    auto foreign = normalizeIdentifier(LookupMode::Phone, "+44 20 7946 0958", "US");
    ASSERT_TRUE(foreign);
    EXPECT_EQ(foreign->value, "+442079460958");
    EXPECT_EQ(normalizeIdentifier(LookupMode::Phone, "12", "US").error(), IdentifierError::InvalidPhone);
    EXPECT_EQ(normalizeIdentifier(LookupMode::Phone, "   ", "US").error(), IdentifierError::Empty);

    auto email = normalizeIdentifier(LookupMode::Email, " Ana.Silva@Example.COM", "US");
    ASSERT_TRUE(email);
    EXPECT_EQ(email->value, "ana.silva@example.com");
    EXPECT_EQ(normalizeIdentifier(LookupMode::Email, "ana@", "US").error(), IdentifierError::InvalidEmail);
    EXPECT_EQ(normalizeIdentifier(LookupMode::Email, "a b@c.de", "US").error(), IdentifierError::InvalidEmail);

    auto card = normalizeIdentifier(LookupMode::Card, "M-000123\n", "US");
    ASSERT_TRUE(card);
    EXPECT_EQ(card->value, "M-000123");
    EXPECT_EQ(normalizeIdentifier(LookupMode::Card, "<script>", "US").error(), IdentifierError::InvalidCard);
}

TEST(StaffStatusCache, KeepsTheLastStatusByHashAndAgesItOut) {
    TempDir dir;
    ManualClock clock;
    app::StatusCacheOptions options{dir / "staff-cache.db", 3, 24LL * 3600 * 1000};
    auto cache = app::StatusCache::open(options, clock);
    ASSERT_TRUE(cache) << cache.error();
    auto status = parseLookupBody(nlohmann::json::parse(kLookupBody));
    ASSERT_TRUE(status);

    const std::int64_t t0 = clock.utcMs();
    ASSERT_TRUE((*cache)->put("hash-a", *status));
    clock.advanceMs(1000);
    auto got = (*cache)->get("hash-a");
    ASSERT_TRUE(got) << got.error();
    ASSERT_TRUE(got->has_value());
    EXPECT_EQ((*got)->fetchedUtcMs, t0);
    EXPECT_EQ((*got)->status.points, 340);
    EXPECT_FALSE((*(*cache)->get("hash-b")).has_value());

    // Capped: the oldest entries go first.
    for (const char* h : {"hash-b", "hash-c", "hash-d"}) {
        clock.advanceMs(1000);
        ASSERT_TRUE((*cache)->put(h, *status));
    }
    EXPECT_EQ(*(*cache)->size(), 3);
    EXPECT_FALSE((*(*cache)->get("hash-a")).has_value());
    // Too old to show.
    clock.advanceMs(25LL * 3600 * 1000);
    EXPECT_FALSE((*(*cache)->get("hash-d")).has_value());
}

TEST(StaffStatusCache, ACorruptFileIsMovedAsideAndTheCacheStillWorks) {
    TempDir dir;
    ManualClock clock;
    {
        std::ofstream out(dir / "staff-cache.db");
        out << "this is not a database, just some text that is long enough to matter ............";
    }
    auto cache = app::StatusCache::open({dir / "staff-cache.db"}, clock);
    ASSERT_TRUE(cache) << cache.error();
    auto status = parseLookupBody(nlohmann::json::parse(kLookupBody));
    ASSERT_TRUE((*cache)->put("h", *status));
    int asides = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
        asides += e.path().filename().string().find(".corrupt-") != std::string::npos;
    }
    EXPECT_EQ(asides, 1);
}

TEST(StaffStatusCache, TheFirstReleasesTableIsRemovedAtOpen) {
    TempDir dir;
    ManualClock clock;
    {
        auto db = sqlite::Database::open(dir / "staff-cache.db");
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec("CREATE TABLE status (identity_hash TEXT PRIMARY KEY, status_json TEXT NOT NULL,"
                             " fetched_ms INTEGER NOT NULL);"
                             "INSERT INTO status VALUES('old-hash', '{}', 1);"));
    }
    auto cache = app::StatusCache::open({dir / "staff-cache.db"}, clock);
    ASSERT_TRUE(cache) << cache.error();
    auto status = parseLookupBody(nlohmann::json::parse(kLookupBody));
    ASSERT_TRUE((*cache)->put("h", *status));
    EXPECT_EQ(*(*cache)->size(), 1);
    auto db = sqlite::Database::open(dir / "staff-cache.db");
    ASSERT_TRUE(db);
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM sqlite_master WHERE name = 'status'"), 0);
}

struct StaffLookupWithHub : ::testing::Test {
    TempDir dir;
    ManualClock clock;
    ScriptedTransport* transport = nullptr;
    std::unique_ptr<LookupService> service;
    event::Identity identity{event::Identity::Type::Phone, "+12025550143"};

    void SetUp() override {
        auto owned = std::make_unique<ScriptedTransport>();
        transport = owned.get();
        auto cache = app::StatusCache::open({dir / "staff-cache.db"}, clock);
        ASSERT_TRUE(cache) << cache.error();
        service = std::make_unique<LookupService>(std::move(owned), "staff-token", std::move(*cache));
    }
};

TEST_F(StaffLookupWithHub, AFreshAnswerIsCachedAndShownWhenTheHubIsDown) {
    transport->answer(200, kLookupBody);
    const std::int64_t fetchedAt = clock.utcMs();
    auto found = service->lookup(1, identity, "hash-1");
    EXPECT_EQ(found.outcome, LookupOutcome::Found);
    ASSERT_TRUE(found.status);
    EXPECT_EQ(found.status->tier, "Silver");
    ASSERT_EQ(transport->paths.size(), 1u);
    EXPECT_EQ(transport->paths[0], "/v1/profiles/lookup?phone=%2B12025550143");
    EXPECT_EQ(transport->tokens[0], "staff-token");

    clock.advanceMs(90'000);
    transport->fail(uploader::TransportErrc::ConnectFailed);
    auto offline = service->lookup(2, identity, "hash-1");
    EXPECT_EQ(offline.outcome, LookupOutcome::Cached);
    EXPECT_EQ(offline.problem, LookupProblem::Offline);
    EXPECT_EQ(offline.fetchedUtcMs, fetchedAt);
    ASSERT_TRUE(offline.status);
    EXPECT_EQ(offline.status->points, 340);

    // No phone number, email or hash-less key anywhere in the cache file.
    const std::string file = readFile(dir / "staff-cache.db") + readFile(dir / "staff-cache.db-wal");
    EXPECT_EQ(file.find("2025550143"), std::string::npos);
    EXPECT_NE(file.find("hash-1"), std::string::npos);
}

TEST_F(StaffLookupWithHub, EachFailureIsNamed) {
    transport->fail(uploader::TransportErrc::TlsUntrusted);
    EXPECT_EQ(service->lookup(1, identity, "h").problem, LookupProblem::Certificate);
    transport->fail(uploader::TransportErrc::TlsNotYetValid);
    EXPECT_EQ(service->lookup(2, identity, "h").problem, LookupProblem::ClockWrong);
    transport->answer(401, R"({"error":"token revoked"})");
    auto rejected = service->lookup(3, identity, "h");
    EXPECT_EQ(rejected.problem, LookupProblem::TokenRejected);
    EXPECT_EQ(rejected.outcome, LookupOutcome::Unavailable);
    transport->answer(429, R"({"error":"too many lookups with this staff token; retry later"})");
    auto limited = service->lookup(31, identity, "h");
    EXPECT_EQ(limited.problem, LookupProblem::TooManyLookups);
    EXPECT_EQ(toString(limited.problem), "too_many_lookups");
    transport->answer(503, R"({"error":"busy"})");
    EXPECT_EQ(service->lookup(4, identity, "h").problem, LookupProblem::HubError);
    transport->answer(200, "<html>captive portal</html>");
    EXPECT_EQ(service->lookup(5, identity, "h").problem, LookupProblem::BadReply);
}

TEST_F(StaffLookupWithHub, NotFoundForgetsTheCachedStatus) {
    transport->answer(200, kLookupBody);
    ASSERT_EQ(service->lookup(1, identity, "h").outcome, LookupOutcome::Found);
    transport->answer(404, R"({"error":"not found"})");
    EXPECT_EQ(service->lookup(2, identity, "h").outcome, LookupOutcome::NotFound);
    transport->fail(uploader::TransportErrc::Timeout);
    EXPECT_EQ(service->lookup(3, identity, "h").outcome, LookupOutcome::Unavailable);
}

TEST(StaffLookupService, WithoutAHubItAnswersFromTheCacheOnly) {
    ManualClock clock;
    auto cache = app::StatusCache::open({":memory:"}, clock);
    ASSERT_TRUE(cache);
    LookupService service(nullptr, "", std::move(*cache));
    const auto r = service.lookup(1, {event::Identity::Type::Member, "M-1"}, "h");
    EXPECT_EQ(r.outcome, LookupOutcome::Unavailable);
    EXPECT_EQ(r.problem, LookupProblem::NotConfigured);
}

}  // namespace
}  // namespace touchpoint::kiosk::staff
