#include "hub/dashboard/hub_dashboard.hpp"

#include "hub/identity.hpp"
#include "hub/stats.hpp"

namespace touchpoint::hub::dashboard {

using nlohmann::json;

DashboardServices hubServices(HubContext& ctx) {
    DashboardServices s;
    s.isHeadOfficeToken = [&ctx](std::string_view token) {
        auto found = ctx.store->findToken(tokenHash(token));
        return found && found->has_value() && !(*found)->revokedMs && (*found)->scope == kScopeHeadOffice;
    };
    s.stats = [&ctx](const StatsQuery& q) -> Result<json, std::string> {
        auto data = ctx.store->statsData(q.from, q.to, q.store.value_or(""));
        if (!data) return Fail(std::string("store unavailable"));
        return computeStats(*data, q.from, q.to, q.store);
    };
    // One read of the range, then each day's figures from that day's rows: the same computeStats() the
    // /v1/stats route runs, on exactly the rows /v1/stats?from=D&to=D would read.
    s.dailyOverall = [&ctx](const StatsQuery& q) -> Result<std::map<std::string, json>, std::string> {
        auto data = ctx.store->statsData(q.from, q.to, "");
        if (!data) return Fail(std::string("store unavailable"));
        std::map<std::string, StatsData> byDay;
        for (const auto& f : data->feedback) byDay[f.day].feedback.push_back(f);
        for (const auto& r : data->signins) byDay[r.day].signins.push_back(r);
        std::map<std::string, json> out;
        for (const auto& [day, rows] : byDay) out[day] = computeStats(rows, day, day, std::nullopt)["overall"];
        return out;
    };
    s.fleet = [&ctx]() -> Result<json, std::string> {
        auto fleet = ctx.store->fleet();
        if (!fleet) return Fail(std::string("store unavailable"));
        return json{{"kiosks", *fleet}, {"serverTime", formatIsoUtcMs(ctx.clock->utcMs())}};
    };
    return s;
}

RouteRegistrar hubDashboardRoutes(DashboardOptions options) {
    return [options](httplib::Server& server, HubContext& ctx) {
        auto dashboard = std::make_shared<Dashboard>(hubServices(ctx), options, *ctx.clock);
        dashboard->registerRoutes(server, dashboard);
    };
}

}  // namespace touchpoint::hub::dashboard
