#pragma once
// The bodies of the identity graph's head-office routes, shared by /v1/merges, /v1/identity/conflicts (a
// head-office bearer token) and the dashboard's Identity tab (a session bound to one): the same limits, checks
// and answers whichever way a person comes (docs/PROTOCOL.md "Merges and refused ties").

#include "hub/http/hub_server.hpp"

namespace touchpoint::hub {

/// ?profile=&limit= -> {merges}, newest first, with the members of `extra` (an object) added.
void answerMergeList(HubContext& ctx, const http::Request& req, http::Response& res,
                     const nlohmann::json& extra = nlohmann::json::object());
/// {seq}: separates the two profiles again; 403 unless `token` is an admin's, 404, or 409 (already undone, or
/// the survivor merged again or erased).
void answerMergeUndo(HubContext& ctx, const TokenRecord& token, const http::Request& req, http::Response& res);
/// ?limit= -> {conflicts}, newest first: ties the rules refused, with the kind of identifier only.
void answerConflictList(HubContext& ctx, const http::Request& req, http::Response& res);

}  // namespace touchpoint::hub
