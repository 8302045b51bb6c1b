#include "hub/config/hub_config.hpp"

#include <arpa/inet.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "hub/privacy/data_key.hpp"
#include "hub/config/cases_config_read.hpp"
#include "hub/config/config_checker.hpp"

namespace touchpoint::hub {

namespace {

void readLoyalty(Checker& check, const toml::table& t, LoyaltyConfig& l) {
    check.read(t, "loyalty", "points_per_checkin", l.pointsPerCheckin);
    std::int64_t cooldownHours = l.cooldownSeconds / 3600;
    check.read(t, "loyalty", "cooldown_hours", cooldownHours);
    l.cooldownSeconds = cooldownHours * 3600;
    check.read(t, "loyalty", "velocity_per_day", l.velocityPerDay);
    check.read(t, "loyalty", "default_phone_region", l.defaultPhoneRegion);
    check.read(t, "loyalty", "max_emails_per_profile", l.maxEmailsPerProfile);
    check.read(t, "loyalty", "max_phones_per_profile", l.maxPhonesPerProfile);
    if (l.maxEmailsPerProfile < 1 || l.maxEmailsPerProfile > 1000) {
        check.fail(t.get("max_emails_per_profile"), "loyalty.max_emails_per_profile", "must be 1..1000");
    }
    if (l.maxPhonesPerProfile < 1 || l.maxPhonesPerProfile > 1000) {
        check.fail(t.get("max_phones_per_profile"), "loyalty.max_phones_per_profile", "must be 1..1000");
    }
    check.read(t, "loyalty", "earn_window_days", l.earnWindowDays);
    check.read(t, "loyalty", "earn_future_seconds", l.earnFutureSeconds);
    if (l.earnWindowDays < 1 || l.earnWindowDays > 3660) {
        check.fail(t.get("earn_window_days"), "loyalty.earn_window_days", "must be 1..3660");
    }
    if (l.earnFutureSeconds < 0 || l.earnFutureSeconds > 86'400) {
        check.fail(t.get("earn_future_seconds"), "loyalty.earn_future_seconds", "must be 0..86400");
    }
    if (l.pointsPerCheckin < 0) check.fail(t.get("points_per_checkin"), "loyalty.points_per_checkin", "must be >= 0");
    if (cooldownHours < 0) check.fail(t.get("cooldown_hours"), "loyalty.cooldown_hours", "must be >= 0");
    if (l.velocityPerDay < 1) check.fail(t.get("velocity_per_day"), "loyalty.velocity_per_day", "must be >= 1");

    if (const toml::node* tiers = check.node(t, "tiers")) {
        if (!tiers->is_array_of_tables()) {
            check.fail(tiers, "loyalty.tiers", "expected [[loyalty.tiers]] tables with name and points");
        } else {
            l.tiers.clear();
            for (const auto& item : *tiers->as_array()) {
                Tier tier;
                const auto& tt = *item.as_table();
                check.read(tt, "loyalty.tiers", "name", tier.name);
                check.read(tt, "loyalty.tiers", "points", tier.points);
                if (tier.name.empty()) check.fail(&item, "loyalty.tiers.name", "missing");
                if (!l.tiers.empty() && tier.points <= l.tiers.back().points) {
                    check.fail(&item, "loyalty.tiers.points", "tiers must be in increasing order of points");
                }
                l.tiers.push_back(tier);
            }
            if (l.tiers.empty()) check.fail(tiers, "loyalty.tiers", "at least one tier is needed");
        }
    }
    if (const toml::node* rewards = check.node(t, "rewards")) {
        if (!rewards->is_array_of_tables()) {
            check.fail(rewards, "loyalty.rewards", "expected [[loyalty.rewards]] tables with id, name and points");
        } else {
            l.rewards.clear();
            for (const auto& item : *rewards->as_array()) {
                Reward r;
                const auto& rt = *item.as_table();
                check.read(rt, "loyalty.rewards", "id", r.id);
                check.read(rt, "loyalty.rewards", "name", r.name);
                check.read(rt, "loyalty.rewards", "points", r.points);
                if (r.id.empty() || r.name.empty()) check.fail(&item, "loyalty.rewards", "id and name are required");
                l.rewards.push_back(r);
            }
        }
    }
}

/// A per-token bucket table ([welcome], [staff_lookup]): per_token_per_minute and per_token_burst.
void readTokenBucket(Checker& check, const toml::table& t, const std::string& section, RateLimit& l) {
    std::int64_t perMinute = static_cast<std::int64_t>(l.perSecond * 60 + 0.5);
    auto burst = static_cast<std::int64_t>(l.burst);
    check.read(t, section.c_str(), "per_token_per_minute", perMinute);
    check.read(t, section.c_str(), "per_token_burst", burst);
    if (perMinute < 1 || perMinute > 60'000) check.fail(t.get("per_token_per_minute"), section + ".per_token_per_minute", "must be 1..60000");
    if (burst < 1 || burst > 100'000) check.fail(t.get("per_token_burst"), section + ".per_token_burst", "must be 1..100000");
    l = {static_cast<double>(perMinute) / 60.0, static_cast<double>(burst)};
}

void readLimits(Checker& check, const toml::table& t, ServerLimits& l) {
    auto count = [&](const char* key, std::size_t& out, std::int64_t min, std::int64_t max) {
        auto v = static_cast<std::int64_t>(out);
        check.read(t, "limits", key, v);
        if (v < min || v > max) {
            check.fail(t.get(key), std::string("limits.") + key, "must be " + std::to_string(min) + ".." + std::to_string(max));
        }
        out = static_cast<std::size_t>(v);
    };
    auto millis = [&](const char* key, std::chrono::milliseconds& out, std::int64_t min, std::int64_t max) {
        auto v = static_cast<std::size_t>(out.count());
        count(key, v, min, max);
        out = std::chrono::milliseconds(static_cast<std::int64_t>(v));
    };
    auto rate = [&](const char* perSecond, const char* burst, RateLimit& out) {
        auto r = static_cast<std::size_t>(out.perSecond), b = static_cast<std::size_t>(out.burst);
        count(perSecond, r, 0, 1'000'000);
        count(burst, b, 1, 10'000'000);
        out = {static_cast<double>(r), static_cast<double>(b)};
    };
    count("max_header_bytes", l.maxHeaderBytes, 1024, 1024 * 1024);
    count("default_body_bytes", l.defaultBodyBytes, 0, 64 * 1024 * 1024);
    millis("handshake_timeout_ms", l.handshakeTimeout, 100, 600'000);
    millis("request_timeout_ms", l.requestTimeout, 100, 600'000);
    millis("idle_timeout_ms", l.idleTimeout, 100, 3'600'000);
    millis("write_timeout_ms", l.writeTimeout, 100, 600'000);
    millis("shutdown_grace_ms", l.shutdownGrace, 0, 60'000);
    count("max_connections", l.maxConnections, 1, 1'000'000);
    count("max_connections_per_address", l.maxConnectionsPerAddress, 1, 1'000'000);
    count("max_queued_requests", l.maxQueuedRequests, 1, 1'000'000);
    rate("per_address_per_second", "per_address_burst", l.perAddress);
    rate("per_token_per_second", "per_token_burst", l.perToken);
    auto io = static_cast<std::size_t>(l.ioThreads);
    count("io_threads", io, 1, 64);
    l.ioThreads = static_cast<int>(io);
    if (const toml::node* proxies = check.node(t, "trusted_proxies")) {
        const auto* arr = proxies->as_array();
        if (!arr || !arr->is_homogeneous(toml::node_type::string)) {
            check.fail(proxies, "limits.trusted_proxies", "expected an array of IP addresses");
            return;
        }
        for (const auto& p : *arr) {
            // Kept in the form the server prints a peer's address in, so they compare as text.
            const std::string text = *p.value<std::string>();
            unsigned char raw[sizeof(in6_addr)];
            char canonical[INET6_ADDRSTRLEN];
            const int family = text.find(':') == std::string::npos ? AF_INET : AF_INET6;
            if (inet_pton(family, text.c_str(), raw) != 1 || !inet_ntop(family, raw, canonical, sizeof canonical)) {
                check.fail(&p, "limits.trusted_proxies", "not an IP address: " + text);
                continue;
            }
            l.trustedProxies.emplace_back(canonical);
        }
    }
}

}  // namespace

Result<HubConfig, std::vector<std::string>> parseHubConfig(const std::string& text, const std::string& name) {
    toml::table root;
    try {
        root = toml::parse(text, name);
    } catch (const toml::parse_error& e) {
        return Fail(std::vector<std::string>{name + ":" + std::to_string(e.source().begin.line) + ": " +
                                             std::string(e.description())});
    }
    Checker check(name);
    HubConfig c;
    c.sourcePath = name;

    for (const auto& [key, node] : root) {
        const std::string k(key.str());
        if (k != "server" && k != "tls" && k != "store" && k != "sealing" && k != "loyalty" && k != "limits" &&
            k != "welcome" && k != "staff_lookup" && k != "privacy" && k != "retention" && k != "cases" &&
            k != "notifications") {
            check.fail(&node, k,
                       "unknown section (expected server, tls, store, sealing, privacy, retention, loyalty, limits, "
                       "welcome, staff_lookup, cases, notifications)");
        }
    }
    if (const auto* s = section(check, root, "server")) {
        check.read(*s, "server", "listen", c.listenAddress);
        check.read(*s, "server", "port", c.port);
        check.read(*s, "server", "worker_threads", c.workerThreads);
        check.read(*s, "server", "worker_nice", c.workerNice);
        check.read(*s, "server", "clock_skew_flag_seconds", c.clockSkewFlagSeconds);
        if (c.port < 0 || c.port > 65535) check.fail(s->get("port"), "server.port", "must be 0..65535");
        if (c.workerThreads < 1 || c.workerThreads > 256) {
            check.fail(s->get("worker_threads"), "server.worker_threads", "must be 1..256");
        }
        if (c.workerNice < 0 || c.workerNice > 19)
            check.fail(s->get("worker_nice"), "server.worker_nice", "must be 0..19");
        if (c.clockSkewFlagSeconds < 1) {
            check.fail(s->get("clock_skew_flag_seconds"), "server.clock_skew_flag_seconds", "must be >= 1");
        }
    }
    if (const auto* t = section(check, root, "tls")) {
        check.read(*t, "tls", "cert_file", c.tlsCertFile);
        check.read(*t, "tls", "key_file", c.tlsKeyFile);
    }
    if (c.tlsCertFile.empty() || c.tlsKeyFile.empty()) {
        check.fail(root.get("tls"), "tls", "cert_file and key_file are required (HTTPS only)");
    }
    if (const auto* s = section(check, root, "store")) {
        check.read(*s, "store", "url", c.storeUrl);
        check.read(*s, "store", "connections", c.storeConnections);
        if (!c.storeUrl.empty() && c.storeUrl.rfind("sqlite://", 0) != 0 && c.storeUrl.rfind("postgresql://", 0) != 0 &&
            c.storeUrl.rfind("postgres://", 0) != 0) {
            check.fail(s->get("url"), "store.url", "expected sqlite:///path/to/hub.db or postgresql://...");
        }
        if (c.storeConnections < 1 || c.storeConnections > 64) {
            check.fail(s->get("connections"), "store.connections", "must be 1..64");
        }
    }
    if (c.storeUrl.empty()) check.fail(root.get("store"), "store.url", "missing");
    if (const auto* s = section(check, root, "sealing")) {
        if (const toml::node* keys = check.node(*s, "secret_key_files")) {
            if (const auto* arr = keys->as_array(); arr && arr->is_homogeneous(toml::node_type::string)) {
                for (const auto& k : *arr) c.sealingSecretKeyFiles.push_back(*k.value<std::string>());
            } else {
                check.fail(keys, "sealing.secret_key_files", "expected an array of file names");
            }
        }
    }
    if (c.sealingSecretKeyFiles.empty()) {
        check.fail(root.get("sealing"), "sealing.secret_key_files", "at least one secret key file is required");
    }
    if (const auto* p = section(check, root, "privacy")) {
        check.read(*p, "privacy", "data_key_file", c.dataKeyFile);
        if (const toml::node* f = p->get("data_key_file"); f && f->is_string() && c.dataKeyFile.empty()) {
            check.fail(f, "privacy.data_key_file", "must name a file");
        }
    }
    if (const auto* r = section(check, root, "retention")) {
        auto& k = c.retention;
        check.read(*r, "retention", "comments_days", k.commentDays);
        check.read(*r, "retention", "staff_audit_days", k.staffAuditDays);
        std::int64_t minutes = k.intervalSeconds / 60;
        check.read(*r, "retention", "interval_minutes", minutes);
        k.intervalSeconds = minutes * 60;
        for (const auto& [key, days] : {std::pair{"comments_days", k.commentDays}, std::pair{"staff_audit_days", k.staffAuditDays}}) {
            if (days < 0 || days > 36'600) check.fail(r->get(key), std::string("retention.") + key, "must be 0..36600 (0 keeps it)");
        }
        if (minutes < 1 || minutes > 10'080) check.fail(r->get("interval_minutes"), "retention.interval_minutes", "must be 1..10080");
    }
    if (const auto* l = section(check, root, "loyalty")) readLoyalty(check, *l, c.loyalty);
    if (const auto* l = section(check, root, "limits")) readLimits(check, *l, c.limits);
    if (const auto* w = section(check, root, "welcome")) readTokenBucket(check, *w, "welcome", c.welcomePerToken);
    if (const auto* s = section(check, root, "staff_lookup")) {
        readTokenBucket(check, *s, "staff_lookup", c.staffLookupPerToken);
    }
    if (const auto* s = section(check, root, "cases")) readCasesConfig(check, *s, c.cases);
    if (const auto* n = section(check, root, "notifications")) readNotificationsConfig(check, *n, c.notifications);
    // Every key inside the sections that no reader asked for (the sections themselves were checked above).
    for (const auto& [key, node] : root) {
        if (const auto* table = node.as_table()) check.unknownKeys(*table, std::string(key.str()));
    }

    if (!check.errors().empty()) return Fail(check.errors());
    return c;
}

Result<HubConfig, std::vector<std::string>> loadHubConfig(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Fail(std::vector<std::string>{path + ":0: cannot open the file"});
    std::stringstream ss;
    ss << in.rdbuf();
    auto parsed = parseHubConfig(ss.str(), path);
    if (!parsed) return parsed;
    // Relative paths in the file are relative to the file, so a config directory can be moved as a whole.
    const auto dir = std::filesystem::path(path).parent_path();
    auto fix = [&](std::string& p) {
        if (!p.empty() && std::filesystem::path(p).is_relative()) p = (dir / p).string();
    };
    HubConfig c = std::move(parsed).value();
    if (c.dataKeyFile.empty()) {
        // A hub kept on disk needs its data key (tombstones, staff lookups): say how to make one, never guess.
        return Fail(std::vector<std::string>{
            path + ":0: privacy.data_key_file: missing; " +
            privacy::dataKeyHelp("/etc/touchpoint/hub-data.key") + " (docs/OPERATIONS.md \"Personal data: keys, "
            "erasure, retention\")"});
    }
    if (c.dataKeyFile.rfind(privacy::kCredentialsPrefix, 0) != 0) fix(c.dataKeyFile);
    fix(c.tlsCertFile);
    fix(c.tlsKeyFile);
    for (auto& k : c.sealingSecretKeyFiles) fix(k);
    fix(c.notifications.caFile);
    for (auto& w : c.notifications.webhooks) fix(w.secretFile);
    if (c.notifications.smtp) fix(c.notifications.smtp->passwordFile);
    if (c.storeUrl.rfind("sqlite://", 0) == 0) {
        std::string p = c.storeUrl.substr(9);
        if (!p.empty() && p[0] != '/') {
            fix(p);
            c.storeUrl = "sqlite://" + p;
        }
        // A copy of the database's folder must not carry the key that links what it holds.
        const auto storeDir = std::filesystem::path(c.storeUrl.substr(9)).lexically_normal().parent_path();
        const auto keyDir = std::filesystem::path(c.dataKeyFile).lexically_normal().parent_path();
        if (c.dataKeyFile.rfind(privacy::kCredentialsPrefix, 0) != 0 && keyDir == storeDir) {
            return Fail(std::vector<std::string>{path + ":0: privacy.data_key_file: " + c.dataKeyFile +
                                                 " is in the database's folder; keep it apart (a copy of the folder "
                                                 "or a backup would carry it)"});
        }
    }
    return c;
}

Result<std::vector<std::string>, std::string> readSealingKeys(const HubConfig& config) {
    std::vector<std::string> keys;
    for (const auto& file : config.sealingSecretKeyFiles) {
        std::ifstream in(file, std::ios::binary);
        if (!in) return Fail("sealing key file " + file + ": cannot open");
        std::string key;
        std::getline(in, key);
        while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' ')) key.pop_back();
        if (key.empty()) return Fail("sealing key file " + file + ": empty");
        keys.push_back(key);
    }
    return keys;
}

}  // namespace touchpoint::hub
