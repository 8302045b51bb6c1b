#pragma once
// Alerts on unhappy feedback, cases for single answers, and where their notifications go: `[cases]`,
// `[[cases.rules]]`, `[[cases.alerts]]`, `[notifications]`, `[[notifications.webhooks]]` and
// `[notifications.smtp]` in hub.toml (docs/JOURNEY_RULES.md "Alerts and cases", docs/OPERATIONS.md
// "Notifications").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace touchpoint::hub {

/// Which stores a rule or a recipient covers: "*" (every store), "north-*" (every store id that starts with
/// "north-": a region or any other level of the store hierarchy, by the ids' naming), or one store id.
struct StoreScope {
    std::vector<std::string> patterns{"*"};

    /// How closely the scope names `store`: -1 when it does not cover it; "*" 0, a prefix 1 + its length, the
    /// exact id the most. A rule named for a store overrides the same rule named for its region or for all.
    std::int64_t specificity(std::string_view store) const;
    bool covers(std::string_view store) const { return specificity(store) >= 0; }
};

enum class AlertKind {
    UnhappyShare,    ///< unhappy answers >= share of the answers in a window, with at least min_responses
    DetractorRun,    ///< `run` unhappy answers in a row (by capture time) within a window
    FrequentReason,  ///< one reason chosen at least min_count times in a window
};
std::string_view toString(AlertKind kind);

struct AlertRule {
    std::string name;
    AlertKind kind = AlertKind::UnhappyShare;
    StoreScope stores;
    std::int64_t windowMinutes = 15;
    std::int64_t minResponses = 4;  ///< UnhappyShare
    double unhappyShare = 0.5;      ///< UnhappyShare, 0..1
    std::int64_t run = 3;           ///< DetractorRun
    std::int64_t minCount = 5;      ///< FrequentReason
    std::string reason;             ///< FrequentReason: one reason id, or "" for any
};

enum class CaseKind {
    ContactRequest,  ///< an unhappy answer whose shopper agreed to be contacted about it
    CommentWords,    ///< a comment containing one of `words` (case-folded substring)
};
std::string_view toString(CaseKind kind);

struct CaseRule {
    std::string name;
    CaseKind kind = CaseKind::ContactRequest;
    StoreScope stores;
    std::vector<std::string> words;        ///< CommentWords, kept lower-cased
    std::optional<std::int64_t> slaHours;  ///< overrides [cases] sla_hours
};

struct CasesConfig {
    /// An answer is unhappy (a detractor) with NPS <= this or CSAT <= unhappyCsatMax: the kiosk asks its
    /// contact question on the same scores.
    std::int64_t unhappyNpsMax = 6;
    std::int64_t unhappyCsatMax = 2;
    std::int64_t slaHours = 48;
    /// Contact details are deleted when their case is resolved, or this many days after they arrived.
    std::int64_t contactRetentionDays = 65;
    std::vector<CaseRule> rules{CaseRule{"contact-request", CaseKind::ContactRequest, {}, {}, std::nullopt}};
    std::vector<AlertRule> alerts;
};

struct WebhookTarget {
    std::string name;
    std::string url;         ///< https:// only
    std::string secretFile;  ///< the HMAC-SHA256 key (its first line), signing each body
    bool slack = false;      ///< add a Slack-compatible "text" member
    StoreScope stores;
    bool alerts = true;  ///< `events` holds "alert"
    bool cases = true;   ///< `events` holds "case"
};

struct SmtpRelay {
    std::string url;  ///< smtp://host:port (STARTTLS when starttls) or smtps://host:port
    bool starttls = true;
    std::string user;
    std::string passwordFile;
    std::string from;
    std::vector<std::string> to;
    StoreScope stores;
    bool alerts = true;
    bool cases = true;
};

struct NotificationsConfig {
    /// Links in notifications point here ("https://hub.example.com"): the case, never the shopper.
    std::string linkBaseUrl;
    std::string caFile;             ///< empty: the system's CA bundle (webhooks and SMTP over TLS)
    std::int64_t maxAttempts = 10;  ///< then the notification is a dead letter until replayed
    std::int64_t baseDelayMs = 2'000;
    std::int64_t maxDelayMs = 600'000;
    std::int64_t timeoutMs = 10'000;
    std::vector<WebhookTarget> webhooks;
    std::optional<SmtpRelay> smtp;
};

}  // namespace touchpoint::hub
