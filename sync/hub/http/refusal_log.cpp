#include "hub/http/refusal_log.hpp"

#include <boost/asio/ip/address.hpp>

#include <sstream>

#include "common/log.hpp"

namespace touchpoint::hub::http {

namespace {
constexpr std::int64_t kMinuteMs = 60'000;
}  // namespace

std::string RefusalLog::network(std::string_view address) {
    namespace ip = boost::asio::ip;
    boost::system::error_code ec;
    auto parsed = ip::make_address(std::string(address), ec);
    if (ec) return "-";
    if (parsed.is_v6() && parsed.to_v6().is_v4_mapped()) parsed = ip::make_address_v4(ip::v4_mapped, parsed.to_v6());
    if (parsed.is_v4()) {
        auto bytes = parsed.to_v4().to_bytes();
        bytes[3] = 0;
        return ip::address_v4(bytes).to_string() + "/24";
    }
    auto bytes = parsed.to_v6().to_bytes();
    for (std::size_t i = 6; i < bytes.size(); ++i) bytes[i] = 0;
    return ip::address_v6(bytes).to_string() + "/48";
}

void RefusalLog::sayHeldBack(HeldBackLine line, std::vector<HeldBackLine>& say) {
    if (line.count <= 0) return;
    if (m_all.lines < m_options.linesPerMinute) {
        ++m_all.lines;
        say.push_back(std::move(line));
    } else {
        m_unsaid += line.count;
    }
}

void RefusalLog::rollMinute(std::int64_t nowMs, std::vector<HeldBackLine>& say) {
    const std::int64_t total = m_all.heldBack + std::exchange(m_unsaid, 0);
    m_all = Window{nowMs, 0, 0, {}, {}};
    if (total > 0) {  // the total of the minute that ended comes first, and is always said
        ++m_all.lines;
        say.push_back({"", "", total});
    }
    for (auto it = m_windows.begin(); it != m_windows.end();) {
        if (nowMs - it->second.startMs < kMinuteMs) {
            ++it;
            continue;
        }
        sayHeldBack({it->second.source, it->second.network, it->second.heldBack}, say);
        it = m_windows.erase(it);
    }
}

bool RefusalLog::admitLine(const std::string& key, const std::string& source, const std::string& network,
                           std::int64_t nowMs) {
    auto it = m_windows.find(key);
    if (it == m_windows.end() && m_windows.size() < m_options.maxKeys) {
        it = m_windows.emplace(key, Window{nowMs, 0, 0, source, network}).first;
    }
    if (it != m_windows.end() && it->second.lines >= m_options.linesPerKeyPerMinute) {
        ++it->second.heldBack;
        ++m_heldBackTotal;
        return false;
    }
    if (m_all.lines >= m_options.linesPerMinute) {
        ++m_all.heldBack;
        ++m_heldBackTotal;
        return false;
    }
    if (it != m_windows.end()) ++it->second.lines;
    ++m_all.lines;
    return true;
}

void RefusalLog::note(const RefusalNote& n, std::int64_t nowMs) {
    const std::string net = network(n.address);
    const std::string source = n.source.empty() ? "-" : std::string(n.source);
    const std::string key = n.source.empty() ? "network " + net : "source " + source;
    std::vector<HeldBackLine> say;
    bool write = false;
    {
        std::lock_guard lock(m_mutex);
        if (!n.source.empty()) ++m_counts[{std::string(n.source), n.why}];
        if (nowMs - m_all.startMs >= kMinuteMs) rollMinute(nowMs, say);
        // The key's own minute ended inside the overall one: what it held back is said now.
        if (auto it = m_windows.find(key); it != m_windows.end() && nowMs - it->second.startMs >= kMinuteMs) {
            sayHeldBack({source, net, it->second.heldBack}, say);
            it->second = Window{nowMs, 0, 0, source, net};
        }
        write = admitLine(key, source, net, nowMs);
    }
    for (const auto& line : say) {
        if (line.source.empty()) {
            log::warn("http", "refusals not logged (rate limit)", {{"count", std::to_string(line.count)}});
        } else {
            log::warn("http", "refusals not logged (rate limit)",
                      {{"source", line.source}, {"network", line.network}, {"count", std::to_string(line.count)}});
        }
    }
    if (!write) return;
    log::warn("http", "request refused",
              {{"reason", std::string(ServerCounters::name(n.why))},
               {"status", n.status ? std::to_string(n.status) : std::string("-")},
               {"route", n.route.empty() ? std::string("-") : std::string(n.route)},
               {"source", source},
               {"network", net}});
}

std::int64_t RefusalLog::count(std::string_view source, Refusal why) const {
    std::lock_guard lock(m_mutex);
    const auto it = m_counts.find(std::pair<std::string, Refusal>{std::string(source), why});
    return it == m_counts.end() ? 0 : it->second;
}

std::int64_t RefusalLog::heldBack() const {
    std::lock_guard lock(m_mutex);
    return m_heldBackTotal;
}

std::string RefusalLog::render() const {
    std::lock_guard lock(m_mutex);
    std::ostringstream out;
    out << "# HELP touchpoint_hub_http_refusals_by_source_total Refusals after the request's token was read, by "
           "source (the token's name).\n"
           "# TYPE touchpoint_hub_http_refusals_by_source_total counter\n";
    for (const auto& [key, n] : m_counts) {
        out << "touchpoint_hub_http_refusals_by_source_total{source=\"" << prometheusLabelValue(key.first)
            << "\",reason=\"" << ServerCounters::name(key.second) << "\"} " << n << "\n";
    }
    out << "# HELP touchpoint_hub_http_refusal_log_lines_held_back_total Refusal log lines the log's rate limits "
           "held back (each said later as a count).\n"
           "# TYPE touchpoint_hub_http_refusal_log_lines_held_back_total counter\n"
        << "touchpoint_hub_http_refusal_log_lines_held_back_total " << m_heldBackTotal << "\n";
    return out.str();
}

}  // namespace touchpoint::hub::http
