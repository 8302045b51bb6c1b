#pragma once
// The kiosk's one TOML file (packaging/config/kiosk.toml is the commented sample). Read by the kiosk app, its
// sync service and touchpointctl. Validation is complete at start: every problem is reported at once, each
// with its key and line, e.g. "kiosk.toml:12: hub.url: must start with https://".

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace touchpoint::config {

struct ConfigIssue {
    std::string key;      ///< dotted TOML key, "hub.url"
    int line = 0;         ///< 0 when the key is missing
    std::string message;
};
/// All issues in the file, formatted one per line as "<file>:<line>: <key>: <message>".
struct ConfigErrors {
    std::filesystem::path file;
    std::vector<ConfigIssue> issues;
    std::string format() const;
};

struct DeviceSection {
    std::string storeId;            ///< required
    std::string kioskId;            ///< required
    std::string timeZone = "UTC";   ///< IANA zone name
    std::string phoneRegion = "US"; ///< ISO 3166-1 alpha-2, for numbers typed without a country code
};

struct OutboxSection {
    std::filesystem::path path = "/var/lib/touchpoint/outbox.db";
    std::int64_t byteBudget = 512LL * 1024 * 1024;  ///< TOML: byte_budget_mb
};

struct PrivacySection {
    std::string sealingPublicKeyB64;  ///< required: head office's public key (from `touchpoint-hub init`)
    std::string identityHashKeyB64;   ///< required: inline `identity_hash_key` or read from `identity_hash_key_file`
};

struct HubSection {
    std::string url;                  ///< https://host:port; empty = offline-only kiosk (events wait in the outbox)
    std::string token;                ///< kiosk bearer token: inline `token` or `token_file`
    std::string staffToken;           ///< lookup-scope token for staff mode: `staff_token` or `staff_token_file`
    std::filesystem::path caFile;     ///< empty: the system bundle
    std::filesystem::path clientCertFile;
    std::filesystem::path clientKeyFile;
    std::string proxy;                ///< empty: from the environment (https_proxy), "none" to disable
    int connectTimeoutS = 10;
    int requestTimeoutS = 60;
    double backoffBaseS = 1.0;
    double backoffCapS = 300.0;
    double drainRatePerS = 5000.0;    ///< pacing after an outage, events per second
    int maxBatchKb = 500;
    int heartbeatMinutes = 5;
    int configPollMinutes = 5;        ///< how often the kiosk asks the hub for head office's document
    int welcomeTimeoutMs = 1500;      ///< the welcome screen's profile request
};

struct UiSection {
    std::vector<std::string> languages{"en", "es", "fr", "de", "pt"};
    std::string defaultLanguage = "en";
    std::string surveyId = "store-visit";
    std::filesystem::path assetsDir;   ///< empty: the installed or source assets folder
    int inactivityS = 45;              ///< "still there?" after this long without a touch
    int stillThereS = 20;              ///< at least 20 s to answer before the reset (WCAG 2.2.1)
    double accessibilityTimeoutFactor = 2.0;
    bool fullscreen = true;
    int width = 1920;
    int height = 1080;
};

struct LoyaltySection {
    int cooldownHours = 3;
    std::string consentNoticeId = "loyalty-terms";
    std::string consentNoticeVersion = "2026-01";
    // What a new member starts with, shown on the welcome screen at once while the hub has not yet had the
    // sign-up (it arrives through the outbox). Set them as the hub's [loyalty] is set; the hub's figures
    // replace them as soon as it answers. Defaults are the hub's defaults.
    int pointsPerVisit = 10;
    std::string startingTier = "Bronze";
    std::string nextTier = "Silver";
    int nextTierPoints = 200;
    std::string nextReward = "Free coffee";  ///< empty: no reward line
    int nextRewardPoints = 300;
};

/// After a low score the kiosk asks "May we contact you about this?" (a separate consent, its own notice).
struct FeedbackSection {
    bool contactQuestion = true;  ///< TOML: contact_question
    int contactNpsMax = 6;        ///< NPS 0..this asks; -1: never by NPS
    int contactCsatMax = 2;       ///< CSAT 1..this asks; 0: never by CSAT
    std::string contactNoticeId = "feedback-contact";
    std::string contactNoticeVersion = "2026-01";
};

struct StaffSection {
    std::vector<std::string> pinHashes;   ///< crypto_pwhash_str strings; the index is the PIN slot
    int lockoutAttempts = 5;
    int lockoutMinutes = 5;
    int idleS = 60;
    std::filesystem::path stateFile;      ///< lockout state; default: beside the outbox ("staff-lock.json")
};

struct KioskConfig {
    std::filesystem::path sourceFile;
    DeviceSection device;
    OutboxSection outbox;
    PrivacySection privacy;
    HubSection hub;
    UiSection ui;
    LoyaltySection loyalty;
    StaffSection staff;
    FeedbackSection feedback;
};

/// Parses and validates. Relative paths in the file are resolved against the file's folder.
Result<KioskConfig, ConfigErrors> loadKioskConfig(const std::filesystem::path& file);
/// Same, from text (tests); `nameForErrors` stands in for the file name.
Result<KioskConfig, ConfigErrors> parseKioskConfig(const std::string& toml, const std::filesystem::path& nameForErrors,
                                                   const std::filesystem::path& baseDir);

}  // namespace touchpoint::config
