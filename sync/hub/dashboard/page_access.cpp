#include "hub/dashboard/page_access.hpp"

#include "hub/ingest/identity.hpp"

namespace touchpoint::hub::dashboard {

std::optional<TokenRecord> pageViewer(HubContext& ctx, Dashboard& dashboard, const http::Request& req) {
    std::optional<std::string> hash;
    const std::string auth = req.header("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.size() > kBearer.size() && std::string_view(auth).substr(0, kBearer.size()) == kBearer) {
        const std::string_view token = std::string_view(auth).substr(kBearer.size());
        if (token.size() > 256) return std::nullopt;
        hash = tokenHash(token);
    } else {
        hash = dashboard.sessionTokenHash(req);
    }
    if (!hash) return std::nullopt;
    auto found = ctx.store->findToken(*hash);
    if (!found || !*found || (*found)->revokedMs || (*found)->scope != kScopeHeadOffice) return std::nullopt;
    return **found;
}

http::RouteOptions pageRoute(std::string name, std::size_t maxBody) {
    http::RouteOptions o;
    o.name = std::move(name);
    o.hsts = true;
    o.maxBodyBytes = maxBody;
    return o;
}

http::Handler pageCall(HubContext& ctx, std::shared_ptr<Dashboard> dashboard, std::string name, bool change,
                       PageAnswer answer) {
    return guarded(ctx, name, [&ctx, dashboard = std::move(dashboard), change, answer](const http::Request& req,
                                                                                        http::Response& res) {
        res.setHeader("Cache-Control", "no-store");
        if (change && !sameOrigin(req)) return sendError(res, 403, "cross-site change refused");
        auto who = pageViewer(ctx, *dashboard, req);
        if (!who) return sendError(res, 401, "sign in first");
        answer(ctx, *who, req, res);
    });
}

}  // namespace touchpoint::hub::dashboard
