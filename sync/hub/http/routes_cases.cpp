// Head office: cases (list, one case with its answer, the shopper's standing and journey, notes, status),
// alerts, and the notification queue's replay (docs/PROTOCOL.md "Cases and alerts"). Every route needs a
// head-office token; changes need the manager or admin role. A case's contact (and any e-mail or phone number
// in its notes and outcome) is masked for every role by default; a manager or admin asks for it with
// ?reveal=contact, and only that view is audited as "contact shown".

#include <charconv>

#include "common/uuid.hpp"
#include "hub/http/case_routes.hpp"
#include "hub/ingest/personal_text.hpp"
#include "hub/ingest/token_claims.hpp"
#include "hub/journey/loyalty.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxNoteBytes = 4000;
constexpr std::size_t kMaxOutcomeBytes = 200;
constexpr std::size_t kMaxAssigneeBytes = 128;
constexpr std::size_t kJourneyTouchpoints = 20;

/// Enough to recognise the contact and no more: "+120******23", "j***@example.com".
std::string maskContact(const std::string& kind, const std::string& value) {
    if (kind == "email") {
        const auto at = value.find('@');
        if (at == std::string::npos || at == 0) return "***";
        return value.substr(0, 1) + "***" + value.substr(at);
    }
    if (value.size() <= 6) return std::string(value.size(), '*');
    return value.substr(0, 4) + std::string(value.size() - 6, '*') + value.substr(value.size() - 2);
}

json optionalInt(const std::optional<std::int64_t>& v) {
    return v ? json(*v) : json(nullptr);
}
json optionalTime(const std::optional<std::int64_t>& v) {
    return v ? json(formatIsoUtcMs(*v)) : json(nullptr);
}

/// A case's summary; its outcome (free text, which may repeat a shopper's phone or e-mail) with e-mail
/// addresses and phone numbers masked unless `showPersonal`, like its notes.
json summaryJson(const CaseSummary& c, std::int64_t nowMs, bool showPersonal) {
    return {{"id", c.id},
            {"rule", c.rule},
            {"kind", c.kind},
            {"store", c.storeId},
            {"kiosk", c.kioskId},
            {"feedbackMessageId", c.feedbackMessageId},
            {"status", c.status},
            {"outcome", showPersonal ? c.outcome : maskPersonalText(c.outcome)},
            {"assignee", c.assignee},
            {"nps", optionalInt(c.nps)},
            {"csat", optionalInt(c.csat)},
            {"openedAt", formatIsoUtcMs(c.openedAtMs)},
            {"dueAt", formatIsoUtcMs(c.dueAtMs)},
            {"updatedAt", formatIsoUtcMs(c.updatedAtMs)},
            {"firstActionAt", optionalTime(c.firstActionAtMs)},
            {"resolvedAt", optionalTime(c.resolvedAtMs)},
            {"overdue", c.status != kCaseResolved && c.dueAtMs < nowMs},
            {"hasContact", c.hasContact}};
}

/// A case id as the routes accept it (UUIDs); anything else is simply not found.
bool isCaseId(const std::string& id) {
    return isUuid(id);
}

/// What `?reveal=` asks to see in full: nothing without it, the contact with "contact"; anything else (an
/// empty value or the parameter twice included) is a 400 written, so a typo never quietly falls back to the
/// masked view.
std::optional<bool> revealParam(const http::Request& req, http::Response& res) {
    const auto given = req.params.count("reveal");
    if (given == 0) return false;
    if (given > 1 || req.param("reveal") != "contact") {
        sendError(res, 400, "reveal: expected contact");
        return std::nullopt;
    }
    return true;
}

}  // namespace

bool mayChangeCases(const TokenRecord& t) {
    return t.role == kRoleManager || t.role == kRoleAdmin;
}

