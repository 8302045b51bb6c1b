#pragma once
// The hub's one configuration file (TOML). Every field has a default that works for a single store on one
// machine; `touchpoint-hub --check-config` reports each problem as "file:line: key: what is wrong".

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "event/reward.hpp"
#include "hub/config/cases_config.hpp"
#include "hub/config/server_limits.hpp"

namespace touchpoint::hub {

struct Tier {
    std::string name;
    std::int64_t points = 0;  ///< points needed to reach this tier
};

using Reward = event::Reward;

struct LoyaltyConfig {
    std::int64_t pointsPerCheckin = 10;
    std::int64_t cooldownSeconds = 3 * 3600;
    std::int64_t velocityPerDay = 5;  ///< more check-ins than this in one UTC day flags the member
    std::vector<Tier> tiers{{"Bronze", 0}, {"Silver", 200}, {"Gold", 500}, {"Platinum", 1000}};
    std::vector<Reward> rewards{{"coffee", "Free coffee", 300}};
    std::string defaultPhoneRegion = "US";  ///< reads phone numbers sent without a country code
    /// Check-ins captured longer ago than this (by the skew-corrected capture time, against when the hub
    /// received them) or further ahead than earnFutureSeconds are stored and flagged "out_of_window": they earn
    /// nothing and move no cooldown. Longer than the kiosk outbox keeps events, so no honest one is lost.
    std::int64_t earnWindowDays = 30;
    std::int64_t earnFutureSeconds = 300;
    /// At most this many e-mails / phones a public source (web or app key) can attach to one profile.
    std::int64_t maxEmailsPerProfile = 5;
    std::int64_t maxPhonesPerProfile = 5;
};

/// [retention]: how long personal data of each kind is kept before a background job removes it (0 keeps it).
/// The facts stay (the feedback's scores, that a lookup happened in the events); docs/OPERATIONS.md.
struct RetentionConfig {
    std::int64_t commentDays = 400;      ///< feedback comments (feedback.comment and the event's payload)
    std::int64_t staffAuditDays = 730;   ///< audit rows of lookups and welcome greetings, staff lookups' tags
    std::int64_t intervalSeconds = 3600; ///< how often each hub process runs the job (idempotent deletes)
};

struct HubConfig {
    std::string sourcePath;  ///< the file it came from, for messages; empty when built in code
    std::string listenAddress = "127.0.0.1";
    int port = 8443;         ///< 0 picks a free port (tests, bench)
    std::string tlsCertFile;
    std::string tlsKeyFile;
    std::string storeUrl;    ///< sqlite:///abs/path.db or postgresql://...
    std::vector<std::string> sealingSecretKeyFiles;  ///< current key first, then retired ones
    /// [privacy] data_key_file: the hub's data key (hub/privacy/data_key.hpp), outside the database's folder; or
    /// "${CREDENTIALS_DIRECTORY}/name" for a systemd credential. Required in a config file (loadHubConfig);
    /// empty only in configs built in code (tests, benches), which then use a key kept in memory by the process.
    std::string dataKeyFile;
    RetentionConfig retention;
    LoyaltyConfig loyalty;
    std::int64_t clockSkewFlagSeconds = 300;
    /// [welcome]: each kiosk token's token bucket for GET /v1/profiles/welcome. A kiosk greets one shopper at
    /// a time; a token probing who is a member runs dry and gets 429.
    RateLimit welcomePerToken{1.0 / 6, 20};
    /// [staff_lookup]: each staff token's token bucket for GET /v1/profiles/lookup. Staff look up one shopper
    /// at a time, typing or scanning what the shopper gives: a burst of 10 covers a few typos and re-scans in a
    /// row, and one every 3 s sustained is more than a counter serves, while a token used to walk through phone
    /// numbers runs dry and gets 429.
    RateLimit staffLookupPerToken{1.0 / 3, 10};
    int workerThreads = 8;
    /// [server] worker_nice: how much lower than the process the request workers run (0..19), so that on busy
    /// cores the SQLite writer and the event loop go first (docs/OPERATIONS.md, "Capacity").
    int workerNice = 10;
    int storeConnections = 4;
    ServerLimits limits;                ///< [limits]: what a client may cost the server (docs/OPERATIONS.md)
    CasesConfig cases;                  ///< [cases]: alert and case rules (docs/JOURNEY_RULES.md "Alerts and cases")
    NotificationsConfig notifications;  ///< [notifications]: webhooks and e-mail (docs/OPERATIONS.md)
};

/// Parses and validates one TOML file. Errors are one per line, "hub.toml:7: store.url: ...".
Result<HubConfig, std::vector<std::string>> loadHubConfig(const std::string& path);
/// Same, from text (tests); `name` stands in for the file name in messages.
Result<HubConfig, std::vector<std::string>> parseHubConfig(const std::string& text, const std::string& name);

/// Reads the secret keys named in the config; errors name the file.
Result<std::vector<std::string>, std::string> readSealingKeys(const HubConfig& config);

}  // namespace touchpoint::hub
