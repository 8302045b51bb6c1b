#pragma once
// Who is asking, for the dashboard pages that run the head-office routes' own code (the Cases page, the
// Surveys & fleet page): the head-office token behind a bearer header or the dashboard session, and the
// route options those pages use.

#include <optional>
#include <string>

#include "hub/dashboard/dashboard.hpp"
#include "hub/http/hub_server.hpp"

namespace touchpoint::hub::dashboard {

/// The head-office token behind the request: a bearer token, else the dashboard session's. Revoked tokens and
/// other scopes are nobody.
std::optional<TokenRecord> pageViewer(HubContext& ctx, Dashboard& dashboard, const http::Request& req);

/// Options of a page call: HSTS, a body limit (0: none accepted), and the name /metrics counts it by.
http::RouteOptions pageRoute(std::string name, std::size_t maxBody = 0);

}  // namespace touchpoint::hub::dashboard
