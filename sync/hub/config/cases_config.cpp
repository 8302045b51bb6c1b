#include <set>

#include "common/text.hpp"
#include "hub/config/cases_config_read.hpp"

namespace touchpoint::hub {

std::int64_t StoreScope::specificity(std::string_view store) const {
    std::int64_t best = -1;
    for (const auto& p : patterns) {
        std::int64_t s = -1;
        if (p == "*") {
            s = 0;
        } else if (!p.empty() && p.back() == '*') {
            const std::string_view prefix(p.data(), p.size() - 1);
            if (store.substr(0, prefix.size()) == prefix) s = 1 + static_cast<std::int64_t>(prefix.size());
        } else if (p == store) {
            s = 1'000'000;
        }
        best = std::max(best, s);
    }
    return best;
}

std::string_view toString(AlertKind kind) {
    switch (kind) {
        case AlertKind::UnhappyShare:
            return "unhappy_share";
        case AlertKind::DetractorRun:
            return "detractor_run";
        case AlertKind::FrequentReason:
            return "frequent_reason";
    }
    return "unhappy_share";
}

std::string_view toString(CaseKind kind) {
    return kind == CaseKind::CommentWords ? "comment_words" : "contact_request";
}

namespace {

/// An array of strings at `key`, or the default left alone when absent.
bool readStrings(Checker& check, const toml::table& t, const std::string& where, const char* key,
                 std::vector<std::string>& out) {
    const toml::node* node = check.node(t, key);
    if (!node) return false;
    const auto* arr = node->as_array();
    if (!arr || !arr->is_homogeneous(toml::node_type::string) || arr->empty()) {
        check.fail(node, where + "." + key, "expected a non-empty array of strings");
        return false;
    }
    out.clear();
    for (const auto& v : *arr) out.push_back(*v.value<std::string>());
    return true;
}

void readScope(Checker& check, const toml::table& t, const std::string& where, StoreScope& scope) {
    readStrings(check, t, where, "stores", scope.patterns);
    for (const auto& p : scope.patterns) {
        const auto star = p.find('*');
        if (p.empty() || p.size() > 256 || (star != std::string::npos && star != p.size() - 1)) {
            check.fail(t.get("stores"), where + ".stores",
                       "each entry is \"*\", a store id, or a prefix ending in \"*\" (\"north-*\")");
            return;
        }
    }
}

void readBool(Checker& check, const toml::table& t, const std::string& where, const char* key, bool& out) {
    const toml::node* node = check.node(t, key);
    if (!node) return;
    if (auto v = node->value<bool>(); v && node->is_boolean()) {
        out = *v;
    } else {
        check.fail(node, where + "." + key, "expected true or false");
    }
}

void readEvents(Checker& check, const toml::table& t, const std::string& where, bool& alerts, bool& cases) {
    std::vector<std::string> events;
    if (!readStrings(check, t, where, "events", events)) return;
    alerts = cases = false;
    for (const auto& e : events) {
        if (e == "alert") {
            alerts = true;
        } else if (e == "case") {
            cases = true;
        } else {
            check.fail(t.get("events"), where + ".events", "expected \"alert\" and/or \"case\"");
        }
    }
}

void range(Checker& check, const toml::table& t, const std::string& where, const char* key, std::int64_t v,
           std::int64_t lo, std::int64_t hi) {
    if (v < lo || v > hi) {
        check.fail(t.get(key), where + "." + key,
                   "must be " + std::to_string(lo) + ".." + std::to_string(hi));
    }
}

/// Names must be unique per store scope: the same name in another scope overrides it for those stores.
template <class Rule>
void checkNames(Checker& check, const toml::node* node, const std::string& where,
                const std::vector<Rule>& rules) {
    std::set<std::pair<std::string, std::vector<std::string>>> seen;
    for (const auto& r : rules) {
        if (!seen.insert({r.name, r.stores.patterns}).second) {
            check.fail(node, where, "\"" + r.name + "\" is named twice for the same stores");
        }
    }
}

void readAlert(Checker& check, const toml::table& t, AlertRule& a) {
    const std::string where = "cases.alerts";
    check.read(t, where.c_str(), "name", a.name);
    std::string kind;
    check.read(t, where.c_str(), "kind", kind);
    if (kind == "unhappy_share") {
        a.kind = AlertKind::UnhappyShare;
    } else if (kind == "detractor_run") {
        a.kind = AlertKind::DetractorRun;
    } else if (kind == "frequent_reason") {
        a.kind = AlertKind::FrequentReason;
    } else {
        check.fail(t.get("kind") ? t.get("kind") : &t, where + ".kind",
                   "expected unhappy_share, detractor_run or frequent_reason");
    }
    if (a.name.empty()) a.name = kind;
    readScope(check, t, where, a.stores);
    check.read(t, where.c_str(), "window_minutes", a.windowMinutes);
    check.read(t, where.c_str(), "min_responses", a.minResponses);
    check.read(t, where.c_str(), "run", a.run);
    check.read(t, where.c_str(), "min_count", a.minCount);
    check.read(t, where.c_str(), "reason", a.reason);
    if (const toml::node* share = check.node(t, "unhappy_share")) {
        if (auto v = share->value<double>(); v && (share->is_floating_point() || share->is_integer())) {
            a.unhappyShare = *v;
        } else {
            check.fail(share, where + ".unhappy_share", "expected a number");
        }
        if (a.unhappyShare <= 0 || a.unhappyShare > 1)
            check.fail(share, where + ".unhappy_share", "must be > 0 and <= 1");
    }
    range(check, t, where, "window_minutes", a.windowMinutes, 1, 7 * 24 * 60);
    range(check, t, where, "min_responses", a.minResponses, 1, 100'000);
    range(check, t, where, "run", a.run, 2, 1'000);
    range(check, t, where, "min_count", a.minCount, 1, 100'000);
}

void readRule(Checker& check, const toml::table& t, CaseRule& r) {
    const std::string where = "cases.rules";
    check.read(t, where.c_str(), "name", r.name);
    std::string kind;
    check.read(t, where.c_str(), "kind", kind);
    if (kind == "contact_request") {
        r.kind = CaseKind::ContactRequest;
    } else if (kind == "comment_words") {
        r.kind = CaseKind::CommentWords;
    } else {
        check.fail(t.get("kind") ? t.get("kind") : &t, where + ".kind",
                   "expected contact_request or comment_words");
    }
    if (r.name.empty()) r.name = kind;
    readScope(check, t, where, r.stores);
    if (readStrings(check, t, where, "words", r.words)) {
        for (auto& w : r.words) {
            w = asciiLower(trim(w));
            if (w.empty() || w.size() > 200)
                check.fail(t.get("words"), where + ".words", "each word is 1..200 bytes");
        }
    }
    if (r.kind == CaseKind::CommentWords && r.words.empty()) {
        check.fail(&t, where + ".words", "a comment_words rule needs words");
    }
    if (t.get("sla_hours")) {
        std::int64_t sla = 0;
        check.read(t, where.c_str(), "sla_hours", sla);
        range(check, t, where, "sla_hours", sla, 1, 24 * 365);
        r.slaHours = sla;
    }
}

}  // namespace

void readCasesConfig(Checker& check, const toml::table& t, CasesConfig& c) {
    check.read(t, "cases", "unhappy_nps_max", c.unhappyNpsMax);
    check.read(t, "cases", "unhappy_csat_max", c.unhappyCsatMax);
    check.read(t, "cases", "sla_hours", c.slaHours);
    check.read(t, "cases", "contact_retention_days", c.contactRetentionDays);
    range(check, t, "cases", "unhappy_nps_max", c.unhappyNpsMax, 0, 9);
    range(check, t, "cases", "unhappy_csat_max", c.unhappyCsatMax, 1, 4);
    range(check, t, "cases", "sla_hours", c.slaHours, 1, 24 * 365);
    range(check, t, "cases", "contact_retention_days", c.contactRetentionDays, 1, 3660);
    if (const toml::node* rules = check.node(t, "rules")) {
        if (!rules->is_array_of_tables()) {
            check.fail(rules, "cases.rules", "expected [[cases.rules]] tables");
        } else {
            c.rules.clear();  // a file that lists rules lists all of them
            for (const auto& item : *rules->as_array()) {
                CaseRule r;
                readRule(check, *item.as_table(), r);
                c.rules.push_back(std::move(r));
            }
            checkNames(check, rules, "cases.rules", c.rules);
        }
    }
    if (const toml::node* alerts = check.node(t, "alerts")) {
        if (!alerts->is_array_of_tables()) {
            check.fail(alerts, "cases.alerts", "expected [[cases.alerts]] tables");
        } else {
            for (const auto& item : *alerts->as_array()) {
                AlertRule a;
                readAlert(check, *item.as_table(), a);
                c.alerts.push_back(std::move(a));
            }
            checkNames(check, alerts, "cases.alerts", c.alerts);
        }
    }
}

void readNotificationsConfig(Checker& check, const toml::table& t, NotificationsConfig& n) {
    const std::string where = "notifications";
    check.read(t, "notifications", "link_base_url", n.linkBaseUrl);
    check.read(t, "notifications", "ca_file", n.caFile);
    check.read(t, "notifications", "max_attempts", n.maxAttempts);
    check.read(t, "notifications", "base_delay_ms", n.baseDelayMs);
    check.read(t, "notifications", "max_delay_ms", n.maxDelayMs);
    check.read(t, "notifications", "timeout_ms", n.timeoutMs);
    range(check, t, where, "max_attempts", n.maxAttempts, 1, 100);
    range(check, t, where, "base_delay_ms", n.baseDelayMs, 10, 3'600'000);
    range(check, t, where, "max_delay_ms", n.maxDelayMs, n.baseDelayMs, 86'400'000);
    range(check, t, where, "timeout_ms", n.timeoutMs, 100, 600'000);
    if (const toml::node* hooks = check.node(t, "webhooks")) {
        if (!hooks->is_array_of_tables()) {
            check.fail(hooks, "notifications.webhooks", "expected [[notifications.webhooks]] tables");
        } else {
            std::set<std::string> names;
            for (const auto& item : *hooks->as_array()) {
                const auto& ht = *item.as_table();
                WebhookTarget w;
                const std::string hw = "notifications.webhooks";
                check.read(ht, hw.c_str(), "name", w.name);
                check.read(ht, hw.c_str(), "url", w.url);
                check.read(ht, hw.c_str(), "secret_file", w.secretFile);
                readBool(check, ht, hw, "slack", w.slack);
                readScope(check, ht, hw, w.stores);
                readEvents(check, ht, hw, w.alerts, w.cases);
                if (w.name.empty() || !names.insert(w.name).second)
                    check.fail(&item, hw + ".name", "missing or used twice");
                if (w.url.rfind("https://", 0) != 0)
                    check.fail(ht.get("url") ? ht.get("url") : &item, hw + ".url", "expected https://...");
                if (w.secretFile.empty())
                    check.fail(&item, hw + ".secret_file", "required (the HMAC-SHA256 key)");
                n.webhooks.push_back(std::move(w));
            }
        }
    }
    if (const toml::node* smtp = check.node(t, "smtp")) {
        if (!smtp->is_table()) {
            check.fail(smtp, "notifications.smtp", "expected a table [notifications.smtp]");
        } else {
            const auto& st = *smtp->as_table();
            const std::string sw = "notifications.smtp";
            SmtpRelay s;
            check.read(st, sw.c_str(), "url", s.url);
            readBool(check, st, sw, "starttls", s.starttls);
            check.read(st, sw.c_str(), "user", s.user);
            check.read(st, sw.c_str(), "password_file", s.passwordFile);
            check.read(st, sw.c_str(), "from", s.from);
            readStrings(check, st, sw, "to", s.to);
            readScope(check, st, sw, s.stores);
            readEvents(check, st, sw, s.alerts, s.cases);
            if (s.url.rfind("smtp://", 0) != 0 && s.url.rfind("smtps://", 0) != 0) {
                check.fail(st.get("url") ? st.get("url") : smtp, sw + ".url",
                           "expected smtp://host:port or smtps://host:port");
            }
            if (s.from.empty() || s.to.empty()) check.fail(smtp, sw, "from and to are required");
            if (!s.user.empty() && s.passwordFile.empty())
                check.fail(smtp, sw + ".password_file", "required with user");
            n.smtp = std::move(s);
        }
    }
}

}  // namespace touchpoint::hub
