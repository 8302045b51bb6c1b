#include "hub/journey/stats.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>

#include "hub/ingest/personal_text.hpp"

namespace touchpoint::hub {

namespace {

constexpr double kZ = 1.959964;

double round1(double v) { return std::round(v * 10.0) / 10.0; }

/// Running sums for one group (overall, a store, a store-day).
struct Group {
    std::int64_t promoters = 0, passives = 0, detractors = 0;
    std::int64_t csatN = 0, satisfied = 0;
    std::int64_t cesN = 0;
    double cesSum = 0, cesSumSq = 0;
    std::int64_t signins = 0, newMembers = 0, abandoned = 0, misuse = 0;

    void addFeedback(const FeedbackRow& r) {
        if (r.misuse) ++misuse;
        if (r.abandoned) {
            ++abandoned;
            return;  // a partial answer is counted, not scored
        }
        if (r.nps) {
            if (*r.nps >= 9) ++promoters;
            else if (*r.nps >= 7) ++passives;
            else ++detractors;
        }
        if (r.csat) {
            ++csatN;
            if (*r.csat >= 4) ++satisfied;
        }
        if (r.ces) {
            ++cesN;
            cesSum += *r.ces;
            cesSumSq += static_cast<double>(*r.ces) * *r.ces;
        }
    }

    GroupFigures figures() const {
        GroupFigures out;
        const auto n = promoters + passives + detractors;
        out.nps = {std::nullopt, n, promoters, passives, detractors, std::nullopt};
        if (n > 0) {
            const double dn = static_cast<double>(n);
            const double pp = static_cast<double>(promoters) / dn;
            const double pd = static_cast<double>(detractors) / dn;
            const double mean = pp - pd;
            // Each answer scores +1 / 0 / −1; NPS/100 is their mean, so its variance is E[x²] − mean².
            const double var = pp + pd - mean * mean;
            const double half = kZ * std::sqrt(std::max(0.0, var) / dn);
            out.nps.score = round1(100.0 * mean);
            out.nps.ci95 = Interval{round1(100.0 * std::max(-1.0, mean - half)), round1(100.0 * std::min(1.0, mean + half))};
        }
        out.csat = {std::nullopt, csatN, satisfied, std::nullopt};
        if (csatN > 0) {
            // Wilson score interval: honest near 0% and 100% and for small samples.
            const double dn = static_cast<double>(csatN);
            const double p = static_cast<double>(satisfied) / dn;
            const double z2 = kZ * kZ;
            const double denom = 1.0 + z2 / dn;
            const double centre = (p + z2 / (2 * dn)) / denom;
            const double half = kZ * std::sqrt(p * (1 - p) / dn + z2 / (4 * dn * dn)) / denom;
            out.csat.score = round1(100.0 * p);
            out.csat.ci95 = Interval{round1(100.0 * (centre - half)), round1(100.0 * (centre + half))};
        }
        out.ces = {std::nullopt, cesN, std::nullopt};
        if (cesN > 0) {
            const double dn = static_cast<double>(cesN);
            const double mean = cesSum / dn;
            out.ces.mean = round1(mean);
            if (cesN > 1) {
                const double var = std::max(0.0, (cesSumSq - dn * mean * mean) / (dn - 1));
                const double half = tCritical95(cesN - 1) * std::sqrt(var / dn);
                out.ces.ci95 = Interval{round1(mean - half), round1(mean + half)};
            }
        }
        out.signins = signins;
        out.newMembers = newMembers;
        out.feedbackAbandoned = abandoned;
        out.misuse = misuse;
        return out;
    }
};

/// "2", "2 and 3", "1, 2 and 3".
std::string joinNumbers(const std::vector<std::int64_t>& numbers) {
    std::string out;
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        if (i > 0) out += i + 1 == numbers.size() ? " and " : ", ";
        out += std::to_string(numbers[i]);
    }
    return out;
}

bool isSurveyIdChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
}

/// Submitted answers per (survey, version), in that order.
std::vector<SurveyVersionCount> countVersions(const std::vector<FeedbackRow>& rows) {
    std::map<std::pair<std::string, std::int64_t>, std::int64_t> counts;
    for (const auto& r : rows) {
        auto& n = counts[{r.surveyId, r.surveyVersion}];
        if (!r.abandoned) ++n;
    }
    std::vector<SurveyVersionCount> out;
    for (const auto& [key, n] : counts) out.push_back({key.first, key.second, n});
    return out;
}

/// Surveys with scored answers from more than one version (a version with abandoned answers only adds no score).
std::vector<MixedSurveyVersions> mixedVersions(const std::vector<SurveyVersionCount>& counts) {
    std::map<std::string, std::vector<std::int64_t>> bySurvey;
    for (const auto& c : counts) {
        if (c.responses > 0) bySurvey[c.surveyId].push_back(c.version);  // counts are sorted: versions ascend
    }
    std::vector<MixedSurveyVersions> out;
    for (auto& [survey, versions] : bySurvey) {
        if (versions.size() < 2) continue;
        out.push_back({survey, versions, mixedVersionsNotice(survey, versions)});
    }
    return out;
}

}  // namespace

