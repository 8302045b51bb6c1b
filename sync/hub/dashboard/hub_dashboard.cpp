#include "hub/dashboard/hub_dashboard.hpp"

#include "common/log.hpp"
#include "hub/dashboard/cases_page.hpp"
#include "hub/dashboard/fleet_page.hpp"
#include "hub/dashboard/identity_page.hpp"
#include "hub/ingest/identity.hpp"
#include "hub/journey/stats.hpp"

namespace touchpoint::hub::dashboard {

namespace {

/// Sessions in the hub's store. A store that cannot answer ends nothing it cannot check: touch() says no
/// (the person signs in again), the other calls are best effort.
class StoreSessions final : public SessionBackend {
public:
    explicit StoreSessions(HubStore& store) : m_store(store) {}
    void add(const std::string& key, std::string_view token, std::int64_t nowMs, std::size_t maxSessions) override {
        if (auto r = m_store.addSession(key, tokenHash(token), nowMs, maxSessions); !r) {
            log::warn("dashboard", "session not stored", {{"error", r.error().message}});
        }
    }
    bool touch(const std::string& key, std::int64_t nowMs, std::int64_t idleMs, std::int64_t lifeMs) override {
        auto r = m_store.touchSession(key, nowMs, idleMs, lifeMs);
        return r && *r;
    }
    void remove(const std::string& key) override { (void)m_store.removeSession(key); }
    std::optional<std::string> tokenHashOf(const std::string& key) override {
        auto r = m_store.sessionTokenHash(key);
        return r ? *r : std::nullopt;
    }
    std::size_t size(std::int64_t nowMs, std::int64_t idleMs, std::int64_t lifeMs) override {
        auto n = m_store.countSessions(nowMs, idleMs, lifeMs);
        return n ? static_cast<std::size_t>(*n) : 0;
    }

private:
    HubStore& m_store;
};

}  // namespace

DashboardServices hubServices(HubContext& ctx) {
    DashboardServices s;
    // The same checks and documents as the head-office API, so the page can only show what /v1/stats and
    // /v1/fleet would answer.
    s.isHeadOfficeToken = [&ctx](std::string_view token) { return ctx.tokenHasScope(token, kScopeHeadOffice); };
    s.stats = [&ctx](const StatsQuery& q) { return ctx.stats(q.from, q.to, q.store, q.survey); };
    s.fleet = [&ctx]() { return ctx.fleet(); };
    s.sessionBackend = std::make_shared<StoreSessions>(*ctx.store);
    // One read of the range, then each day's figures from that day's rows: the same computeStats() the
    // /v1/stats route runs, on exactly the rows /v1/stats?from=D&to=D would read.
    s.dailyOverall = [&ctx](const StatsQuery& q) -> Result<std::map<std::string, GroupFigures>, std::string> {
        auto data = ctx.store->statsData(q.from, q.to, "", q.survey);
        if (!data) return Fail(data.error().message);
        std::map<std::string, StatsData> byDay;
        for (const auto& f : data->feedback) byDay[f.day].feedback.push_back(f);
        for (const auto& r : data->signins) byDay[r.day].signins.push_back(r);
        std::map<std::string, GroupFigures> out;
        for (const auto& [day, rows] : byDay) out[day] = computeStats(rows, day, day, std::nullopt, q.survey).overall;
        return out;
    };
    s.sources = [&ctx]() { return ctx.sources(ctx.clock->utcMs() - 24 * kSourceHourMs); };
    return s;
}

RouteRegistrar hubDashboardRoutes(DashboardOptions options) {
    return [options](http::Router& router, HubContext& ctx) {
        auto dashboard = std::make_shared<Dashboard>(hubServices(ctx), options, *ctx.clock);
        dashboard->registerRoutes(router, dashboard);
        registerCasePageRoutes(router, ctx, dashboard);
        registerFleetPageRoutes(router, ctx, dashboard);
        registerIdentityPageRoutes(router, ctx, dashboard);
    };
}

}  // namespace touchpoint::hub::dashboard
