// Pure rules: stats arithmetic on a known data set, loyalty tiers/cooldown/next step, journey stages, config.

#include <gtest/gtest.h>

#include "hub/config/hub_config.hpp"
#include "hub/ingest/identity.hpp"
#include "hub/journey/loyalty.hpp"
#include "hub/journey/stats.hpp"
#include "hub/journey/stats_json.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub {
namespace {

FeedbackRow fb(std::optional<int> nps, std::optional<int> csat, std::optional<int> ces, const std::string& store = "s1",
               const std::string& day = "2026-11-20") {
    FeedbackRow r;
    r.day = day;
    r.store = store;
    r.nps = nps;
    r.csat = csat;
    r.ces = ces;
    return r;
}

TEST(Stats, NpsCsatCesOnAKnownDataSet) {
    StatsData d;
    // NPS: 4 promoters, 2 passives, 4 detractors -> 0.0; scores +1 x4, -1 x4: variance 0.8, se sqrt(0.08).
    for (int v : {10, 9, 9, 10, 7, 8, 0, 3, 6, 5}) d.feedback.push_back(fb(v, std::nullopt, std::nullopt));
    // CSAT: 8 of 10 satisfied -> 80.0; Wilson 95%: [49.0, 94.3].
    for (int v : {5, 5, 4, 4, 4, 5, 4, 5, 2, 1}) d.feedback.push_back(fb(std::nullopt, v, std::nullopt, "s2"));
    // CES: 2,4,6 -> mean 4, sd 2, t(2)=4.303 -> 4 ± 4.97.
    for (int v : {2, 4, 6}) d.feedback.push_back(fb(std::nullopt, std::nullopt, v, "s2", "2026-11-21"));
    auto abandoned = fb(1, std::nullopt, std::nullopt);
    abandoned.abandoned = true;
    abandoned.misuse = true;
    d.feedback.push_back(abandoned);
    d.signins = {{"2026-11-20", "s1", true}, {"2026-11-20", "s1", false}, {"2026-11-21", "s2", false}};
    const auto report = computeStats(d, "2026-11-20", "2026-11-21", std::nullopt);
    EXPECT_EQ(report.overall.nps.score, 0.0);
    ASSERT_TRUE(report.overall.csat.ci95);
    EXPECT_EQ(report.overall.csat.ci95->first, 49.0);
    EXPECT_EQ(report.overall.ces.responses, 3);
    // The same figures in the JSON shape /v1/stats answers.
    const auto j = toJson(report);
    const auto& o = j["overall"];
    EXPECT_EQ(o["nps"]["score"], 0.0);
    EXPECT_EQ(o["nps"]["responses"], 10);
    EXPECT_EQ(o["nps"]["promoters"], 4);
    EXPECT_EQ(o["nps"]["passives"], 2);
    EXPECT_EQ(o["nps"]["detractors"], 4);
    EXPECT_EQ(o["nps"]["ci95"][0], -55.4);
    EXPECT_EQ(o["nps"]["ci95"][1], 55.4);
    EXPECT_EQ(o["csat"]["score"], 80.0);
    EXPECT_EQ(o["csat"]["satisfied"], 8);
    EXPECT_EQ(o["csat"]["ci95"][0], 49.0);
    EXPECT_EQ(o["csat"]["ci95"][1], 94.3);
    EXPECT_EQ(o["ces"]["mean"], 4.0);
    EXPECT_EQ(o["ces"]["ci95"][0], -1.0);
    EXPECT_EQ(o["ces"]["ci95"][1], 9.0);
    EXPECT_EQ(o["signins"], 3);
    EXPECT_EQ(o["newMembers"], 1);
    EXPECT_EQ(o["feedbackAbandoned"], 1);
    EXPECT_EQ(o["misuse"], 1);
    EXPECT_TRUE(j["store"].is_null());
    ASSERT_EQ(j["byStore"].size(), 2u);
    EXPECT_EQ(j["byStore"][0]["store"], "s1");
    EXPECT_EQ(j["byStore"][0]["signins"], 2);
    EXPECT_EQ(j["byDay"].size(), 3u);  // s1/20, s2/20, s2/21
}

TEST(Stats, EmptyGroupsHaveNullScoresAndCommentsAreMasked) {
    StatsData d;
    auto c = fb(2, std::nullopt, std::nullopt);
    c.comment = "rude staff, email me at bob@example.com";
    c.atMs = 1'795'000'000'000;
    d.feedback.push_back(c);
    const auto report = computeStats(d, "2026-11-20", "2026-11-20", std::string("s1"));
    EXPECT_FALSE(report.overall.csat.score);
    EXPECT_FALSE(report.overall.csat.ci95);
    const auto j = toJson(report);
    EXPECT_EQ(j["store"], "s1");
    EXPECT_TRUE(j["overall"]["csat"]["score"].is_null());
    EXPECT_TRUE(j["overall"]["ces"]["mean"].is_null());
    ASSERT_EQ(j["recentComments"].size(), 1u);
    EXPECT_EQ(j["recentComments"][0]["text"], "rude staff, email me at [email]");
    EXPECT_EQ(j["recentComments"][0]["nps"], 2);
}

TEST(Loyalty, TiersProgressAndNextStep) {
    LoyaltyConfig l;
    auto t = tierFor(l, 340);
    EXPECT_EQ(t.tier, "Silver");
    EXPECT_EQ(t.nextTier.value_or(""), "Gold");
    EXPECT_EQ(t.pointsToNextTier, 160);
    EXPECT_DOUBLE_EQ(t.progress, 140.0 / 300.0);
    EXPECT_FALSE(tierFor(l, 5000).nextTier.has_value());
    EXPECT_EQ(nextStep(l, 340, 9)->at("kind"), "reward_available");
    EXPECT_EQ(nextStep(l, 190, 9)->at("kind"), "tier_close");
    EXPECT_EQ(nextStep(l, 50, std::nullopt)->at("kind"), "give_feedback");
    EXPECT_FALSE(nextStep(l, 50, 8).has_value());
}

TEST(Loyalty, CooldownIsJudgedByCaptureTimeOnBothSides) {
    const std::int64_t h = 3'600'000;
    EXPECT_TRUE(earnsPoints(10 * h, std::nullopt, 3 * 3600));
    EXPECT_FALSE(earnsPoints(10 * h, 8 * h, 3 * 3600));
    EXPECT_FALSE(earnsPoints(10 * h, 12 * h, 3 * 3600));  // a later check-in already earned
    EXPECT_TRUE(earnsPoints(10 * h, 13 * h, 3 * 3600));
}

TEST(Journey, StageRules) {
    ProfileFacts f;
    EXPECT_EQ(deriveStage(f), "awareness");
    f.considered = 1;
    EXPECT_EQ(deriveStage(f), "consideration");
    f.isMember = true;
    EXPECT_EQ(deriveStage(f), "purchase");
    f.visitDays = 2;
    EXPECT_EQ(deriveStage(f), "retention");
    f.latestNps = 9;
    EXPECT_EQ(deriveStage(f), "advocacy");
    f.latestNps = 3;
    EXPECT_EQ(deriveStage(f), "retention");
}

TEST(Identity, Normalisation) {
    EXPECT_EQ(normalizeEmail("  Ann@Example.COM ").value_or(""), "ann@example.com");
    EXPECT_FALSE(normalizeEmail("no-at-sign").has_value());
    EXPECT_EQ(normalizePhone("(202) 555-0123", "US").value_or(""), "+12025550123");
    EXPECT_EQ(normalizePhone("+44 20 7946 0958", "US").value_or(""), "+442079460958");
    EXPECT_FALSE(normalizePhone("12", "US").has_value());
    EXPECT_EQ(tokenHash("a").size(), 64u);
    EXPECT_NE(newToken(), newToken());
}

TEST(Identity, RememberedPhoneAnswersStillDependOnTheRegion) {
    // The same national number read in two regions, each asked twice (the second answer is remembered).
    for (int round = 0; round < 2; ++round) {
        EXPECT_EQ(normalizePhone("020 7946 0958", "GB").value_or(""), "+442079460958");
        EXPECT_EQ(normalizePhone("020 7946 0958", "DE").value_or(""), "+492079460958");
        EXPECT_EQ(normalizePhone("(202) 555-0123", "US").value_or(""), "+12025550123");
        EXPECT_FALSE(normalizePhone("(202) 555-0123", "ZZ").has_value());  // no region, no country code
        EXPECT_FALSE(normalizePhone("12", "US").has_value());
    }
}

TEST(HubConfigFile, ReportsEveryProblemWithItsLine) {
    const std::string text =
        "[server]\n"
        "port = 70000\n"
        "worker_threads = \"many\"\n"
        "[tls]\n"
        "cert_file = \"c.pem\"\n"
        "key_file = \"k.pem\"\n"
        "[store]\n"
        "url = \"mysql://x\"\n"
        "[sealing]\n"
        "secret_key_files = [\"s.key\"]\n"
        "[loyalty]\n"
        "cooldown_hours = -1\n";
    // The request workers can only be made to run lower than the process, at most to the lowest priority.
    const auto nice = parseHubConfig("[server]\nworker_nice = 20\n", "hub.toml");
    ASSERT_FALSE(nice.ok());
    EXPECT_NE(
        std::find(nice.error().begin(), nice.error().end(), "hub.toml:2: server.worker_nice: must be 0..19"),
        nice.error().end());
    auto c = parseHubConfig(text, "hub.toml");
    ASSERT_FALSE(c.ok());
    const auto& e = c.error();
    auto has = [&](const std::string& s) { return std::find(e.begin(), e.end(), s) != e.end(); };
    EXPECT_TRUE(has("hub.toml:2: server.port: must be 0..65535"));
    EXPECT_TRUE(has("hub.toml:3: server.worker_threads: expected an integer"));
    EXPECT_TRUE(has("hub.toml:8: store.url: expected sqlite:///path/to/hub.db or postgresql://..."));
    EXPECT_TRUE(has("hub.toml:12: loyalty.cooldown_hours: must be >= 0"));
    auto syntax = parseHubConfig("[server\nport = 1\n", "hub.toml");
    ASSERT_FALSE(syntax.ok());
    EXPECT_EQ(syntax.error().front().rfind("hub.toml:1:", 0), 0u);
}

TEST(HubConfigFile, ValidFileWithTiersAndRewards) {
    const std::string text =
        "[tls]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\n[store]\nurl = \"sqlite:///tmp/x.db\"\n"
        "[sealing]\nsecret_key_files = [\"a.key\", \"old.key\"]\n"
        "[loyalty]\npoints_per_checkin = 25\n"
        "[[loyalty.tiers]]\nname = \"Member\"\npoints = 0\n[[loyalty.tiers]]\nname = \"VIP\"\npoints = 1000\n"
        "[[loyalty.rewards]]\nid = \"bag\"\nname = \"Tote bag\"\npoints = 500\n";
    auto c = parseHubConfig(text, "hub.toml");
    ASSERT_TRUE(c.ok()) << (c.ok() ? "" : c.error().front());
    EXPECT_EQ(c->loyalty.pointsPerCheckin, 25);
    ASSERT_EQ(c->loyalty.tiers.size(), 2u);
    EXPECT_EQ(c->loyalty.tiers[1].name, "VIP");
    ASSERT_EQ(c->loyalty.rewards.size(), 1u);
    EXPECT_EQ(c->sealingSecretKeyFiles.size(), 2u);
    EXPECT_EQ(c->loyalty.cooldownSeconds, 3 * 3600);
}

/// The least a hub.toml must say (seven lines: the line numbers the tests below expect count them).
constexpr const char* kSmallestConfig =
    "[tls]\ncert_file = \"c.pem\"\nkey_file = \"k.pem\"\n[store]\nurl = \"sqlite:///tmp/x.db\"\n"
    "[sealing]\nsecret_key_files = [\"a.key\"]\n";

TEST(HubConfigFile, LimitsHaveDefaultsAndAreCheckedWithTheirLine) {
    const std::string base = kSmallestConfig;
    auto plain = parseHubConfig(base, "hub.toml");
    ASSERT_TRUE(plain.ok());
    EXPECT_TRUE(plain->limits.trustedProxies.empty()) << "no proxy may be trusted by default";
    EXPECT_EQ(plain->limits.maxHeaderBytes, ServerLimits{}.maxHeaderBytes);

    auto tuned = parseHubConfig(base + "[limits]\nmax_connections_per_address = 256\nidle_timeout_ms = 5000\n"
                                       "per_token_per_second = 0\ntrusted_proxies = [\"10.0.0.5\", \"::1\"]\n",
                                "hub.toml");
    ASSERT_TRUE(tuned.ok()) << tuned.error().front();
    EXPECT_EQ(tuned->limits.maxConnectionsPerAddress, 256u);
    EXPECT_EQ(tuned->limits.idleTimeout, std::chrono::milliseconds(5000));
    EXPECT_EQ(tuned->limits.perToken.perSecond, 0.0);
    EXPECT_EQ(tuned->limits.trustedProxies, (std::vector<std::string>{"10.0.0.5", "::1"}));

    auto bad = parseHubConfig(base + "[limits]\nmax_header_bytes = 10\ntrusted_proxies = [\"lb.example\"]\n", "hub.toml");
    ASSERT_FALSE(bad.ok());
    const auto& e = bad.error();
    EXPECT_NE(std::find(e.begin(), e.end(), "hub.toml:9: limits.max_header_bytes: must be 1024..1048576"), e.end());
    EXPECT_NE(std::find(e.begin(), e.end(), "hub.toml:10: limits.trusted_proxies: not an IP address: lb.example"), e.end());
}

TEST(HubConfigFile, EarnWindowIdentityLimitsAndWelcomeBucketAreReadAndChecked) {
    const std::string base = kSmallestConfig;
    auto plain = parseHubConfig(base, "hub.toml");
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->loyalty.earnWindowDays, 30);
    EXPECT_EQ(plain->loyalty.earnFutureSeconds, 300);
    EXPECT_EQ(plain->loyalty.maxEmailsPerProfile, 5);
    EXPECT_EQ(plain->welcomePerToken.burst, 20.0);