Result<SurveyFilter, std::string> parseSurveyFilter(const std::string& survey, const std::string& surveyVersion) {
    SurveyFilter out;
    if (!survey.empty()) {
        if (survey.size() > 64 || !std::all_of(survey.begin(), survey.end(), isSurveyIdChar)) {
            return Fail(std::string("survey: expected a survey id (1 to 64 of A-Z a-z 0-9 _ . -)"));
        }
        out.surveyId = survey;
    }
    if (!surveyVersion.empty()) {
        if (!out.surveyId) return Fail(std::string("surveyVersion: only with survey=<id> (versions are numbered per survey)"));
        const bool digits = surveyVersion.size() <= 7 &&
                            std::all_of(surveyVersion.begin(), surveyVersion.end(), [](char c) { return c >= '0' && c <= '9'; });
        const std::int64_t v = digits ? std::stoll(surveyVersion) : -1;
        if (v < 0 || v > kMaxSurveyVersion) {
            return Fail("surveyVersion: expected a whole number from 0 (answers without a version) to " +
                        std::to_string(kMaxSurveyVersion));
        }
        out.version = v;
    }
    return out;
}

std::string mixedVersionsNotice(const std::string& surveyId, const std::vector<std::int64_t>& versions) {
    const std::string survey = surveyId.empty() ? "answers without a survey id" : "survey " + surveyId;
    std::vector<std::int64_t> known;
    for (auto v : versions) {
        if (v != kUnknownSurveyVersion) known.push_back(v);
    }
    const bool unknown = known.size() < versions.size();
    if (known.size() < 2) {
        return "answers of " + survey + " that do not say their version are combined with those of version " +
               joinNumbers(known) + "; they may not have answered the same questions";
    }
    const std::vector<std::int64_t> changed(known.begin() + 1, known.end());
    std::string out = "answers from versions " + joinNumbers(known) + " of " + survey +
                      " are combined; the questions changed in version" + (changed.size() > 1 ? "s " : " ") +
                      joinNumbers(changed);
    if (unknown) out += "; some answers do not say their version";
    return out;
}

double tCritical95(std::int64_t df) {
    static constexpr std::array<double, 30> kTable{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                                   2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                                   2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
    if (df < 1) return kTable[0];
    if (df <= 30) return kTable[static_cast<std::size_t>(df - 1)];
    return kZ;
}

StatsReport computeStats(const StatsData& data, const std::string& fromDay, const std::string& toDay,
                         const std::optional<std::string>& store, const SurveyFilter& survey) {
    Group overall;
    std::map<std::string, Group> byStore;
    std::map<std::pair<std::string, std::string>, Group> byDay;
    std::map<std::string, std::int64_t> reasons;
    for (const auto& r : data.feedback) {
        overall.addFeedback(r);
        byStore[r.store].addFeedback(r);
        byDay[{r.day, r.store}].addFeedback(r);
        if (!r.abandoned) {
            for (const auto& reason : r.reasons) ++reasons[reason];
        }
    }
    for (const auto& s : data.signins) {
        for (Group* g : {&overall, &byStore[s.store], &byDay[{s.day, s.store}]}) {
            ++g->signins;
            if (s.newMember) ++g->newMembers;
        }
    }
    StatsReport out;
    out.from = fromDay;
    out.to = toDay;
    out.store = store;
    out.overall = overall.figures();
    for (const auto& [id, g] : byStore) out.byStore.push_back({id, g.figures()});
    for (const auto& [key, g] : byDay) out.byDay.push_back({key.first, key.second, g.figures()});
    out.stages = data.stages;
    out.transitions = data.transitions;
    for (const auto& [reason, n] : reasons) out.reasons.push_back({reason, n});
    std::stable_sort(out.reasons.begin(), out.reasons.end(),
                     [](const ReasonCount& a, const ReasonCount& b) { return a.count > b.count; });
    for (auto it = data.feedback.rbegin(); it != data.feedback.rend() && out.recentComments.size() < kRecentComments;
         ++it) {
        if (!it->comment || it->comment->empty()) continue;
        out.recentComments.push_back({it->atMs, it->store, it->nps, maskPersonalText(*it->comment)});
    }
    out.surveyFilter = survey;
    out.surveyVersions = countVersions(data.feedback);
    out.availableSurveyVersions = survey.any() ? data.surveyVersionsInRange : out.surveyVersions;
    out.mixedSurveyVersions = mixedVersions(out.surveyVersions);
    return out;
}

}  // namespace touchpoint::hub
