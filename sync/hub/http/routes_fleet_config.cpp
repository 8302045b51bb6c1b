// Published kiosk configuration (docs/PROTOCOL.md "Kiosk configuration"): the kiosks' poll, and head office's
// documents, assignments (also rollback) and regions. Reading needs a head-office token; publishing,
// assigning and regions need the manager or admin role. The rules that pick a kiosk's document:
// hub/fleet/config_rules.hpp. The head-office bodies are shared with the dashboard (fleet_config_routes.hpp).

#include <charconv>

#include "hub/fleet/config_rules.hpp"
#include "hub/http/fleet_config_routes.hpp"
#include "hub/ingest/token_claims.hpp"
#include "hub/store/fleet_publish.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

std::string etagOf(std::int64_t documentId) {
    return "\"cfg-" + std::to_string(documentId) + "\"";
}

/// Whether If-None-Match names `etag` (a list, weak forms and "*" included, as RFC 9110 compares for GET).
bool matchesIfNoneMatch(const std::string& header, const std::string& etag) {
    if (header.empty() || header.size() > 1024) return false;
    std::size_t at = 0;
    while (at < header.size()) {
        auto end = header.find(',', at);
        if (end == std::string::npos) end = header.size();
        std::string item = header.substr(at, end - at);
        const auto first = item.find_first_not_of(" \t");
        const auto last = item.find_last_not_of(" \t");
        item = first == std::string::npos ? "" : item.substr(first, last - first + 1);
        if (item.rfind("W/", 0) == 0) item = item.substr(2);
        if (item == "*" || item == etag) return true;
        at = end + 1;
    }
    return false;
}

std::optional<std::int64_t> positiveId(const std::string& text) {
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < 1) return std::nullopt;
    return v;
}

/// An assignment from {"scope": ..., "startsAt": ...}; writes a 400 and returns nothing when it is wrong.
std::optional<NewAssignment> assignmentFrom(const json& body, std::int64_t nowMs, http::Response& res) {
    const auto scopeIt = body.find("scope");
    if (scopeIt == body.end() || !scopeIt->is_string() ||
        scopeIt->get_ref<const std::string&>().size() > 200) {
        sendError(res, 400, "scope: expected all, region:NAME, store:STORE or kiosk:STORE/KIOSK");
        return std::nullopt;
    }
    auto scope = fleet::parseScope(scopeIt->get_ref<const std::string&>());
    if (!scope) {
        sendError(res, 400, "scope: " + scope.error());
        return std::nullopt;
    }
    std::optional<std::string> startsAt;
    if (const auto s = body.find("startsAt"); s != body.end() && !s->is_null()) {
        if (!s->is_string()) {
            sendError(res, 400, "startsAt: expected an ISO-8601 time");
            return std::nullopt;
        }
        startsAt = s->get<std::string>();
    }
    auto starts = fleet::parseStartsAt(startsAt, nowMs);
    if (!starts) {
        sendError(res, 400, starts.error());
        return std::nullopt;
    }
    return NewAssignment{*scope, *starts};
}

/// A JSON object body with only `allowed` keys; writes a 400 otherwise.
std::optional<json> objectBody(const http::Request& req, http::Response& res,
                               std::initializer_list<const char*> allowed) {
    if (fleet::nestedDeeperThan(req.body, fleet::kMaxDocumentDepth)) {
        sendError(res, 400,
                  "body: nested deeper than " + std::to_string(fleet::kMaxDocumentDepth) + " levels");
        return std::nullopt;
    }
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) {
        sendError(res, 400, "body: expected a JSON object");
        return std::nullopt;
    }
    for (const auto& [key, value] : body.items()) {
        bool known = false;
        for (const char* a : allowed) known = known || key == a;
        if (!known) {
            sendError(res, 400, "body: unknown member \"" + key.substr(0, 64) + "\"");
            return std::nullopt;
        }
    }
    return body;
}

json documentJson(const ConfigDocumentRecord& d) {
    return {{"configVersion", d.id},
            {"name", d.name},
            {"revision", d.revision},
            {"surveyId", d.surveyId},
            {"surveyVersion", d.surveyVersion},
            {"createdAt", formatIsoUtcMs(d.createdMs)},
            {"createdBy", d.createdBy}};
}

json assignmentJson(const fleet::Assignment& a) {
    return {{"seq", a.seq},
            {"scope", a.scope.format()},
            {"configVersion", a.documentId},
            {"startsAt", formatIsoUtcMs(a.startsMs)},
            {"createdAt", formatIsoUtcMs(a.createdMs)},
            {"createdBy", a.createdBy}};
}