void answerCaseList(HubContext& ctx, const http::Request& req, http::Response& res) {
    CaseFilter f;
    f.nowMs = ctx.clock->utcMs();
    f.store = req.param("store");
    f.status = req.param("status");
    if (f.store.size() > kMaxIdLength) return sendError(res, 400, "store: longer than 256 bytes");
    if (!f.status.empty() && f.status != kCaseOpen && f.status != kCaseInProgress &&
        f.status != kCaseResolved) {
        return sendError(res, 400, "status: expected open, in_progress or resolved");
    }
    if (req.hasParam("overdue")) {
        const auto o = req.param("overdue");
        if (o != "true" && o != "false") return sendError(res, 400, "overdue: expected true or false");
        f.overdueOnly = o == "true";
    }
    auto limit = limitParam(req, res, 200, 1000);
    if (!limit) return;
    f.limit = *limit;
    auto cases = ctx.store->cases().listCases(f);
    if (!cases) return storeUnavailable(res);
    json out = json::array();
    for (const auto& c : *cases) out.push_back(summaryJson(c, f.nowMs, false));
    sendJson(res, {{"cases", std::move(out)}, {"serverTime", formatIsoUtcMs(f.nowMs)}});
}

void answerCase(HubContext& ctx, const TokenRecord& viewer, const http::Request& req, http::Response& res) {
    const auto* token = &viewer;
    const std::string id = req.capture("id");
    if (!isCaseId(id)) return sendError(res, 404, "not found");
    const auto reveal = revealParam(req, res);
    if (!reveal) return;
    // Refused before the store is asked: no value, and no audit row, since nothing was viewed (the refusal
    // is counted in /metrics under the route and 403).
    if (*reveal && !mayChangeCases(*token))
        return sendError(res, 403, "reveal=contact needs a manager or admin token; analysts see it masked");
    const bool showContact = *reveal;
    const auto now = ctx.clock->utcMs();
    auto found =
        ctx.store->cases().viewCase(id, token->name, showContact ? "contact shown" : "contact masked", now);
    if (!found) return storeUnavailable(res);
    if (!*found) return sendError(res, 404, "not found");
    const CaseDetail& d = **found;
    json j = summaryJson(d.summary, now, showContact);
    j["feedback"] = {{"answeredAt", formatIsoUtcMs(d.answeredAtMs)},
                     {"surveyId", d.surveyId},
                     {"reasons", d.reasons},
                     {"comment", d.comment ? json(maskPersonalText(*d.comment)) : json(nullptr)}};
    json shopper = nullptr;
    if (d.profileId && d.points) {
        const auto tier = tierFor(ctx.config.loyalty, *d.points);
        shopper = {{"profileId", *d.profileId},
                   {"member", d.isMember},
                   {"points", *d.points},
                   {"tier", d.isMember ? json(tier.tier) : json(nullptr)},
                   {"stage", d.stage}};
        if (auto t = ctx.store->timeline(*d.profileId, kJourneyTouchpoints); t && *t) {
            json channels = json::array();
            for (const auto& c : (*t)->channels) {
                channels.push_back({{"channel", c.channel},
                                    {"firstSeen", formatIsoUtcMs(c.firstSeenMs)},
                                    {"lastSeen", formatIsoUtcMs(c.lastSeenMs)}});
            }
            json journey = json::array();
            for (const auto& p : (*t)->touchpoints) {
                journey.push_back({{"at", formatIsoUtcMs(p.atMs)},
                                   {"channel", p.channel},
                                   {"event", p.event},
                                   {"store", p.store}});
            }
            shopper["channels"] = std::move(channels);
            shopper["recentJourney"] = std::move(journey);
        }
    }
    j["shopper"] = std::move(shopper);
    json contact = nullptr;
    if (d.contact) {
        contact = {{"kind", d.contact->kind}, {"receivedAt", formatIsoUtcMs(d.contact->receivedAtMs)}};
        if (d.contact->value) {
            contact["value"] =
                showContact ? *d.contact->value : maskContact(d.contact->kind, *d.contact->value);
            contact["masked"] = !showContact;
        } else {
            contact["value"] = nullptr;
            contact["erasedAt"] = optionalTime(d.contact->erasedAtMs);
            contact["erasedReason"] = d.contact->erasedReason;
        }
    }
    j["contact"] = std::move(contact);
    json notes = json::array();
    for (const auto& n : d.notes)
        notes.push_back({{"at", formatIsoUtcMs(n.atMs)},
                         {"by", n.tokenName},
                         {"text", showContact ? n.text : maskPersonalText(n.text)}});
    j["notes"] = std::move(notes);
    json audit = json::array();
    for (const auto& a : d.audit) {
        audit.push_back({{"at", formatIsoUtcMs(a.atMs)},
                         {"by", a.tokenName},
                         {"action", a.action},
                         {"detail", a.detail}});
    }
    j["audit"] = std::move(audit);
    sendJson(res, j);
}

