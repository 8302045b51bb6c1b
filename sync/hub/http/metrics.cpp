#include "hub/http/metrics.hpp"

#include <sstream>

namespace touchpoint::hub {

void Metrics::countReceipt(const std::string& status, std::int64_t n) {
    std::lock_guard<std::mutex> lock(m_mutex);
    m_receipts[status] += n;
}

void Metrics::countReject(const std::string& reason) {
    std::string key = reason.substr(0, reason.find(':'));
    for (auto& c : key) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '/') c = '_';
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    m_rejects[key.substr(0, 48)] += 1;
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

std::string Metrics::render(const std::string& extra) const {
    std::ostringstream out;
    std::lock_guard<std::mutex> lock(m_mutex);
    out << "# HELP touchpoint_hub_messages_total Messages by receipt status.\n"
           "# TYPE touchpoint_hub_messages_total counter\n";
    for (const auto& [status, n] : m_receipts) out << "touchpoint_hub_messages_total{status=\"" << status << "\"} " << n << "\n";
    out << "# HELP touchpoint_hub_rejects_total Rejected messages by reason (field).\n"
           "# TYPE touchpoint_hub_rejects_total counter\n";
    for (const auto& [reason, n] : m_rejects) out << "touchpoint_hub_rejects_total{reason=\"" << reason << "\"} " << n << "\n";
    out << "# HELP touchpoint_hub_profile_merges_total Profiles merged into another.\n"
           "# TYPE touchpoint_hub_profile_merges_total counter\n"
        << "touchpoint_hub_profile_merges_total " << m_merges.load() << "\n"
        << "# HELP touchpoint_hub_identity_conflicts_total Identity ties a public source asked for and was refused.\n"
           "# TYPE touchpoint_hub_identity_conflicts_total counter\n"
        << "touchpoint_hub_identity_conflicts_total " << m_identityConflicts.load() << "\n"
        << "# HELP touchpoint_hub_skewed_messages_total Messages from kiosks whose clock was off beyond the threshold.\n"
           "# TYPE touchpoint_hub_skewed_messages_total counter\n"
        << "touchpoint_hub_skewed_messages_total " << m_skewed.load() << "\n";
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
