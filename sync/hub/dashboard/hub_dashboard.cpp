#include "hub/dashboard/hub_dashboard.hpp"

#include "hub/journey/stats.hpp"

namespace touchpoint::hub::dashboard {

DashboardServices hubServices(HubContext& ctx) {
    DashboardServices s;
    // The same checks and documents as the head-office API, so the page can only show what /v1/stats and
    // /v1/fleet would answer.
    s.isHeadOfficeToken = [&ctx](std::string_view token) { return ctx.tokenHasScope(token, kScopeHeadOffice); };
    s.stats = [&ctx](const StatsQuery& q) { return ctx.stats(q.from, q.to, q.store); };
    s.fleet = [&ctx]() { return ctx.fleet(); };
    // One read of the range, then each day's figures from that day's rows: the same computeStats() the
    // /v1/stats route runs, on exactly the rows /v1/stats?from=D&to=D would read.
    s.dailyOverall = [&ctx](const StatsQuery& q) -> Result<std::map<std::string, GroupFigures>, std::string> {
        auto data = ctx.store->statsData(q.from, q.to, "");
        if (!data) return Fail(data.error().message);
        std::map<std::string, StatsData> byDay;
        for (const auto& f : data->feedback) byDay[f.day].feedback.push_back(f);
        for (const auto& r : data->signins) byDay[r.day].signins.push_back(r);
        std::map<std::string, GroupFigures> out;
        for (const auto& [day, rows] : byDay) out[day] = computeStats(rows, day, day, std::nullopt).overall;
        return out;
    };
    s.sources = [&ctx]() { return ctx.sources(ctx.clock->utcMs() - 24 * kSourceHourMs); };
    return s;
}

RouteRegistrar hubDashboardRoutes(DashboardOptions options) {
    return [options](http::Router& router, HubContext& ctx) {
        auto dashboard = std::make_shared<Dashboard>(hubServices(ctx), options, *ctx.clock);
        dashboard->registerRoutes(router, dashboard);
    };
}

}  // namespace touchpoint::hub::dashboard
