#pragma once
// The dashboard's Identity tab calls (docs/DASHBOARD.md "Identity"): the merges of profiles and the ties the
// rules refused, answered by the same code as /v1/merges and /v1/identity/conflicts, for the person behind the
// dashboard session (or a head-office bearer token), with that token's role:
//
//   GET  /dashboard/api/merges                 ?profile=&limit=  -> {merges, viewer}
//   POST /dashboard/api/merges/{seq}/undo      admins only, same origin only
//   GET  /dashboard/api/identity/conflicts     ?limit=  -> {conflicts}

#include <memory>

#include "hub/dashboard/dashboard.hpp"
#include "hub/http/hub_server.hpp"

namespace touchpoint::hub::dashboard {

/// Adds the routes above; `dashboard` (its sessions and options) lives as long as the handlers do.
void registerIdentityPageRoutes(http::Router& router, HubContext& ctx, std::shared_ptr<Dashboard> dashboard);

}  // namespace touchpoint::hub::dashboard
