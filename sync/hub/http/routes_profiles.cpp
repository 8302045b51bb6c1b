// GET /v1/profiles/welcome (ingest, rate-limited, audited), /v1/profiles/lookup (lookup, rate-limited, audited),
// /v1/profiles/{id}/timeline and DELETE /v1/profiles/{id} (head office, audited).

#include <algorithm>
#include <cctype>

#include "hub/http/export_format.hpp"
#include "hub/http/hub_server.hpp"
#include "hub/ingest/identity.hpp"
#include "hub/ingest/rejection_excerpt.hpp"
#include "hub/ingest/token_claims.hpp"
#include "hub/journey/loyalty.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

/// What the routes accept as a profile id: 1..64 hex digits and dashes (a UUID).
bool isProfileId(const std::string& id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        return std::isxdigit(static_cast<unsigned char>(c)) || c == '-';
    });
}

struct Identifier {
    std::string kind;   ///< phone | email | member
    std::string value;  ///< normalised
};

/// Reads exactly one of phone= / email= / member=; writes a 400 and returns nullopt otherwise.
std::optional<Identifier> identifierFrom(const HubContext& ctx, const http::Request& req, http::Response& res) {
    std::vector<Identifier> given;
    for (const char* kind : {"phone", "email", "member"}) {
        if (req.hasParam(kind)) given.push_back({kind, req.param(kind)});
    }
    if (given.size() != 1) {
        sendError(res, 400, "give exactly one of phone, email or member");
        return std::nullopt;
    }
    Identifier id = given.front();
    if (id.kind == "phone") {
        auto e164 = normalizePhone(id.value, ctx.config.loyalty.defaultPhoneRegion);
        if (!e164) {
            sendError(res, 400, "phone: not a possible phone number");
            return std::nullopt;
        }
        id.value = *e164;
    } else if (id.kind == "email") {
        auto e = normalizeEmail(id.value);
        if (!e) {
            sendError(res, 400, "email: not an e-mail address");
            return std::nullopt;
        }
        id.value = *e;
    } else if (id.value.empty() || id.value.size() > kMaxIdLength) {
        sendError(res, 400, "member: must be 1..256 characters");
        return std::nullopt;
    }
    return id;
}

json welcomeBody(const LoyaltyConfig& loyalty, const ProfileView& p) {
    const auto tier = tierFor(loyalty, p.points);
    json rewards = json::array();
    for (const auto& r : loyalty.rewards) {
        if (p.points >= r.points) rewards.push_back({{"id", r.id}, {"name", r.name}, {"points", r.points}});
    }
    json body = {{"found", true},
                 {"firstInitial", p.firstInitial},
                 {"memberId", p.memberId},
                 {"member", p.isMember},
                 {"tier", tier.tier},
                 {"points", p.points},
                 {"nextTier", tier.nextTier ? json(*tier.nextTier) : json(nullptr)},
                 {"pointsToNextTier", tier.pointsToNextTier},
                 {"progress", tier.progress},
                 {"rewards", rewards},
                 {"lastCheckinAt", p.lastCheckinMs ? json(formatIsoUtcMs(*p.lastCheckinMs)) : json(nullptr)},
                 {"cooldownSeconds", loyalty.cooldownSeconds},
                 {"pointsPerCheckin", loyalty.pointsPerCheckin}};
    const auto step = nextStep(loyalty, p.points, p.latestNps);
    body["nextStep"] = step ? *step : json(nullptr);
    return body;
}

void answer(HubContext& ctx, const http::Request& req, http::Response& res, bool staff) {
    auto token = ctx.authorize(req, res, staff ? kScopeLookup : kScopeIngest);
    if (!token) return;
    if (!staff && token->kind != kKindKiosk) {
        // Whether someone is a member is personal: only a kiosk, where the shopper stands, may ask.
        ctx.metrics.countReject(token->name, "welcome_not_kiosk");
        sendError(res, 403, "the welcome answers kiosk tokens only");
        return;
    }
    // Each token has a bucket of its own, kept in the store so that hub processes sharing a database share
    // it: a kiosk greets one shopper at a time, and staff look up one shopper at a time.
    const auto& limit = staff ? ctx.config.staffLookupPerToken : ctx.config.welcomePerToken;
    auto wait = ctx.store->takeRateToken((staff ? "lookup:" : "welcome:") + token->name, limit.perSecond,
                                         limit.burst, ctx.clock->utcMs());
    if (!wait) {
        storeUnavailable(res);
        return;
    }
    if (*wait > 0) {
        ctx.metrics.countReject(token->name, staff ? "lookup_rate_limited" : "welcome_rate_limited");
        res.setHeader("Retry-After", std::to_string(*wait));
        sendError(res, 429, staff ? "too many lookups with this staff token; retry later"
                                  : "too many welcome lookups from this kiosk; retry later");
        return;
    }
    auto id = identifierFrom(ctx, req, res);
    if (!id) return;
    auto found = ctx.store->findProfile(id->kind, id->value);
    if (!found) {
        storeUnavailable(res);
        return;
    }
    // Audited before answering (welcome and staff lookup alike): a lookup that cannot be recorded is not
    // answered. The audit row carries the token's kiosk: /v1/fleet counts welcomes per kiosk from it.
    auto a = ctx.store->audit(*token, staff ? "lookup" : "welcome", id->kind, *found ? (*found)->profileId : "",
                              found->has_value());
    if (!a) {
        storeUnavailable(res, "audit store unavailable");
        return;
    }
    if (!*found) {
        if (staff) sendError(res, 404, "not found");
        else sendJson(res, {{"found", false}});
        return;
    }
    const ProfileView& p = **found;
    json body = welcomeBody(ctx.config.loyalty, p);
    if (staff) {
        body["profileId"] = p.profileId;
        body["journeyStage"] = p.stage;
        body["latestNps"] = p.latestNps ? json{{"score", *p.latestNps}, {"at", formatIsoUtcMs(p.latestNpsAtMs.value_or(0))}}
                                        : json(nullptr);
        json visits = json::object();
        json channels = json::array();
        for (const auto& [channel, at] : p.lastSeenByChannel) {
            visits[channel] = formatIsoUtcMs(at);
            channels.push_back(channel);
        }
        body["lastVisits"] = visits;
        body["channels"] = channels;
        body["velocityFlag"] = p.velocityFlag;
    }
    sendJson(res, body);
}

