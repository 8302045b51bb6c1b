#include "hub/http/source_ledger.hpp"

#include <algorithm>

namespace touchpoint::hub {

namespace {

void addHour(std::vector<SourceHour>& hours, const SourceHour& h) {
    const auto it = std::find_if(hours.begin(), hours.end(), [&](const SourceHour& x) { return x.hourMs == h.hourMs; });
    if (it == hours.end()) {
        hours.push_back(h);
        return;
    }
    it->accepted += h.accepted;
    it->duplicate += h.duplicate;
    it->rejected += h.rejected;
}

void keepNewest(std::vector<SourceRejection>& rejections) {
    if (rejections.size() > kSourceRejectionsKept) {
        rejections.erase(rejections.begin(), rejections.end() - static_cast<std::ptrdiff_t>(kSourceRejectionsKept));
    }
}

/// Puts `from` back in front of what arrived while it was being written (a failed write is retried).
void mergeBack(SourceDelta& into, SourceDelta&& from) {
    into.lastSeenMs = std::max(into.lastSeenMs, from.lastSeenMs);
    if (into.library.empty()) into.library = from.library;
    for (const auto& h : from.hours) addHour(into.hours, h);
    from.rejections.insert(from.rejections.end(), std::make_move_iterator(into.rejections.begin()),
                           std::make_move_iterator(into.rejections.end()));
    into.rejections = std::move(from.rejections);
    keepNewest(into.rejections);
}

}  // namespace

void SourceLedger::record(const std::string& source, std::int64_t nowMs, const std::string& library, std::int64_t accepted,
                          std::int64_t duplicate, std::int64_t rejected, std::vector<SourceRejection> rejections) {
    std::lock_guard lock(m_mutex);
    auto& d = m_pending[source];
    d.source = source;
    d.lastSeenMs = std::max(d.lastSeenMs, nowMs);
    if (!library.empty()) d.library = library;
    addHour(d.hours, {nowMs - nowMs % kSourceHourMs, accepted, duplicate, rejected});
    for (auto& r : rejections) d.rejections.push_back(std::move(r));
    keepNewest(d.rejections);
}

StoreResult<void> SourceLedger::flush(HubStore& store, std::int64_t nowMs, bool force) {
    std::vector<SourceDelta> batch;
    {
        std::lock_guard lock(m_mutex);
        if (m_flushing || m_pending.empty() || (!force && nowMs - m_lastFlushMs < m_options.flushEveryMs)) return {};
        m_flushing = true;
        m_lastFlushMs = nowMs;
        for (auto& [name, d] : m_pending) batch.push_back(std::move(d));
        m_pending.clear();
    }
    // Written without the lock: requests keep recording while the store works.
    auto r = store.recordSources(batch, nowMs);
    std::lock_guard lock(m_mutex);
    m_flushing = false;
    if (!r) {
        for (auto& d : batch) {
            auto& into = m_pending[d.source];
            into.source = d.source;
            mergeBack(into, std::move(d));
        }
    }
    return r;
}

bool SourceLedger::admitLogLine(const std::string& source, std::int64_t nowMs, std::int64_t& suppressed) {
    std::lock_guard lock(m_mutex);
    suppressed = 0;
    auto& w = m_log[source];  // bounded: sources are token names, which the hub's operators create
    if (nowMs - w.startMs >= 60'000) {
        suppressed = w.suppressed;
        w = LogWindow{nowMs, 0, 0};
    }
    if (w.lines < m_options.logLinesPerMinute) {
        ++w.lines;
        return true;
    }
    ++w.suppressed;
    return false;
}

}  // namespace touchpoint::hub
