#include "hub/dashboard/cases_page.hpp"

#include <chrono>
#include <cstdio>

#include "hub/http/case_routes.hpp"
#include "hub/dashboard/page_access.hpp"

namespace touchpoint::hub::dashboard {

namespace {

using nlohmann::json;

constexpr std::int64_t kDayMs = 86'400'000;
/// The figures read one row per case opened in the range: a year of them at most.
constexpr int kFiguresMaxRangeDays = 366;

/// Midnight UTC of a day that parseQuery() accepted, in milliseconds.
std::int64_t dayStartMs(const std::string& day) {
    int y = 0;
    unsigned m = 0, d = 0;
    std::sscanf(day.c_str(), "%d-%u-%u", &y, &m, &d);
    const std::chrono::sys_days days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
    return std::chrono::duration_cast<std::chrono::milliseconds>(days.time_since_epoch()).count();
}

json optional(const std::optional<std::int64_t>& v) {
    return v ? json(*v) : json(nullptr);
}
json optional(const std::optional<double>& v) {
    return v ? json(*v) : json(nullptr);
}

}  // namespace

json caseFiguresJson(const CaseFigures& f) {
    return {{"opened", f.opened},
            {"open", f.open},
            {"inProgress", f.inProgress},
            {"resolved", f.resolved},
            {"overdue", f.overdue},
            {"firstAction",
             {{"cases", f.actedOn},
              {"medianMs", optional(f.firstActionMedianMs)},
              {"p90Ms", optional(f.firstActionP90Ms)}}},
            {"resolvedWithinSla",
             {{"cases", f.resolvedWithinSla}, {"percent", optional(f.resolvedWithinSlaPercent)}}},
            {"nextVisitNps",
             {{"answers", f.nextVisitAnswers},
              {"nps", optional(f.nextVisitNps)},
              {"tooFew", f.nextVisitTooFew},
              {"minAnswers", kNextVisitNpsMinAnswers}}}};
}

void registerCasePageRoutes(http::Router& router, HubContext& ctx, std::shared_ptr<Dashboard> dashboard) {
    using Req = const http::Request&;
    using Res = http::Response&;
    // Every answer is personal data or a change: never cached. A change also refuses a foreign page.
    auto withViewer = [&ctx, dashboard](std::string name, bool change, PageAnswer answer) {
        return pageCall(ctx, dashboard, std::move(name), change, answer);
    };
    constexpr std::size_t kNoteBodyBytes = 16 * 1024;  // the /v1 routes' caps
    constexpr std::size_t kStatusBodyBytes = 4 * 1024;
    router.get("/dashboard/api/cases", pageRoute("dashboard cases"),
               withViewer("dashboard cases", false, [](HubContext& c, const TokenRecord&, Req req, Res res) {
                   answerCaseList(c, req, res);
               }));
    router.get("/dashboard/api/cases/{id}", pageRoute("dashboard case"),
               withViewer("dashboard case", false, &answerCase));
    router.post("/dashboard/api/cases/{id}/notes", pageRoute("dashboard case note", kNoteBodyBytes),
                withViewer("dashboard case note", true, &answerCaseNote));
    router.post("/dashboard/api/cases/{id}/status", pageRoute("dashboard case status", kStatusBodyBytes),
                withViewer("dashboard case status", true, &answerCaseStatus));
    router.get("/dashboard/api/case-figures", pageRoute("dashboard case figures"),
               withViewer("dashboard case figures", false,
                          [](HubContext& c, const TokenRecord& who, Req req, Res res) {
                              auto q = parseQuery(req.param("from"), req.param("to"), req.param("store"),
                                                  kFiguresMaxRangeDays);
                              if (!q) return sendError(res, q.error().status, q.error().message);
                              const auto now = c.clock->utcMs();
                              auto timings = c.store->cases().caseTimings(
                                  dayStartMs(q->from), dayStartMs(q->to) + kDayMs, q->store.value_or(""));
                              if (!timings) return storeUnavailable(res);
                              json out = caseFiguresJson(computeCaseFigures(*timings, now));
                              out["from"] = q->from;
                              out["to"] = q->to;
                              out["store"] = q->store ? json(*q->store) : json(nullptr);
                              out["serverTime"] = formatIsoUtcMs(now);
                              // What the page offers this person (the change routes check it again).
                              out["viewer"] = {{"role", who.role}, {"mayChange", mayChangeCases(who)}};
                              sendJson(res, out);
                          }));
}

}  // namespace touchpoint::hub::dashboard
