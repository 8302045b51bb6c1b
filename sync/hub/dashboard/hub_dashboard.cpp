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
