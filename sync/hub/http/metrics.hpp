#pragma once
// Prometheus counters the hub keeps in memory (per process; each hub sharing a database reports its own).

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace touchpoint::hub {

class Metrics {
public:
    void countReceipt(const std::string& status, std::int64_t n = 1);
    /// Receipts of one ingest source (a token name: bounded, operators create them) by status.
    void countSource(const std::string& source, const std::string& status, std::int64_t n);
    /// `reason` is reduced to its top-level field ("timestamp: not RFC 3339" -> "timestamp",
    /// "properties.x.y: ..." -> "properties"), one of a fixed set (else "other"), to bound the labels.
    void countReject(const std::string& source, const std::string& reason);
    /// The label countReject uses for `reason`.
    static std::string rejectLabel(const std::string& reason);
    void countRequest(const std::string& route, int status, double seconds);
    void countMerges(std::int64_t n) { m_merges += n; }
    void countSkewed(std::int64_t n) { m_skewed += n; }
    void countIdentityConflicts(std::int64_t n) { m_identityConflicts += n; }
    void countAlertWindows(std::int64_t fromMemory, std::int64_t fromDatabase) {
        m_alertWindowsFromMemory += fromMemory;
        m_alertWindowsFromDatabase += fromDatabase;
    }
    /// Rows the retention job removed personal data from, by kind ([retention] in the config).
    void countRetention(const std::string& kind, std::int64_t n);

    /// Text exposition format; `extra` is appended (per-kiosk gauges read from the store).
    std::string render(const std::string& extra) const;

private:
    static constexpr std::array<double, 10> kBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0};
    struct Histogram {
        std::array<std::int64_t, kBuckets.size()> buckets{};
        std::int64_t count = 0;
        double sum = 0;
    };
    mutable std::mutex m_mutex;
    std::map<std::string, std::int64_t> m_receipts;
    std::map<std::pair<std::string, std::string>, std::int64_t> m_rejects;  ///< (source, reason)
    std::map<std::pair<std::string, std::string>, std::int64_t> m_sources;  ///< (source, status)
    std::map<std::pair<std::string, int>, std::int64_t> m_requests;
    std::map<std::string, Histogram> m_latency;
    std::map<std::string, std::int64_t> m_retention{{"comments", 0}, {"staff_audit", 0}};
    std::atomic<std::int64_t> m_merges{0};
    std::atomic<std::int64_t> m_skewed{0};
    std::atomic<std::int64_t> m_identityConflicts{0};
    std::atomic<std::int64_t> m_alertWindowsFromMemory{0}, m_alertWindowsFromDatabase{0};
};

}  // namespace touchpoint::hub
