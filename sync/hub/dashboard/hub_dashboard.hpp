#pragma once
// Wires the dashboard to a running hub: the services read the hub's store and check tokens exactly as the
// head-office endpoints do, and the registrar plugs the routes into HubServer::addRoutes().

#include "hub/dashboard/dashboard.hpp"
#include "hub/http/hub_server.hpp"

namespace touchpoint::hub::dashboard {

/// Services backed by the hub: head-office tokens from the token table (hash, scope, revocation), the same
/// /v1/stats document computeStats() makes, and the /v1/fleet document.
DashboardServices hubServices(HubContext& ctx);

/// For HubServer::addRoutes(): makes the Dashboard on the hub's context and adds its routes. The Dashboard
/// lives as long as the server's handlers do.
RouteRegistrar hubDashboardRoutes(DashboardOptions options = {});

}  // namespace touchpoint::hub::dashboard
