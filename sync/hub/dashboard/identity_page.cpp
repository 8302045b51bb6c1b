#include "hub/dashboard/identity_page.hpp"

#include "hub/dashboard/page_access.hpp"
#include "hub/http/identity_routes.hpp"
#include "hub/ingest/token_claims.hpp"

namespace touchpoint::hub::dashboard {

namespace {

using Req = const http::Request&;
using Res = http::Response&;

/// The merges, and what the page offers this person (the undo call checks the role again).
void answerMergesForPage(HubContext& ctx, const TokenRecord& who, Req req, Res res) {
    const nlohmann::json extra = {{"viewer", {{"role", who.role}, {"mayUndo", who.role == kRoleAdmin}}}};
    answerMergeList(ctx, req, res, extra);
}

}  // namespace

void registerIdentityPageRoutes(http::Router& router, HubContext& ctx, std::shared_ptr<Dashboard> dashboard) {
    router.get("/dashboard/api/merges", pageRoute("dashboard merges"),
               pageCall(ctx, dashboard, "dashboard merges", false, &answerMergesForPage));
    router.post("/dashboard/api/merges/{seq}/undo", pageRoute("dashboard merge undo"),
                pageCall(ctx, dashboard, "dashboard merge undo", true, &answerMergeUndo));
    router.get("/dashboard/api/identity/conflicts", pageRoute("dashboard identity conflicts"),
               pageCall(ctx, dashboard, "dashboard identity conflicts", false,
                        [](HubContext& c, const TokenRecord&, Req req, Res res) { answerConflictList(c, req, res); }));
}

}  // namespace touchpoint::hub::dashboard
