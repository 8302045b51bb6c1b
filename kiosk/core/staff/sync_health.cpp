#include "staff/sync_health.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>

namespace touchpoint::kiosk::staff {

std::string_view toString(SyncState state) {
    switch (state) {
        case SyncState::Online: return "online";
        case SyncState::Offline: return "offline";
        case SyncState::Certificate: return "certificate";
        case SyncState::TokenRejected: return "token_rejected";
        case SyncState::ClockWrong: return "clock_wrong";
        case SyncState::HubError: return "hub_error";
        case SyncState::NotConfigured: return "not_configured";
        case SyncState::Stopped: return "stopped";
        case SyncState::Starting: return "starting";
    }
    return "starting";
}

SyncHealthVm describeSyncHealth(const SyncSnapshot& s, std::int64_t nowUtcMs) {
    SyncHealthVm vm;
    vm.state = s.state;
    if (s.clockOffsetMs && std::llabs(*s.clockOffsetMs) > kClockWrongThresholdMs &&
        (s.state == SyncState::Online || s.state == SyncState::Starting)) {
        vm.state = SyncState::ClockWrong;
    }
    vm.stateKey = "staff.sync.state." + std::string(toString(vm.state));
    vm.adviceKey = "staff.sync.advice." + std::string(toString(vm.state));
    vm.lastError = s.lastError;
    vm.configVersion = s.configVersion;
    vm.configRefusal = s.configRefusal;
    vm.queueDepth = s.queueDepth;
    if (s.oldestPendingUtcMs && s.queueDepth > 0) {
        vm.oldestPendingAgeMs = std::max<std::int64_t>(0, nowUtcMs - *s.oldestPendingUtcMs);
    }
    if (s.lastSuccessUtcMs) vm.lastSuccessAgoMs = std::max<std::int64_t>(0, nowUtcMs - *s.lastSuccessUtcMs);
    if (s.nextRetryUtcMs) vm.nextRetryInMs = std::max<std::int64_t>(0, *s.nextRetryUtcMs - nowUtcMs);
    static const std::set<std::string_view> kNotLosses{"dead_letter_replayed", "purged", "recovered_corrupt"};
    for (const auto& [reason, n] : s.drops) {
        if (n <= 0 || kNotLosses.count(reason) > 0) continue;
        if (reason.rfind("rejected_", 0) == 0) {
            vm.rejections.emplace_back(reason.substr(9), n);
            vm.rejectionsTotal += n;
        } else {
            vm.drops.emplace_back(reason, n);
            vm.dropsTotal += n;
        }
    }
    const auto largestFirst = [](const auto& a, const auto& b) { return a.second > b.second; };
    std::stable_sort(vm.drops.begin(), vm.drops.end(), largestFirst);
    std::stable_sort(vm.rejections.begin(), vm.rejections.end(), largestFirst);
    vm.deadLetters = s.deadLetters;
    vm.clockOffsetMs = s.clockOffsetMs;
    return vm;
}

std::string formatDuration(std::int64_t ms) {
    const bool negative = ms < 0;
    std::int64_t s = std::llabs(ms) / 1000;
    std::string out;
    if (s < 60) {
        out = std::to_string(s) + " s";
    } else if (s < 3600) {
        out = std::to_string(s / 60) + " min";
    } else if (s < 86400) {
        out = std::to_string(s / 3600) + " h";
        if (const auto m = (s % 3600) / 60; m) out += " " + std::to_string(m) + " min";
    } else {
        out = std::to_string(s / 86400) + " d";
        if (const auto h = (s % 86400) / 3600; h) out += " " + std::to_string(h) + " h";
    }
    return negative ? "-" + out : out;
}

}  // namespace touchpoint::kiosk::staff
