#pragma once
// The dashboard's Cases page calls (docs/OPERATIONS.md "Cases page"), on the hub's server next to the
// dashboard's own routes. They answer exactly what the /v1/cases routes answer (the same code runs them), for
// the person behind the dashboard session (or a head-office bearer token), with that token's role:
//
//   GET  /dashboard/api/cases               ?store=&status=&overdue=true|false  -> {cases, serverTime}
//   GET  /dashboard/api/cases/{id}          one case, the contact masked; ?reveal=contact shows it to
//                                           managers and admins (403 for analysts); the viewing audited
//   POST /dashboard/api/cases/{id}/notes    {"text"}                 managers and admins, same origin only
//   POST /dashboard/api/cases/{id}/status   {"status", "outcome"?, "assignee"?}   likewise
//   GET  /dashboard/api/case-figures        ?from=&to=&store=  -> the figures of the cases opened in
//                                           the range, the viewer's role and whether it may change cases

#include <memory>
#include <nlohmann/json.hpp>

#include "hub/cases/case_figures.hpp"
#include "hub/dashboard/dashboard.hpp"
#include "hub/http/hub_server.hpp"

namespace touchpoint::hub::dashboard {

/// The figures as the page shows them (times in milliseconds; null where there is nothing to show).
nlohmann::json caseFiguresJson(const CaseFigures& figures);

/// Adds the routes above; `dashboard` (its sessions and options) lives as long as the handlers do.
void registerCasePageRoutes(http::Router& router, HubContext& ctx, std::shared_ptr<Dashboard> dashboard);

}  // namespace touchpoint::hub::dashboard