namespace {

/// The JSON object body of a change to case `id`, or a 404 (no such id), 403 or 400 written.
std::optional<json> changeBody(const std::string& id, const http::Request& req, http::Response& res,
                               const TokenRecord& token) {
    if (!isCaseId(id)) {
        sendError(res, 404, "not found");
        return std::nullopt;
    }
    if (!mayChangeCases(token)) {
        sendError(res, 403, "changing a case needs a manager or admin token");
        return std::nullopt;
    }
    json body = json::parse(req.body, nullptr, false);
    if (!body.is_object()) {
        sendError(res, 400, "body: expected a JSON object");
        return std::nullopt;
    }
    return body;
}

std::optional<std::string> textMember(const json& body, const char* key, std::size_t max, bool required,
                                      http::Response& res) {
    const auto it = body.find(key);
    if (it == body.end() || it->is_null()) {
        if (required) sendError(res, 400, std::string(key) + ": required");
        return required ? std::nullopt : std::optional<std::string>("");
    }
    if (!it->is_string() || it->get_ref<const std::string&>().size() > max) {
        sendError(res, 400,
                  std::string(key) + ": expected a string of at most " + std::to_string(max) + " bytes");
        return std::nullopt;
    }
    return it->get<std::string>();
}

void answerChange(const StoreResult<CaseChange>& r, http::Response& res, const std::string& id) {
    if (!r) return storeUnavailable(res);
    switch (*r) {
        case CaseChange::Done:
            return sendJson(res, {{"id", id}, {"ok", true}});
        case CaseChange::NotFound:
            return sendError(res, 404, "not found");
        case CaseChange::Refused:
            return sendError(res, 409,
                             "status: not a step this case can take (open -> in_progress -> resolved)");
    }
}

}  // namespace

void answerCaseNote(HubContext& ctx, const TokenRecord& author, const http::Request& req,
                    http::Response& res) {
    const std::string id = req.capture("id");
    auto body = changeBody(id, req, res, author);
    if (!body) return;
    auto text = textMember(*body, "text", kMaxNoteBytes, true, res);
    if (!text) return;
    if (text->empty()) return sendError(res, 400, "text: empty");
    answerChange(ctx.store->cases().addNote(id, author.name, *text, ctx.clock->utcMs()), res, id);
}

void answerCaseStatus(HubContext& ctx, const TokenRecord& author, const http::Request& req,
                      http::Response& res) {
    const std::string id = req.capture("id");
    auto body = changeBody(id, req, res, author);
    if (!body) return;
    StatusChange change;
    auto status = textMember(*body, "status", 32, true, res);
    if (!status) return;
    if (*status != kCaseOpen && *status != kCaseInProgress && *status != kCaseResolved) {
        return sendError(res, 400, "status: expected open, in_progress or resolved");
    }
    auto outcome = textMember(*body, "outcome", kMaxOutcomeBytes, false, res);
    if (!outcome) return;
    auto assignee = textMember(*body, "assignee", kMaxAssigneeBytes, false, res);
    if (!assignee) return;
    if (*status == kCaseResolved && outcome->empty())
        return sendError(res, 400, "outcome: required to resolve a case");
    change.status = *status;
    change.outcome = *outcome;
    change.assignee = *assignee;
    answerChange(ctx.store->cases().changeStatus(id, author.name, change, ctx.clock->utcMs()), res, id);
}

