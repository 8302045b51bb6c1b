#include "hub/dashboard/fleet_page.hpp"

#include "content/fleet_document.hpp"
#include "hub/dashboard/page_access.hpp"
#include "hub/http/fleet_config_routes.hpp"

namespace touchpoint::hub::dashboard {

namespace {

using nlohmann::json;
using Req = const http::Request&;
using Res = http::Response&;

/// The document list, with what the page offers this person (the change calls check the role again) and the
/// vocabulary its editor needs: the kiosk languages and the built-in texts a document may override.
void answerDocumentsForPage(HubContext& ctx, const TokenRecord& who, Req req, Res res) {
    answerDocumentList(ctx, req, res,
                       {{"viewer", {{"role", who.role}, {"mayPublish", mayPublishFleetConfig(who)}}},
                        {"languages", content::kioskLanguages()},
                        {"textKeys", content::overridableTextKeys()}});
}

}  // namespace

void registerFleetPageRoutes(http::Router& router, HubContext& ctx, std::shared_ptr<Dashboard> dashboard) {
    // Answers are never cached; a POST from another site's page is refused before anything else.
    auto withViewer = [&ctx, dashboard](std::string name, bool change, PageAnswer answer) {
        return pageCall(ctx, dashboard, std::move(name), change, answer);
    };
    router.get("/dashboard/api/fleet/documents", pageRoute("dashboard fleet documents"),
               withViewer("dashboard fleet documents", false, &answerDocumentsForPage));
    router.get(
        "/dashboard/api/fleet/documents/{id}", pageRoute("dashboard fleet document"),
        withViewer("dashboard fleet document", false,
                   [](HubContext& c, const TokenRecord&, Req req, Res res) { answerDocument(c, req, res); }));
    router.post("/dashboard/api/fleet/documents",
                pageRoute("dashboard fleet publish", kMaxFleetPublishBodyBytes),
                withViewer("dashboard fleet publish", true, &answerPublish));
    router.post(
        "/dashboard/api/fleet/validate", pageRoute("dashboard fleet validate", kMaxFleetPublishBodyBytes),
        withViewer("dashboard fleet validate", true,
                   [](HubContext& c, const TokenRecord&, Req req, Res res) { answerValidate(c, req, res); }));
    router.get("/dashboard/api/fleet/assignments", pageRoute("dashboard fleet assignments"),
               withViewer("dashboard fleet assignments", false,
                          [](HubContext& c, const TokenRecord&, Req req, Res res) {
                              answerAssignmentList(c, req, res);
                          }));
    router.post("/dashboard/api/fleet/assignments",
                pageRoute("dashboard fleet assign", kMaxFleetSmallBodyBytes),
                withViewer("dashboard fleet assign", true, &answerAssign));
    router.get(
        "/dashboard/api/fleet/kiosks", pageRoute("dashboard fleet kiosks"),
        withViewer("dashboard fleet kiosks", false, [](HubContext& c, const TokenRecord&, Req req, Res res) {
            answerKioskConfigs(c, req, res);
        }));
}

}  // namespace touchpoint::hub::dashboard