json errorsJson(const content::ContentErrors& errors) {
    json list = json::array();
    for (const auto& e : errors) list.push_back({{"path", e.path}, {"message", e.message}});
    return list;
}

void kioskConfigRoute(HubContext& ctx, const http::Request& req, http::Response& res) {
    auto token = ctx.authorize(req, res, kScopeIngest);
    if (!token) return;
    // The store and kiosk come from the token, never from the request.
    if (token->kind != kKindKiosk) return sendError(res, 403, "only kiosk tokens read kiosk configuration");
    auto set = ctx.fleetConfig->assignments();
    if (!set) return storeUnavailable(res);
    const auto chosen = fleet::resolveAssignment(**set, token->storeId, token->kioskId, ctx.clock->utcMs());
    if (!chosen) return sendError(res, 404, "no_config");
    const std::string etag = etagOf(chosen->documentId);
    res.setHeader("ETag", etag);
    res.setHeader("Cache-Control", "no-cache");
    if (matchesIfNoneMatch(req.header("If-None-Match"), etag)) {
        res.status = 304;
        return;
    }
    auto body = ctx.fleetConfig->body(chosen->documentId);
    if (!body) return storeUnavailable(res);
    if (!*body) return sendError(res, 404, "no_config");
    json document = json::parse(**body, nullptr, false);
    if (!document.is_object()) return storeUnavailable(res);
    document["configVersion"] = chosen->documentId;
    sendJson(res, document);
}

}  // namespace

bool mayPublishFleetConfig(const TokenRecord& t) {
    return t.role == kRoleManager || t.role == kRoleAdmin;
}

void answerPublish(HubContext& ctx, const TokenRecord& publisher, const http::Request& req,
                   http::Response& res) {
    if (!mayPublishFleetConfig(publisher))
        return sendError(res, 403, "publishing needs a manager or admin token");
    auto body = objectBody(req, res, {"name", "document", "assign"});
    if (!body) return;
    const auto name = body->find("name");
    if (name == body->end() || !name->is_string() ||
        !fleet::isDocumentName(name->get_ref<const std::string&>())) {
        return sendError(res, 400, "name: expected 1..64 of A-Z a-z 0-9 _ . -");
    }
    const auto document = body->find("document");
    if (document == body->end() || !document->is_object())
        return sendError(res, 400, "document: expected a JSON object");
    const auto nowMs = ctx.clock->utcMs();
    std::optional<NewAssignment> assign;
    if (const auto a = body->find("assign"); a != body->end() && !a->is_null()) {
        if (!a->is_object()) return sendError(res, 400, "assign: expected an object with scope and startsAt");
        assign = assignmentFrom(*a, nowMs, res);
        if (!assign) return;
    }
    auto published = publishFleetDocument(
        ctx.store->fleetConfig(), {name->get<std::string>(), *document, assign, publisher.name, nowMs},
        ctx.config.cases);
    if (!published) return storeUnavailable(res);
    if (const auto* errors = std::get_if<content::ContentErrors>(&*published)) {
        return sendJson(res, {{"error", "invalid_document"}, {"errors", errorsJson(*errors)}}, 422);
    }
    ctx.fleetConfig->invalidate();
    const auto& record = std::get<ConfigDocumentRecord>(*published);
    json out = documentJson(record);
    if (assign)
        out["assigned"] = {{"scope", assign->scope.format()}, {"startsAt", formatIsoUtcMs(assign->startsMs)}};
    sendJson(res, out, 201);
}

void answerValidate(HubContext& ctx, const http::Request& req, http::Response& res) {
    auto body = objectBody(req, res, {"name", "document"});
    if (!body) return;
    if (const auto name = body->find("name");
        name != body->end() &&
        (!name->is_string() || !fleet::isDocumentName(name->get_ref<const std::string&>()))) {
        return sendError(res, 400, "name: expected 1..64 of A-Z a-z 0-9 _ . -");
    }
    const auto document = body->find("document");
    if (document == body->end() || !document->is_object())
        return sendError(res, 400, "document: expected a JSON object");
    // The check publishFleetDocument() makes before it stores anything.
    auto parsed = fleet::checkPublishable(*document, ctx.config.cases);
    if (!parsed) return sendJson(res, {{"valid", false}, {"errors", errorsJson(parsed.error())}});
    sendJson(res, {{"valid", true}, {"errors", json::array()}});
}

