// The identity graph's history for head office: GET /v1/merges (every profile merge), POST /v1/merges/{seq}/undo
// (admin: separates the two profiles again) and GET /v1/identity/conflicts (ties the rules refused).
// docs/PROTOCOL.md and docs/JOURNEY_RULES.md "Merges and their undo".

#include <charconv>

#include "common/clock.hpp"
#include "hub/http/identity_routes.hpp"
#include "hub/ingest/token_claims.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

constexpr std::size_t kDefaultLimit = 100, kMaxLimit = 1000;

}  // namespace

void answerMergeList(HubContext& ctx, const http::Request& req, http::Response& res, const json& extra) {
    const auto limit = limitParam(req, res, kDefaultLimit, kMaxLimit);
    if (!limit) return;
    const std::string profile = req.hasParam("profile") ? std::string(req.param("profile")) : "";
    if (profile.size() > 64) return sendError(res, 400, "profile: not a profile id");
    auto merges = ctx.store->merges(profile, *limit);
    if (!merges) return storeUnavailable(res);
    json out = json::array();
    for (const auto& m : *merges) {
        out.push_back({{"seq", m.seq},
                       {"at", formatIsoUtcMs(m.atMs)},
                       {"messageId", m.messageId},
                       {"source", m.source},
                       {"survivor", m.winnerId},
                       {"merged", m.loserId},
                       {"undoneAt", m.undoneMs ? json(formatIsoUtcMs(*m.undoneMs)) : json(nullptr)},
                       {"undoneBy", m.undoneMs ? json(m.undoneBy) : json(nullptr)}});
    }
    json body = extra.is_object() ? extra : json::object();
    body["merges"] = std::move(out);
    sendJson(res, body);
}

void answerMergeUndo(HubContext& ctx, const TokenRecord& token, const http::Request& req, http::Response& res) {
    if (token.role != kRoleAdmin) return sendError(res, 403, "undoing a merge needs an admin token");
    const std::string text(req.capture("seq"));
    std::int64_t seq = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seq);
    if (ec != std::errc() || end != text.data() + text.size() || seq < 1) return sendError(res, 404, "not found");
    auto outcome = ctx.store->undoMerge(seq, token.name);
    if (!outcome) return storeUnavailable(res);
    switch (*outcome) {
        case UndoMergeOutcome::Undone: return sendJson(res, {{"undone", true}, {"seq", seq}});
        case UndoMergeOutcome::NotFound: return sendError(res, 404, "not found");
        case UndoMergeOutcome::AlreadyUndone: return sendError(res, 409, "this merge was already undone");
        case UndoMergeOutcome::ProfileGone:
            return sendError(res, 409,
                             "the surviving profile was merged again or erased: undo the later merge first "
                             "(GET /v1/merges?profile=)");
    }
}

void answerConflictList(HubContext& ctx, const http::Request& req, http::Response& res) {
    const auto limit = limitParam(req, res, kDefaultLimit, kMaxLimit);
    if (!limit) return;
    auto conflicts = ctx.store->identityConflicts(*limit);
    if (!conflicts) return storeUnavailable(res);
    json out = json::array();
    for (const auto& c : *conflicts) {
        out.push_back({{"seq", c.seq},
                       {"at", formatIsoUtcMs(c.atMs)},
                       {"messageId", c.messageId},
                       {"source", c.source},
                       {"profileId", c.profileId.empty() ? json(nullptr) : json(c.profileId)},
                       {"heldBy", c.heldBy.empty() ? json(nullptr) : json(c.heldBy)},
                       {"identifierKind", c.identifierKind},
                       {"reason", c.reason}});
    }
    sendJson(res, {{"conflicts", std::move(out)}});
}

void registerIdentityRoutes(http::Router& router, HubContext& ctx) {
    router.get("/v1/merges", routeOptions("/v1/merges", kScopeHeadOffice),
               guarded(ctx, "/v1/merges", [&ctx](const http::Request& req, http::Response& res) {
                   if (ctx.authorize(req, res, kScopeHeadOffice)) answerMergeList(ctx, req, res);
               }));
    router.post("/v1/merges/{seq}/undo", routeOptions("/v1/merges/{seq}/undo", kScopeHeadOffice),
                guarded(ctx, "/v1/merges/{seq}/undo", [&ctx](const http::Request& req, http::Response& res) {
                    if (auto token = ctx.authorize(req, res, kScopeHeadOffice)) answerMergeUndo(ctx, *token, req, res);
                }));
    router.get("/v1/identity/conflicts", routeOptions("/v1/identity/conflicts", kScopeHeadOffice),
               guarded(ctx, "/v1/identity/conflicts", [&ctx](const http::Request& req, http::Response& res) {
                   if (ctx.authorize(req, res, kScopeHeadOffice)) answerConflictList(ctx, req, res);
               }));
}

}  // namespace touchpoint::hub
