#include "hub/journey/stats_json.hpp"

#include "common/clock.hpp"

namespace touchpoint::hub {

using nlohmann::json;

namespace {

template <typename T>
json orNull(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

json interval(const std::optional<Interval>& ci) { return ci ? json{ci->first, ci->second} : json(nullptr); }

json toJson(const std::vector<SurveyVersionCount>& counts) {
    json out = json::array();
    for (const auto& c : counts) out.push_back({{"surveyId", c.surveyId}, {"version", c.version}, {"responses", c.responses}});
    return out;
}

}  // namespace

json toJson(const GroupFigures& g) {
    return json{{"nps",
                 {{"score", orNull(g.nps.score)}, {"responses", g.nps.responses}, {"promoters", g.nps.promoters},
                  {"passives", g.nps.passives}, {"detractors", g.nps.detractors}, {"ci95", interval(g.nps.ci95)}}},
                {"csat",
                 {{"score", orNull(g.csat.score)}, {"responses", g.csat.responses}, {"satisfied", g.csat.satisfied},
                  {"ci95", interval(g.csat.ci95)}}},
                {"ces", {{"mean", orNull(g.ces.mean)}, {"responses", g.ces.responses}, {"ci95", interval(g.ces.ci95)}}},
                {"signins", g.signins},
                {"newMembers", g.newMembers},
                {"feedbackAbandoned", g.feedbackAbandoned},
                {"misuse", g.misuse}};
}

json toJson(const StatsReport& r) {
    json out;
    out["from"] = r.from;
    out["to"] = r.to;
    out["store"] = orNull(r.store);
    out["overall"] = toJson(r.overall);
    out["byStore"] = json::array();
    for (const auto& s : r.byStore) {
        json j = toJson(s.figures);
        j["store"] = s.store;
        out["byStore"].push_back(std::move(j));
    }
    out["byDay"] = json::array();
    for (const auto& d : r.byDay) {
        json j = toJson(d.figures);
        j["day"] = d.day;
        j["store"] = d.store;
        out["byDay"].push_back(std::move(j));
    }
    out["stages"] = json::object();
    for (const auto& [stage, n] : r.stages) out["stages"][stage] = n;
    out["stageTransitions"] = json::array();
    for (const auto& t : r.transitions) {
        out["stageTransitions"].push_back({{"from", t.from}, {"to", t.to}, {"channel", t.channel}, {"count", t.count}});
    }
    out["reasons"] = json::array();
    for (const auto& x : r.reasons) out["reasons"].push_back({{"reason", x.reason}, {"count", x.count}});
    out["recentComments"] = json::array();
    for (const auto& c : r.recentComments) {
        out["recentComments"].push_back(
            {{"at", formatIsoUtcMs(c.atMs)}, {"store", c.store}, {"nps", orNull(c.nps)}, {"text", c.text}});
    }
    out["survey"] = orNull(r.surveyFilter.surveyId);
    out["surveyVersion"] = orNull(r.surveyFilter.version);
    out["surveyVersions"] = toJson(r.surveyVersions);
    out["availableSurveyVersions"] = toJson(r.availableSurveyVersions);
    out["versionsMixed"] = !r.mixedSurveyVersions.empty();
    out["mixedSurveyVersions"] = json::array();
    for (const auto& m : r.mixedSurveyVersions) {
        out["mixedSurveyVersions"].push_back({{"surveyId", m.surveyId}, {"versions", m.versions}, {"notice", m.notice}});
    }
    return out;
}

}  // namespace touchpoint::hub
