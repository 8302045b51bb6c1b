// Parsing and validating the kiosk TOML file with toml++. The parser never stops at the first problem: it
// reads every section, records every issue with its line, and only then decides.

#include "config/kiosk_config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include "config/config_reader.hpp"

namespace touchpoint::config {

std::string ConfigErrors::format() const {
    std::string out;
    for (const ConfigIssue& issue : issues) {
        out += file.string();
        if (issue.line > 0) out += ":" + std::to_string(issue.line);
        out += ": " + issue.key + ": " + issue.message + "\n";
    }
    return out;
}

namespace {

bool isIdentifier(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_' && c != '.') return false;
    }
    return true;
}

void readDevice(ConfigReader& r, DeviceSection& d) {
    SectionReader s = r.section("device", {"store_id", "kiosk_id", "time_zone", "phone_region"}, true);
    if (s.get("store_id", d.storeId, Need::Required) && !isIdentifier(d.storeId)) {
        s.issue("store_id", "must be 1-64 letters, digits, '.', '-' or '_'");
    }
    if (s.get("kiosk_id", d.kioskId, Need::Required) && !isIdentifier(d.kioskId)) {
        s.issue("kiosk_id", "must be 1-64 letters, digits, '.', '-' or '_'");
    }
    if (s.get("time_zone", d.timeZone) && !isTimeZone(d.timeZone)) {
        s.issue("time_zone", "unknown IANA time zone '" + d.timeZone + "' (e.g. \"America/New_York\")");
    }
    if (s.get("phone_region", d.phoneRegion)) {
        const bool ok = d.phoneRegion.size() == 2 && std::isalpha(static_cast<unsigned char>(d.phoneRegion[0])) != 0 &&
                        std::isalpha(static_cast<unsigned char>(d.phoneRegion[1])) != 0;
        if (!ok) {
            s.issue("phone_region", "must be a 2-letter ISO 3166 code such as \"US\" (got \"" + d.phoneRegion + "\")");
        } else {
            for (char& c : d.phoneRegion) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
    }
}

void readOutbox(ConfigReader& r, OutboxSection& o) {
    SectionReader s = r.section("outbox", {"path", "byte_budget_mb"}, false);
    if (s.getPath("path", o.path) && o.path.empty()) s.issue("path", "must not be empty");
    std::int64_t mb = o.byteBudget / (1024 * 1024);
    if (s.getInt("byte_budget_mb", mb, 1, 1024 * 1024)) o.byteBudget = mb * 1024 * 1024;
}

void readPrivacy(ConfigReader& r, PrivacySection& p) {
    SectionReader s = r.section("privacy", {"sealing_public_key", "identity_hash_key", "identity_hash_key_file"}, true);
    if (s.get("sealing_public_key", p.sealingPublicKeyB64, Need::Required)) {
        s.checkKey32("sealing_public_key", p.sealingPublicKeyB64, "the hub's sealing public key (`touchpoint-hub init`)");
    }
    if (s.getSecret("identity_hash_key", p.identityHashKeyB64, Need::Required)) {
        s.checkKey32("identity_hash_key", p.identityHashKeyB64, "32 random bytes, base64");
    }
}

void readHub(ConfigReader& r, HubSection& h) {
    SectionReader s = r.section("hub",
                                {"url", "token", "token_file", "staff_token", "staff_token_file", "ca_file",
                                 "client_cert_file", "client_key_file", "proxy", "connect_timeout_s",
                                 "request_timeout_s", "backoff_base_s", "backoff_cap_s", "drain_rate_per_s",
                                 "max_batch_kb", "heartbeat_minutes", "welcome_timeout_ms", "config_poll_minutes"},
                                false);
    if (s.get("url", h.url) && !h.url.empty()) {
        const std::string scheme = "https://";
        if (h.url.rfind(scheme, 0) != 0) {
            s.issue("url", "must start with https:// (TLS is always on)");
        } else if (h.url.size() == scheme.size() || h.url[scheme.size()] == '/' || h.url[scheme.size()] == ':' ||
                   h.url.find_first_of(" \t") != std::string::npos) {
            s.issue("url", "must name a host, e.g. https://hub.example.com:8443");
        }
    }
    const bool haveToken = s.getSecret("token", h.token, Need::Optional);
    if (!h.url.empty() && !haveToken && !s.has("token") && !s.has("token_file")) {
        s.issue("token", "required when hub.url is set (inline `token` or `token_file`)");
    }
    s.getSecret("staff_token", h.staffToken, Need::Optional);
    s.getPath("ca_file", h.caFile, PathMust::Exist);
    s.getPath("client_cert_file", h.clientCertFile, PathMust::Exist);
    s.getPath("client_key_file", h.clientKeyFile, PathMust::Exist);
    if (s.has("client_cert_file") != s.has("client_key_file")) {
        s.issue(s.has("client_cert_file") ? "client_key_file" : "client_cert_file",
                "client_cert_file and client_key_file go together");
    }
    if (s.get("proxy", h.proxy) && !h.proxy.empty() && h.proxy != "none" && h.proxy.rfind("http://", 0) != 0 &&
        h.proxy.rfind("https://", 0) != 0 && h.proxy.rfind("socks5://", 0) != 0 &&
        h.proxy.rfind("socks5h://", 0) != 0) {
        s.issue("proxy", "must be empty (use the environment), \"none\", or an http://, https:// or socks5:// URL");
    }
    s.getInt("connect_timeout_s", h.connectTimeoutS, 1, 300);
    s.getInt("request_timeout_s", h.requestTimeoutS, 1, 3600);
    s.getDouble("backoff_base_s", h.backoffBaseS, 0.01, 600);
    if (s.getDouble("backoff_cap_s", h.backoffCapS, 0.01, 86400) && h.backoffCapS < h.backoffBaseS) {
        s.issue("backoff_cap_s", "must be at least backoff_base_s");
    }
    s.getDouble("drain_rate_per_s", h.drainRatePerS, 1, 1e7);
    s.getInt("max_batch_kb", h.maxBatchKb, 1, 500);
    s.getInt("heartbeat_minutes", h.heartbeatMinutes, 1, 1440);
    s.getInt("config_poll_minutes", h.configPollMinutes, 1, 1440);
    s.getInt("welcome_timeout_ms", h.welcomeTimeoutMs, 100, 30000);
}

bool isLanguageTag(const std::string& tag) {
    // "en", "pt-BR", "zh-Hant": a 2-3 letter language and optional subtags of 2-8 letters or digits.
    std::size_t start = 0;
    bool first = true;
    while (start <= tag.size()) {
        const auto dash = tag.find('-', start);
        const std::string part = tag.substr(start, dash == std::string::npos ? std::string::npos : dash - start);
        if (first ? (part.size() < 2 || part.size() > 3) : (part.size() < 2 || part.size() > 8)) return false;
        for (char c : part) {
            if (std::isalnum(static_cast<unsigned char>(c)) == 0 || (first && std::isalpha(static_cast<unsigned char>(c)) == 0)) {
                return false;
            }
        }
        first = false;
        if (dash == std::string::npos) return true;
        start = dash + 1;
    }
    return false;
}

void readUi(ConfigReader& r, UiSection& u) {
    SectionReader s = r.section("ui",
                                {"languages", "default_language", "survey_id", "assets_dir", "inactivity_s",
                                 "still_there_s", "accessibility_timeout_factor", "fullscreen", "width", "height"},
                                false);
    if (s.getStrings("languages", u.languages)) {
        if (u.languages.empty()) s.issue("languages", "must list at least one language");
        for (const auto& l : u.languages) {
            if (!isLanguageTag(l)) s.issue("languages", "\"" + l + "\" is not a language tag such as \"en\" or \"pt-BR\"");
        }
    }
    s.get("default_language", u.defaultLanguage);
    if (std::find(u.languages.begin(), u.languages.end(), u.defaultLanguage) == u.languages.end() && !u.languages.empty()) {
        s.issue("default_language", "\"" + u.defaultLanguage + "\" is not one of ui.languages");
    }
    if (s.get("survey_id", u.surveyId) && !isIdentifier(u.surveyId)) {
        s.issue("survey_id", "must be 1-64 letters, digits, '.', '-' or '_'");
    }
    s.getPath("assets_dir", u.assetsDir, PathMust::Exist);
    s.getInt("inactivity_s", u.inactivityS, 10, 3600);
    if (s.has("still_there_s")) {
        std::int64_t v = u.stillThereS;
        if (s.getInt("still_there_s", v, INT32_MIN, INT32_MAX)) {
            if (v < 20) {
                s.issue("still_there_s", "must be at least 20 seconds (WCAG 2.2.1 gives people 20 s to answer)");
            } else if (v > 600) {
                s.issue("still_there_s", "must be at most 600");
            } else {
                u.stillThereS = static_cast<int>(v);
            }
        }
    }
    s.getDouble("accessibility_timeout_factor", u.accessibilityTimeoutFactor, 1.0, 10.0);
    s.getBool("fullscreen", u.fullscreen);
    s.getInt("width", u.width, 320, 7680);
    s.getInt("height", u.height, 240, 4320);
}

void readLoyalty(ConfigReader& r, LoyaltySection& l) {
    SectionReader s = r.section("loyalty",
                                {"cooldown_hours", "consent_notice_id", "consent_notice_version", "points_per_visit",
                                 "starting_tier", "next_tier", "next_tier_points", "next_reward", "next_reward_points"},
                                false);
    s.getInt("cooldown_hours", l.cooldownHours, 0, 168);
    s.getInt("points_per_visit", l.pointsPerVisit, 0, 1'000'000);
    s.getInt("next_tier_points", l.nextTierPoints, 0, 100'000'000);
    s.getInt("next_reward_points", l.nextRewardPoints, 0, 100'000'000);
    if (s.get("starting_tier", l.startingTier) && l.startingTier.empty()) s.issue("starting_tier", "must not be empty");
    s.get("next_tier", l.nextTier);
    s.get("next_reward", l.nextReward);
    for (const auto& [key, text] : {std::pair{"starting_tier", &l.startingTier}, std::pair{"next_tier", &l.nextTier},
                                     std::pair{"next_reward", &l.nextReward}}) {
        if (text->size() > 64) s.issue(key, "at most 64 bytes");
    }
    if (s.get("consent_notice_id", l.consentNoticeId) && l.consentNoticeId.empty()) {
        s.issue("consent_notice_id", "must not be empty");
    }
    if (s.get("consent_notice_version", l.consentNoticeVersion) && l.consentNoticeVersion.empty()) {
        s.issue("consent_notice_version", "must not be empty");
    }
}

void readFeedback(ConfigReader& r, FeedbackSection& f) {
    SectionReader s = r.section("feedback",
                                {"contact_question", "contact_nps_max", "contact_csat_max", "contact_notice_id",
                                 "contact_notice_version"},
                                false);
    s.getBool("contact_question", f.contactQuestion);
    s.getInt("contact_nps_max", f.contactNpsMax, -1, 10);
    s.getInt("contact_csat_max", f.contactCsatMax, 0, 5);
    if (s.get("contact_notice_id", f.contactNoticeId) && !isIdentifier(f.contactNoticeId)) {
        s.issue("contact_notice_id", "must be 1-64 letters, digits, '.', '-' or '_'");
    }
    if (s.get("contact_notice_version", f.contactNoticeVersion) && !isIdentifier(f.contactNoticeVersion)) {
        s.issue("contact_notice_version", "must be 1-64 letters, digits, '.', '-' or '_'");
    }
}

void readStaff(ConfigReader& r, StaffSection& st, const OutboxSection& outbox) {
    SectionReader s = r.section("staff", {"pin_hashes", "lockout_attempts", "lockout_minutes", "idle_s", "state_file"},
                                false);
    if (s.getStrings("pin_hashes", st.pinHashes)) {
        for (const auto& h : st.pinHashes) {
            if (h.rfind("$argon2id$", 0) != 0 && h.rfind("$argon2i$", 0) != 0 && h.rfind("$7$", 0) != 0) {
                s.issue("pin_hashes", "entries must be crypto_pwhash_str hashes (\"$argon2id$...\"), never PINs");
                break;
            }
        }
    }
    s.getInt("lockout_attempts", st.lockoutAttempts, 1, 100);
    s.getInt("lockout_minutes", st.lockoutMinutes, 1, 1440);
    s.getInt("idle_s", st.idleS, 10, 3600);
    s.getPath("state_file", st.stateFile);
    if (st.stateFile.empty()) st.stateFile = outbox.path.parent_path() / "staff-lock.json";
}

}  // namespace

Result<KioskConfig, ConfigErrors> parseKioskConfig(const std::string& text, const std::filesystem::path& nameForErrors,
                                                   const std::filesystem::path& baseDir) {
    ConfigErrors errors{nameForErrors, {}};
    toml::table root;
    try {
        root = toml::parse(text, nameForErrors.string());
    } catch (const toml::parse_error& e) {
        errors.issues.push_back(ConfigIssue{"(syntax)", static_cast<int>(e.source().begin.line),
                                            std::string(e.description())});
        return Fail(errors);
    }
    KioskConfig config;
    config.sourceFile = nameForErrors;
    ConfigReader reader(root, baseDir, errors.issues);
    reader.checkSections({"device", "outbox", "privacy", "hub", "ui", "loyalty", "staff", "feedback"});
    readDevice(reader, config.device);
    readOutbox(reader, config.outbox);
    readPrivacy(reader, config.privacy);
    readHub(reader, config.hub);
    readUi(reader, config.ui);
    readLoyalty(reader, config.loyalty);
    readStaff(reader, config.staff, config.outbox);
    readFeedback(reader, config.feedback);
    if (!errors.issues.empty()) return Fail(errors);
    return config;
}

Result<KioskConfig, ConfigErrors> loadKioskConfig(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return Fail(ConfigErrors{file, {ConfigIssue{"(file)", 0, "cannot read the config file"}}});
    }
    std::ostringstream text;
    text << in.rdbuf();
    std::filesystem::path base = file.parent_path();
    if (base.empty()) base = std::filesystem::current_path();
    auto r = parseKioskConfig(text.str(), file, std::filesystem::absolute(base));
    if (r) r->sourceFile = file;
    return r;
}

}  // namespace touchpoint::config
