#pragma once
// The bodies of the case routes, shared by /v1/cases (a head-office token) and the dashboard's Cases page (a
// session bound to one): the same filters, masking, limits, validation and audit whichever way a person
// comes. Each reads the case id from the route's {id} capture and writes the whole answer, errors included.

#include "hub/http/hub_server.hpp"

namespace touchpoint::hub {

/// Managers and admins may change cases and reveal contacts; analysts only read, with contacts masked.
bool mayChangeCases(const TokenRecord& token);

/// ?store=&status=&overdue=true|false&limit= -> {cases, serverTime}.
void answerCaseList(HubContext& ctx, const http::Request& req, http::Response& res);
/// One case, its contact (and e-mails and phone numbers in its notes) masked; `?reveal=contact` shows them in
/// full to a viewer who may change cases (403 for anyone else, 400 for any other value). Every answered view
/// is audited on the case: "contact shown" for a reveal, "contact masked" otherwise.
void answerCase(HubContext& ctx, const TokenRecord& viewer, const http::Request& req, http::Response& res);
/// {"text"}: a note (403 for analysts).
void answerCaseNote(HubContext& ctx, const TokenRecord& author, const http::Request& req,
                    http::Response& res);
/// {"status", "outcome"?, "assignee"?}: a step or a reassignment (403 for analysts).
void answerCaseStatus(HubContext& ctx, const TokenRecord& author, const http::Request& req,
                      http::Response& res);

}  // namespace touchpoint::hub
