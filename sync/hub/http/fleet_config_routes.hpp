#pragma once
// The bodies of the fleet configuration routes, shared by /v1/fleet/... (a head-office bearer token) and the
// dashboard's "Surveys & fleet" page (a session bound to one): the same checks, validator, limits and answers
// whichever way a person comes (docs/PROTOCOL.md "Kiosk configuration"). Each writes the whole answer, errors
// included; the caller has already found the token.

#include "content/fleet_document.hpp"
#include "hub/http/hub_server.hpp"

namespace touchpoint::hub {

/// A publish body: the document (content::kMaxDocumentBytes) and a little around it.
inline constexpr std::size_t kMaxFleetPublishBodyBytes = content::kMaxDocumentBytes + 8 * 1024;
/// An assignment or region body.
inline constexpr std::size_t kMaxFleetSmallBodyBytes = 4 * 1024;

/// Managers and admins publish, assign (roll back) and set regions; analysts read.
bool mayPublishFleetConfig(const TokenRecord& token);

/// {"name", "document", "assign"?} -> 201 the stored revision, 422 {"error": "invalid_document", "errors"}.
void answerPublish(HubContext& ctx, const TokenRecord& publisher, const http::Request& req,
                   http::Response& res);
/// {"document", "name"?} -> 200 {"valid", "errors": [{path, message}]}: the publish check
/// (fleet::checkPublishable, with the hub's [cases]), nothing stored. Any head-office role may ask (it
/// changes nothing).
void answerValidate(HubContext& ctx, const http::Request& req, http::Response& res);
/// ?name= -> {documents}, newest first, with the members of `extra` (an object) added.
void answerDocumentList(HubContext& ctx, const http::Request& req, http::Response& res,
                        const nlohmann::json& extra = nlohmann::json::object());
/// {id} -> one revision with its document.
void answerDocument(HubContext& ctx, const http::Request& req, http::Response& res);
/// {"configVersion", "scope", "startsAt"?} -> 201 the assignment (a rollback is one of an older document).
void answerAssign(HubContext& ctx, const TokenRecord& assigner, const http::Request& req,
                  http::Response& res);
/// -> {assignments, regions, serverTime}.
void answerAssignmentList(HubContext& ctx, const http::Request& req, http::Response& res);
/// -> {kiosks: [{store, kiosk, lastSeen, appVersion, configVersion, expectedConfigVersion, configBehind,
/// configRefusal}], serverTime}: the configuration part of /v1/fleet.
void answerKioskConfigs(HubContext& ctx, const http::Request& req, http::Response& res);

}  // namespace touchpoint::hub
