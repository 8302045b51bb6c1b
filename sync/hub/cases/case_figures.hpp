#pragma once
// The figures head office follows cases by, worked out from each case's times (no storage, no clock): how
// many were opened, are in progress, resolved or overdue; how long the first action took (the first note or
// status change after opening); the share resolved within their SLA; and the NPS that shoppers whose case was
// resolved gave on their next visit (docs/OPERATIONS.md "Cases page").

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace touchpoint::hub {

/// One case as the figures need it. The store reads these for the cases opened in a range.
struct CaseTimings {
    std::string status;  ///< open | in_progress | resolved
    std::int64_t openedAtMs = 0, dueAtMs = 0;
    std::optional<std::int64_t> firstActionAtMs, resolvedAtMs;
    /// For a resolved case whose answer belongs to a profile: that profile's first NPS answer after the
    /// resolution (any store); none otherwise.
    std::optional<std::int64_t> nextVisitNps;
};

/// Below this many next-visit answers the NPS is shown as "n too small".
inline constexpr std::int64_t kNextVisitNpsMinAnswers = 5;

struct CaseFigures {
    std::int64_t opened = 0;  ///< every case in the set
    std::int64_t open = 0, inProgress = 0, resolved = 0;
    std::int64_t overdue = 0;  ///< not resolved and past its due time
    /// Over the cases that had a first action: nearest-rank median and 90th percentile, in milliseconds.
    std::int64_t actedOn = 0;
    std::optional<std::int64_t> firstActionMedianMs, firstActionP90Ms;
    /// resolved_at <= due_at, over the resolved cases; share in percent, one decimal.
    std::int64_t resolvedWithinSla = 0;
    std::optional<double> resolvedWithinSlaPercent;
    /// NPS (−100..100, one decimal) over the next-visit answers; none without answers or below the minimum.
    std::int64_t nextVisitAnswers = 0;
    std::optional<double> nextVisitNps;
    bool nextVisitTooFew = false;  ///< some answers, fewer than kNextVisitNpsMinAnswers
};

CaseFigures computeCaseFigures(const std::vector<CaseTimings>& cases, std::int64_t nowMs);

}  // namespace touchpoint::hub