void answerDocumentList(HubContext& ctx, const http::Request& req, http::Response& res, const json& extra) {
    const auto name = req.param("name");
    if (!name.empty() && !fleet::isDocumentName(name))
        return sendError(res, 400, "name: expected 1..64 of A-Z a-z 0-9 _ . -");
    auto docs = ctx.store->fleetConfig().documents(name);
    if (!docs) return storeUnavailable(res);
    json list = json::array();
    for (const auto& d : *docs) list.push_back(documentJson(d));
    json out = extra;
    out["documents"] = std::move(list);
    sendJson(res, out);
}

void answerDocument(HubContext& ctx, const http::Request& req, http::Response& res) {
    const auto id = positiveId(req.capture("id"));
    if (!id) return sendError(res, 404, "not found");
    auto doc = ctx.store->fleetConfig().document(*id);
    if (!doc) return storeUnavailable(res);
    if (!*doc) return sendError(res, 404, "not found");
    json out = documentJson(**doc);
    out["document"] = json::parse((*doc)->body, nullptr, false);
    sendJson(res, out);
}

void answerAssign(HubContext& ctx, const TokenRecord& assigner, const http::Request& req,
                  http::Response& res) {
    if (!mayPublishFleetConfig(assigner))
        return sendError(res, 403, "assigning needs a manager or admin token");
    auto body = objectBody(req, res, {"scope", "configVersion", "startsAt"});
    if (!body) return;
    const auto version = body->find("configVersion");
    if (version == body->end() || !version->is_number_integer() || version->get<std::int64_t>() < 1) {
        return sendError(res, 400, "configVersion: expected a published document's id");
    }
    const auto nowMs = ctx.clock->utcMs();
    auto assignment = assignmentFrom(*body, nowMs, res);
    if (!assignment) return;
    auto seq =
        ctx.store->fleetConfig().assign(version->get<std::int64_t>(), *assignment, assigner.name, nowMs);
    if (!seq) return storeUnavailable(res);
    if (!*seq) return sendError(res, 404, "configVersion: no such document");
    ctx.fleetConfig->invalidate();
    sendJson(res,
             assignmentJson({**seq, assignment->scope, version->get<std::int64_t>(), assignment->startsMs,
                             nowMs, assigner.name}),
             201);
}

void answerAssignmentList(HubContext& ctx, const http::Request&, http::Response& res) {
    auto set = ctx.store->fleetConfig().assignments();
    if (!set) return storeUnavailable(res);
    json list = json::array();
    for (const auto& a : set->assignments) list.push_back(assignmentJson(a));
    json regions = json::object();
    for (const auto& [store, region] : set->regionOfStore) regions[store] = region;
    sendJson(res, {{"assignments", std::move(list)},
                   {"regions", std::move(regions)},
                   {"serverTime", formatIsoUtcMs(ctx.clock->utcMs())}});
}

void answerKioskConfigs(HubContext& ctx, const http::Request&, http::Response& res) {
    auto fleet = ctx.store->fleet();
    if (!fleet) return storeUnavailable(res);
    auto orNull = [](const auto& v) { return v ? json(*v) : json(nullptr); };
    json kiosks = json::array();
    for (const auto& k : *fleet) {
        // As /v1/fleet works them out (routes_head_office.cpp).
        const auto expected = expectedConfigVersion(ctx, k.store, k.kiosk);
        kiosks.push_back({{"store", k.store},
                          {"kiosk", k.kiosk},
                          {"lastSeen", formatIsoUtcMs(k.lastSeenMs)},
                          {"appVersion", k.appVersion},
                          {"configVersion", orNull(k.configVersion)},
                          {"expectedConfigVersion", orNull(expected)},
                          {"configBehind", expected.has_value() && k.configVersion != expected},
                          {"configRefusal", orNull(k.configRefusal)}});
    }
    sendJson(res, {{"kiosks", std::move(kiosks)}, {"serverTime", formatIsoUtcMs(ctx.clock->utcMs())}});
}