    auto tuned = parseHubConfig(base + "[loyalty]\nearn_window_days = 45\nearn_future_seconds = 60\n"
                                       "max_phones_per_profile = 2\n[welcome]\nper_token_per_minute = 30\n"
                                       "per_token_burst = 5\n",
                                "hub.toml");
    ASSERT_TRUE(tuned.ok()) << tuned.error().front();
    EXPECT_EQ(tuned->loyalty.earnWindowDays, 45);
    EXPECT_EQ(tuned->loyalty.earnFutureSeconds, 60);
    EXPECT_EQ(tuned->loyalty.maxPhonesPerProfile, 2);
    EXPECT_EQ(tuned->welcomePerToken.perSecond, 0.5);
    EXPECT_EQ(tuned->welcomePerToken.burst, 5.0);

    auto bad = parseHubConfig(base + "[loyalty]\nearn_window_days = 0\nmax_emails_per_profile = 0\n"
                                     "[welcome]\nper_token_per_minute = 0\n",
                              "hub.toml");
    ASSERT_FALSE(bad.ok());
    const auto& e = bad.error();
    EXPECT_NE(std::find(e.begin(), e.end(), "hub.toml:9: loyalty.earn_window_days: must be 1..3660"), e.end());
    EXPECT_NE(std::find(e.begin(), e.end(), "hub.toml:10: loyalty.max_emails_per_profile: must be 1..1000"), e.end());
    EXPECT_NE(std::find(e.begin(), e.end(), "hub.toml:12: welcome.per_token_per_minute: must be 1..60000"), e.end());
}

