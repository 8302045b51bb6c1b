#pragma once
// The dashboard's "Surveys & fleet" page calls (docs/OPERATIONS.md "Surveys & fleet page"), on the hub's
// server next to the dashboard's own routes. They answer exactly what the /v1/fleet/... routes answer (the
// same code runs them, hub/http/fleet_config_routes.hpp), for the person behind the dashboard session (or a
// head-office bearer token), with that token's role. Every POST refuses a page of another site.
//
//   GET  /dashboard/api/fleet/documents        ?name=  -> {documents, viewer: {role, mayPublish},
//                                              languages, textKeys}: the revisions, newest first
//   GET  /dashboard/api/fleet/documents/{id}   one revision with its document
//   POST /dashboard/api/fleet/documents        {"name", "document", "assign"?}   managers and admins
//   POST /dashboard/api/fleet/validate         {"document", "name"?} -> {valid, errors}; stores nothing
//   GET  /dashboard/api/fleet/assignments      {assignments, regions, serverTime}
//   POST /dashboard/api/fleet/assignments      {"configVersion", "scope", "startsAt"?}  managers and admins;
//                                              a rollback is an assignment of an older revision
//   GET  /dashboard/api/fleet/kiosks           which kiosk runs which version, which are behind or refused

#include <memory>

#include "hub/dashboard/dashboard.hpp"
#include "hub/http/hub_server.hpp"

namespace touchpoint::hub::dashboard {

/// Adds the routes above; `dashboard` (its sessions) lives as long as the handlers do.
void registerFleetPageRoutes(http::Router& router, HubContext& ctx, std::shared_ptr<Dashboard> dashboard);

}  // namespace touchpoint::hub::dashboard
