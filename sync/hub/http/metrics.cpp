#include "hub/http/metrics.hpp"

#include <sstream>

#include "hub/http/server_counters.hpp"

namespace touchpoint::hub {

void Metrics::countReceipt(const std::string& status, std::int64_t n) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_receipts[status] += n;
}

namespace {

/// Every top-level field a receipt's reason can start with, and the whole-body refusals.
constexpr const char* kRejectLabels[] = {
    "type", "messageId", "timestamp", "originalTimestamp", "sentAt", "userId", "anonymousId", "previousId",
    "groupId", "userId/anonymousId", "event", "alias", "properties", "traits", "context", "sealed", "message",
    "storeId", "kioskId", "token", "body_malformed", "body_too_large", "welcome_not_kiosk", "welcome_rate_limited",
    "lookup_rate_limited"};

using http::prometheusLabelValue;

}  // namespace

std::string Metrics::rejectLabel(const std::string& reason) {
    std::string key = reason.substr(0, reason.find(':'));
    if (key != "userId/anonymousId") key = key.substr(0, key.find_first_of(".["));
    for (const char* known : kRejectLabels) {
        if (key == known) return key;
    }
    return "other";
}

void Metrics::countSource(const std::string& source, const std::string& status, std::int64_t n) {
    if (n == 0) return;
    std::lock_guard<std::mutex> lock(m_mutex);
    m_sources[{source, status}] += n;
}

void Metrics::countReject(const std::string& source, const std::string& reason) {
    auto label = rejectLabel(reason);
    std::lock_guard<std::mutex> lock(m_mutex);
    m_rejects[{source, std::move(label)}] += 1;
}

void Metrics::countRequest(const std::string& route, int status, double seconds) {
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_requests[{route, status}];
    auto& h = m_latency[route];
    ++h.count;
    h.sum += seconds;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
        if (seconds <= kBuckets[i]) ++h.buckets[i];
    }
}

void Metrics::countRetention(const std::string& kind, std::int64_t n) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_retention[kind] += n;
}

std::string Metrics::render(const std::string& extra) const {
    std::ostringstream out;
    std::lock_guard<std::mutex> lock(m_mutex);
    out << "# HELP touchpoint_hub_messages_total Messages by receipt status.\n"
           "# TYPE touchpoint_hub_messages_total counter\n";
    for (const auto& [status, n] : m_receipts) out << "touchpoint_hub_messages_total{status=\"" << status << "\"} " << n << "\n";
    out << "# HELP touchpoint_hub_source_messages_total Messages by ingest source (token name) and receipt status.\n"
           "# TYPE touchpoint_hub_source_messages_total counter\n";
    for (const auto& [key, n] : m_sources) {
        out << "touchpoint_hub_source_messages_total{source=\"" << prometheusLabelValue(key.first) << "\",status=\"" << key.second
            << "\"} " << n << "\n";
    }
    out << "# HELP touchpoint_hub_rejects_total Rejected messages and bodies by ingest source and reason (field).\n"
           "# TYPE touchpoint_hub_rejects_total counter\n";
    for (const auto& [key, n] : m_rejects) {
        out << "touchpoint_hub_rejects_total{source=\"" << prometheusLabelValue(key.first) << "\",reason=\"" << key.second << "\"} "
            << n << "\n";
    }
    out << "# HELP touchpoint_hub_profile_merges_total Profiles merged into another.\n"
           "# TYPE touchpoint_hub_profile_merges_total counter\n"
        << "touchpoint_hub_profile_merges_total " << m_merges.load() << "\n"
        << "# HELP touchpoint_hub_identity_conflicts_total Identity ties a public source asked for and was refused.\n"
           "# TYPE touchpoint_hub_identity_conflicts_total counter\n"
        << "touchpoint_hub_identity_conflicts_total " << m_identityConflicts.load() << "\n"
        << "# HELP touchpoint_hub_alert_windows_total A store's window of answers read by the alert rules, by where "
           "it was read from (memory: kept from earlier batches; database: read again).\n"
           "# TYPE touchpoint_hub_alert_windows_total counter\n"
        << "touchpoint_hub_alert_windows_total{read=\"memory\"} " << m_alertWindowsFromMemory.load() << "\n"
        << "touchpoint_hub_alert_windows_total{read=\"database\"} " << m_alertWindowsFromDatabase.load() << "\n"
        << "# HELP touchpoint_hub_skewed_messages_total Messages from kiosks whose clock was off beyond the threshold.\n"
           "# TYPE touchpoint_hub_skewed_messages_total counter\n"
        << "touchpoint_hub_skewed_messages_total " << m_skewed.load() << "\n";
    out << "# HELP touchpoint_hub_retention_removed_total Rows whose personal data the retention job removed, by kind.\n"
           "# TYPE touchpoint_hub_retention_removed_total counter\n";
    for (const auto& [kind, n] : m_retention) {
        out << "touchpoint_hub_retention_removed_total{kind=\"" << kind << "\"} " << n << "\n";
    }
    out << "# HELP touchpoint_hub_requests_total HTTP requests by route and status.\n"
           "# TYPE touchpoint_hub_requests_total counter\n";
    for (const auto& [key, n] : m_requests) {
        out << "touchpoint_hub_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
    }
    out << "# HELP touchpoint_hub_request_seconds Request latency.\n# TYPE touchpoint_hub_request_seconds histogram\n";
    for (const auto& [route, h] : m_latency) {
        for (std::size_t i = 0; i < kBuckets.size(); ++i) {
            out << "touchpoint_hub_request_seconds_bucket{route=\"" << route << "\",le=\"" << kBuckets[i] << "\"} "
                << h.buckets[i] << "\n";
        }
        out << "touchpoint_hub_request_seconds_bucket{route=\"" << route << "\",le=\"+Inf\"} " << h.count << "\n"
            << "touchpoint_hub_request_seconds_sum{route=\"" << route << "\"} " << h.sum << "\n"
            << "touchpoint_hub_request_seconds_count{route=\"" << route << "\"} " << h.count << "\n";
    }
    out << extra;
    return out.str();
}

}  // namespace touchpoint::hub