namespace {

void alertsRoute(HubContext& ctx, const http::Request& req, http::Response& res) {
    if (!ctx.authorize(req, res, kScopeHeadOffice)) return;
    const auto store = req.param("store");
    if (store.size() > kMaxIdLength) return sendError(res, 400, "store: longer than 256 bytes");
    const auto now = ctx.clock->utcMs();
    std::int64_t days = 7;
    if (req.hasParam("days")) {
        const auto text = req.param("days");
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), days);
        if (ec != std::errc() || end != text.data() + text.size() || days < 1 || days > 366) {
            return sendError(res, 400, "days: a whole number from 1 to 366");
        }
    }
    auto limit = limitParam(req, res, 200, 1000);
    if (!limit) return;
    auto alerts = ctx.store->cases().listAlerts(store, now - days * 86'400'000, *limit);
    if (!alerts) return storeUnavailable(res);
    json out = json::array();
    for (const auto& a : *alerts) {
        json j{{"id", a.id},
               {"rule", a.rule},
               {"kind", a.kind},
               {"store", a.storeId},
               {"windowStart", formatIsoUtcMs(a.windowStartMs)},
               {"windowEnd", formatIsoUtcMs(a.windowEndMs)},
               {"firedAt", formatIsoUtcMs(a.firedAtMs)},
               {"responses", a.responses},
               {"unhappy", a.unhappy},
               {"matching", a.matching},
               {"topReasons", json::parse(a.topReasonsJson, nullptr, false)}};
        if (!a.detail.empty()) j["reason"] = a.detail;
        out.push_back(std::move(j));
    }
    sendJson(res, {{"alerts", std::move(out)}});
}

}  // namespace

std::string renderCaseMetrics(HubContext& ctx) {
    std::string out;
    if (auto states = ctx.store->cases().notificationStates()) {
        out +=
            "# HELP touchpoint_notifications Notifications in the queue by state (all hub processes).\n"
            "# TYPE touchpoint_notifications gauge\n";
        for (const auto& [state, n] : *states) {
            out += "touchpoint_notifications{state=\"" + state + "\"} " + std::to_string(n) + "\n";
        }
    }
    out += ctx.notificationCounters.render();
    return out;
}

void registerCaseRoutes(http::Router& router, HubContext& ctx) {
    router.get("/v1/cases", routeOptions("/v1/cases", kScopeHeadOffice),
               guarded(ctx, "/v1/cases", [&ctx](const auto& req, auto& res) {
                   if (ctx.authorize(req, res, kScopeHeadOffice)) answerCaseList(ctx, req, res);
               }));
    router.get("/v1/cases/{id}", routeOptions("/v1/cases/{id}", kScopeHeadOffice),
               guarded(ctx, "/v1/cases/{id}", [&ctx](const auto& req, auto& res) {
                   if (auto t = ctx.authorize(req, res, kScopeHeadOffice)) answerCase(ctx, *t, req, res);
               }));
    router.post("/v1/cases/{id}/notes", routeOptions("/v1/cases/{id}/notes", kScopeHeadOffice, 16 * 1024),
                guarded(ctx, "/v1/cases/{id}/notes", [&ctx](const auto& req, auto& res) {
                    if (auto t = ctx.authorize(req, res, kScopeHeadOffice)) answerCaseNote(ctx, *t, req, res);
                }));
    router.post("/v1/cases/{id}/status", routeOptions("/v1/cases/{id}/status", kScopeHeadOffice, 4 * 1024),
                guarded(ctx, "/v1/cases/{id}/status", [&ctx](const auto& req, auto& res) {
                    if (auto t = ctx.authorize(req, res, kScopeHeadOffice))
                        answerCaseStatus(ctx, *t, req, res);
                }));
    router.get(
        "/v1/alerts", routeOptions("/v1/alerts", kScopeHeadOffice),
        guarded(ctx, "/v1/alerts", [&ctx](const auto& req, auto& res) { alertsRoute(ctx, req, res); }));
    router.post(
        "/v1/notifications/replay", routeOptions("/v1/notifications/replay", kScopeHeadOffice, 1024),
        guarded(ctx, "/v1/notifications/replay", [&ctx](const http::Request& req, http::Response& res) {
            auto token = ctx.authorize(req, res, kScopeHeadOffice);
            if (!token) return;
            if (token->role != kRoleAdmin) return sendError(res, 403, "replay needs an admin token");
            auto n = ctx.store->cases().replayDeadNotifications(ctx.clock->utcMs());
            if (!n) return storeUnavailable(res);
            sendJson(res, {{"replayed", *n}});
        }));
}

}  // namespace touchpoint::hub