void timelineRoute(HubContext& ctx, const TokenRecord& token, const http::Request& req, http::Response& res) {
    constexpr std::size_t kDefaultLimit = 100, kMaxLimit = 1000;
    const auto limit = limitParam(req, res, kDefaultLimit, kMaxLimit);
    if (!limit) return;
    const std::string id = req.capture("id");
    auto t = ctx.store->timeline(id, *limit);
    if (!t) {
        storeUnavailable(res);
        return;
    }
    // A timeline holds a person's whereabouts and group traits: audited before it is answered, like a staff
    // lookup, and not answered when that cannot be recorded. An unknown id is audited without it, as a lookup
    // that found nobody is.
    if (auto a = ctx.store->audit(token, "timeline", "profile", *t ? id : "", t->has_value()); !a) {
        storeUnavailable(res, "audit store unavailable");
        return;
    }
    if (!*t) {
        sendError(res, 404, "not found");
        return;
    }
    json channels = json::array();
    for (const auto& c : (*t)->channels) {
        channels.push_back({{"channel", c.channel}, {"firstSeen", formatIsoUtcMs(c.firstSeenMs)},
                            {"lastSeen", formatIsoUtcMs(c.lastSeenMs)}});
    }
    json touchpoints = json::array();
    for (const auto& p : (*t)->touchpoints) {
        touchpoints.push_back({{"at", formatIsoUtcMs(p.atMs)}, {"channel", p.channel}, {"type", p.type},
                               {"event", p.event}, {"store", p.store}, {"kiosk", p.kiosk}, {"messageId", p.messageId}});
    }
    // Group traits are what a `group` call sent and can name a person (a billing address, a contact): the
    // same role that sees them in an events export sees them here; the others get the export's masks.
    const bool showTraits = personalValuesFor(token.role) == ExportPersonal::Shown;
    json groups = json::array();
    for (const auto& g : (*t)->groups) {
        json traits = json::parse(g.traitsJson, nullptr, false);
        if (!showTraits) traits = maskedPersonalValues(traits);
        groups.push_back({{"groupId", g.groupId}, {"traits", std::move(traits)},
                          {"firstSeen", formatIsoUtcMs(g.firstSeenMs)}, {"lastSeen", formatIsoUtcMs(g.lastSeenMs)}});
    }
    sendJson(res, {{"profileId", id}, {"channels", std::move(channels)}, {"groups", std::move(groups)},
                   {"touchpoints", std::move(touchpoints)}});
}

}  // namespace

void registerProfileRoutes(http::Router& router, HubContext& ctx) {
    router.get("/v1/profiles/welcome", routeOptions("/v1/profiles/welcome", kScopeIngest),
               guarded(ctx, "/v1/profiles/welcome", [&ctx](const auto& req, auto& res) { answer(ctx, req, res, false); }));
    router.get("/v1/profiles/lookup", routeOptions("/v1/profiles/lookup", kScopeLookup),
               guarded(ctx, "/v1/profiles/lookup", [&ctx](const auto& req, auto& res) { answer(ctx, req, res, true); }));
    router.get("/v1/profiles/{id}/timeline", routeOptions("/v1/profiles/{id}/timeline", kScopeHeadOffice),
               guarded(ctx, "/v1/profiles/{id}/timeline", [&ctx](const http::Request& req, http::Response& res) {
                   auto token = ctx.authorize(req, res, kScopeHeadOffice);
                   if (!token) return;
                   if (!isProfileId(req.capture("id"))) return sendError(res, 404, "not found");
                   timelineRoute(ctx, *token, req, res);
               }));
    router.del("/v1/profiles/{id}", routeOptions("/v1/profiles/{id}", kScopeHeadOffice),
               guarded(ctx, "/v1/profiles/{id}", [&ctx](const http::Request& req, http::Response& res) {
                   auto token = ctx.authorize(req, res, kScopeHeadOffice);
                   if (!token) return;
                   if (token->role != kRoleAdmin) return sendError(res, 403, "erasure needs an admin token");
                   const std::string id = req.capture("id");
                   if (!isProfileId(id)) return sendError(res, 404, "not found");
                   // Audited by the store in the erasure's own transaction: a 503 erased nothing.
                   auto erased = ctx.store->eraseProfile(id, *token);
                   if (!erased) {
                       storeUnavailable(res);
                   } else if (!*erased) {
                       sendError(res, 404, "not found");
                   } else {
                       sendJson(res, {{"erased", true}, {"profileId", id}});
                   }
               }));
}

}  // namespace touchpoint::hub