TEST(HubConfigFile, StaffLookupBucketIsReadAndChecked) {
    const std::string base = kSmallestConfig;
    auto plain = parseHubConfig(base, "hub.toml");
    ASSERT_TRUE(plain.ok());
    EXPECT_DOUBLE_EQ(plain->staffLookupPerToken.perSecond, 1.0 / 3);  // one every 3 s
    EXPECT_EQ(plain->staffLookupPerToken.burst, 10.0);

    auto tuned = parseHubConfig(base + "[staff_lookup]\nper_token_per_minute = 6\nper_token_burst = 4\n", "hub.toml");
    ASSERT_TRUE(tuned.ok()) << tuned.error().front();
    EXPECT_DOUBLE_EQ(tuned->staffLookupPerToken.perSecond, 0.1);
    EXPECT_EQ(tuned->staffLookupPerToken.burst, 4.0);
    EXPECT_EQ(tuned->welcomePerToken.burst, 20.0);  // the welcome's bucket is its own

    auto bad = parseHubConfig(base + "[staff_lookup]\nper_token_per_minute = 0\nper_token_burst = 100001\n",
                              "hub.toml");
    ASSERT_FALSE(bad.ok());
    const auto& e = bad.error();
    EXPECT_NE(std::find(e.begin(), e.end(), "hub.toml:9: staff_lookup.per_token_per_minute: must be 1..60000"), e.end());
    EXPECT_NE(std::find(e.begin(), e.end(), "hub.toml:10: staff_lookup.per_token_burst: must be 1..100000"), e.end());
    auto typo = parseHubConfig(base + "[staff_lookups]\nper_token_burst = 4\n", "hub.toml");
    ASSERT_FALSE(typo.ok());
}

}  // namespace
}  // namespace touchpoint::hub

