#pragma once
// Who is asking, for the dashboard pages that run the head-office routes' own code (the Cases page, the
// Surveys & fleet page): the head-office token behind a bearer header or the dashboard session, and the
// route options those pages use.

#include <memory>
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

/// A route body run for the person behind the request.
using PageAnswer = void (*)(HubContext&, const TokenRecord&, const http::Request&, http::Response&);

/// The handler of a page call: never cached; a change (`change`: a POST) from another site's page is refused
/// before anything else; nobody signed in gets 401; then `answer` runs for the viewer. `dashboard` lives as
/// long as the handler does.
http::Handler pageCall(HubContext& ctx, std::shared_ptr<Dashboard> dashboard, std::string name, bool change,
                       PageAnswer answer);

}  // namespace touchpoint::hub::dashboard