namespace {

void publishRoute(HubContext& ctx, const http::Request& req, http::Response& res) {
    if (auto token = ctx.authorize(req, res, kScopeHeadOffice)) answerPublish(ctx, *token, req, res);
}

void validateRoute(HubContext& ctx, const http::Request& req, http::Response& res) {
    if (ctx.authorize(req, res, kScopeHeadOffice)) answerValidate(ctx, req, res);
}

void listDocumentsRoute(HubContext& ctx, const http::Request& req, http::Response& res) {
    if (ctx.authorize(req, res, kScopeHeadOffice)) answerDocumentList(ctx, req, res);
}

void documentRoute(HubContext& ctx, const http::Request& req, http::Response& res) {
    if (ctx.authorize(req, res, kScopeHeadOffice)) answerDocument(ctx, req, res);
}

void assignRoute(HubContext& ctx, const http::Request& req, http::Response& res) {
    if (auto token = ctx.authorize(req, res, kScopeHeadOffice)) answerAssign(ctx, *token, req, res);
}

void listAssignmentsRoute(HubContext& ctx, const http::Request& req, http::Response& res) {
    if (ctx.authorize(req, res, kScopeHeadOffice)) answerAssignmentList(ctx, req, res);
}

void regionRoute(HubContext& ctx, const http::Request& req, http::Response& res) {
    auto token = ctx.authorize(req, res, kScopeHeadOffice);
    if (!token) return;
    if (!mayPublishFleetConfig(*token)) return sendError(res, 403, "regions need a manager or admin token");
    const auto store = req.capture("store");
    if (!fleet::isPlaceId(store))
        return sendError(res, 400, "store: 1..64 printable ASCII bytes without spaces");
    auto body = objectBody(req, res, {"region"});
    if (!body) return;
    const auto region = body->find("region");
    // An empty region takes the store out of any region.
    if (region == body->end() || !region->is_string() ||
        (!region->get_ref<const std::string&>().empty() &&
         !fleet::isRegionName(region->get_ref<const std::string&>()))) {
        return sendError(res, 400, "region: expected 0..64 printable ASCII bytes");
    }
    if (auto r = ctx.store->fleetConfig().setRegion(store, region->get<std::string>()); !r)
        return storeUnavailable(res);
    ctx.fleetConfig->invalidate();
    sendJson(res, {{"store", store}, {"region", region->get<std::string>()}});
}

}  // namespace

std::optional<std::int64_t> expectedConfigVersion(HubContext& ctx, const std::string& storeId,
                                                  const std::string& kioskId) {
    auto set = ctx.fleetConfig->assignments();
    if (!set) return std::nullopt;
    const auto chosen = fleet::resolveAssignment(**set, storeId, kioskId, ctx.clock->utcMs());
    if (!chosen) return std::nullopt;
    return chosen->documentId;
}

void registerFleetConfigRoutes(http::Router& router, HubContext& ctx) {
    router.get("/v1/kiosk/config", routeOptions("/v1/kiosk/config", kScopeIngest),
               guarded(ctx, "/v1/kiosk/config",
                       [&ctx](const auto& req, auto& res) { kioskConfigRoute(ctx, req, res); }));
    router.post("/v1/fleet/documents",
                routeOptions("/v1/fleet/documents", kScopeHeadOffice, kMaxFleetPublishBodyBytes),
                guarded(ctx, "/v1/fleet/documents",
                        [&ctx](const auto& req, auto& res) { publishRoute(ctx, req, res); }));
    router.post("/v1/fleet/documents/validate",
                routeOptions("/v1/fleet/documents/validate", kScopeHeadOffice, kMaxFleetPublishBodyBytes),
                guarded(ctx, "/v1/fleet/documents/validate",
                        [&ctx](const auto& req, auto& res) { validateRoute(ctx, req, res); }));
    router.get("/v1/fleet/documents", routeOptions("/v1/fleet/documents", kScopeHeadOffice),
               guarded(ctx, "/v1/fleet/documents",
                       [&ctx](const auto& req, auto& res) { listDocumentsRoute(ctx, req, res); }));
    router.get("/v1/fleet/documents/{id}", routeOptions("/v1/fleet/documents/{id}", kScopeHeadOffice),
               guarded(ctx, "/v1/fleet/documents/{id}",
                       [&ctx](const auto& req, auto& res) { documentRoute(ctx, req, res); }));
    router.post("/v1/fleet/assignments",
                routeOptions("/v1/fleet/assignments", kScopeHeadOffice, kMaxFleetSmallBodyBytes),
                guarded(ctx, "/v1/fleet/assignments",
                        [&ctx](const auto& req, auto& res) { assignRoute(ctx, req, res); }));
    router.get("/v1/fleet/assignments", routeOptions("/v1/fleet/assignments", kScopeHeadOffice),
               guarded(ctx, "/v1/fleet/assignments",
                       [&ctx](const auto& req, auto& res) { listAssignmentsRoute(ctx, req, res); }));
    router.add("PUT", "/v1/fleet/regions/{store}",
               routeOptions("/v1/fleet/regions/{store}", kScopeHeadOffice, kMaxFleetSmallBodyBytes),
               guarded(ctx, "/v1/fleet/regions/{store}",
                       [&ctx](const auto& req, auto& res) { regionRoute(ctx, req, res); }));
}

}  // namespace touchpoint::hub