namespace touchpoint::hub {
namespace {

TEST(HubConfigFile, AMisspeltKeyIsRefusedWithItsLineInEveryTable) {
    const std::string text = std::string(kSmallestConfig) +
                             "[limits]\n"                        // 8
                             "per_token_burst = 50\n"            // 9
                             "per_token_brust = 60\n"            // 10
                             "[server]\nworkers = 4\n"            // 11, 12
                             "[[loyalty.tiers]]\nname = \"Member\"\npoints = 0\npionts = 5\n"  // 13-16
                             "[cases]\n"                          // 17
                             "[[cases.rules]]\nkind = \"contact_request\"\nstore = \"north-1\"\n"  // 18-20
                             "[notifications.smtp]\nurl = \"smtp://127.0.0.1:2525\"\nfrom = \"a@b.c\"\n"
                             "to = [\"d@e.f\"]\nbcc = [\"g@h.i\"]\n";  // 21-25
    auto c = parseHubConfig(text, "hub.toml");
    ASSERT_FALSE(c.ok());
    const auto& e = c.error();
    // In the order of the file's tables by name, after every reader ran.
    EXPECT_EQ(e, (std::vector<std::string>{
                     "hub.toml:20: cases.rules.store: unknown key; did you mean 'stores'?",
                     "hub.toml:10: limits.per_token_brust: unknown key; did you mean 'per_token_burst'?",
                     "hub.toml:16: loyalty.tiers.pionts: unknown key; did you mean 'points'?",
                     "hub.toml:25: notifications.smtp.bcc: unknown key",
                     "hub.toml:12: server.workers: unknown key"}));
    // The same file without the misspelt keys is accepted: every other key in it is read.
    std::string fixed = text;
    for (const char* line : {"per_token_brust = 60\n", "workers = 4\n", "pionts = 5\n", "store = \"north-1\"\n",
                             "bcc = [\"g@h.i\"]\n"}) {
        fixed.erase(fixed.find(line), std::string(line).size());
    }
    auto ok = parseHubConfig(fixed, "hub.toml");
    ASSERT_TRUE(ok.ok()) << (ok.ok() ? "" : ok.error().front());
    EXPECT_EQ(ok->limits.perToken.burst, 50);
}

TEST(HubConfigFile, ShippedSampleIsValid) {
    const auto sample = touchpoint::testing::sourceAssetsDir().parent_path() / "packaging" / "config" / "hub.toml";
    auto c = loadHubConfig(sample.string());
    ASSERT_TRUE(c.ok()) << (c.ok() ? "" : c.error().front());
    EXPECT_EQ(c->port, 8443);
    EXPECT_EQ(c->loyalty.tiers.size(), 4u);
    EXPECT_EQ(c->storeUrl, "sqlite:///var/lib/touchpoint/hub.db");
}

}  // namespace
}  // namespace touchpoint::hub
