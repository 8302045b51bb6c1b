#include "hub/cases/case_figures.hpp"

#include <algorithm>
#include <cmath>

namespace touchpoint::hub {

namespace {

/// Nearest rank: the smallest value with at least `percent` of the values at or below it.
std::int64_t nearestRank(const std::vector<std::int64_t>& sorted, int percent) {
    const auto n = static_cast<std::int64_t>(sorted.size());
    auto rank = (percent * n + 99) / 100;  // ceil(percent/100 * n)
    rank = std::clamp<std::int64_t>(rank, 1, n);
    return sorted[static_cast<std::size_t>(rank - 1)];
}

double oneDecimal(double v) {
    return std::round(v * 10.0) / 10.0;
}

}  // namespace

CaseFigures computeCaseFigures(const std::vector<CaseTimings>& cases, std::int64_t nowMs) {
    CaseFigures f;
    std::vector<std::int64_t> firstAction;
    std::int64_t promoters = 0, detractors = 0;
    for (const auto& c : cases) {
        ++f.opened;
        const bool resolved = c.status == "resolved";
        if (resolved) {
            ++f.resolved;
        } else if (c.status == "in_progress") {
            ++f.inProgress;
        } else {
            ++f.open;
        }
        if (!resolved && c.dueAtMs < nowMs) ++f.overdue;
        if (c.firstActionAtMs)
            firstAction.push_back(std::max<std::int64_t>(0, *c.firstActionAtMs - c.openedAtMs));
        if (resolved && c.resolvedAtMs && *c.resolvedAtMs <= c.dueAtMs) ++f.resolvedWithinSla;
        if (resolved && c.nextVisitNps) {
            ++f.nextVisitAnswers;
            if (*c.nextVisitNps >= 9) ++promoters;
            if (*c.nextVisitNps <= 6) ++detractors;
        }
    }
    f.actedOn = static_cast<std::int64_t>(firstAction.size());
    if (!firstAction.empty()) {
        std::sort(firstAction.begin(), firstAction.end());
        f.firstActionMedianMs = nearestRank(firstAction, 50);
        f.firstActionP90Ms = nearestRank(firstAction, 90);
    }
    if (f.resolved > 0)
        f.resolvedWithinSlaPercent =
            oneDecimal(100.0 * static_cast<double>(f.resolvedWithinSla) / static_cast<double>(f.resolved));
    if (f.nextVisitAnswers >= kNextVisitNpsMinAnswers) {
        f.nextVisitNps = oneDecimal(100.0 * static_cast<double>(promoters - detractors) /
                                    static_cast<double>(f.nextVisitAnswers));
    } else {
        f.nextVisitTooFew = f.nextVisitAnswers > 0;
    }
    return f;
}

}  // namespace touchpoint::hub
