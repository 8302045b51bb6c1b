#include "hub/http/hub_server.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <set>
#include <csignal>
#include <thread>

#include "common/log.hpp"
#include "hub/ingest/identity.hpp"
#include "hub/ingest/token_claims.hpp"
#include "hub/journey/stats.hpp"
#include "hub/privacy/retention_job.hpp"

namespace touchpoint::hub {

namespace {

/// The token from `Authorization: Bearer t` or `Basic base64(t:)`; "" when absent or unreadable.
std::string credentials(const http::Request& req) {
    const auto header = req.header("Authorization");
    if (header.rfind("Bearer ", 0) == 0) return header.substr(7);
    if (header.rfind("Basic ", 0) == 0) {
        std::string decoded;
        if (!event::fromBase64(header.substr(6), decoded)) return {};
        return decoded.substr(0, decoded.find(':'));
    }
    return {};
}

/// `subject`: the refused token's name when it was found (the source its refusal is counted for).
http::AuthOutcome refusal(int status, std::string error, http::Headers headers = {}, std::string subject = {}) {
    http::AuthOutcome out;
    out.status = status;
    out.error = std::move(error);
    out.headers = std::move(headers);
    out.subject = std::move(subject);
    return out;
}

}  // namespace

void storeUnavailable(http::Response& res, const std::string& message) {
    res.setHeader("Retry-After", "5");
    sendError(res, 503, message);
}

void sendJson(http::Response& res, const nlohmann::json& body, int status) {
    res.status = status;
    res.setContent(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

void sendError(http::Response& res, int status, const std::string& message) {
    sendJson(res, {{"error", message}}, status);
}

std::optional<std::size_t> limitParam(const http::Request& req, http::Response& res, std::size_t fallback,
                                      std::size_t max) {
    if (!req.hasParam("limit")) return fallback;
    const auto text = req.param("limit");
    std::size_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < 1 || v > max) {
        sendError(res, 400, "limit: a whole number from 1 to " + std::to_string(max));
        return std::nullopt;
    }
    return v;
}

http::AuthOutcome HubContext::authenticate(const http::Request& req, std::string_view scope) {
    const auto token = credentials(req);
    if (token.empty() || token.size() > 256) {
        return refusal(401, "missing or unreadable token", {{"WWW-Authenticate", "Bearer"}});
    }
    auto found = store->findToken(tokenHash(token));
    if (!found) {
        // A hub that cannot check a token serves nothing: /healthz says so, as for a failed write, until a write
        // (its own probe, or a request's) succeeds again.
        writeHealth.recordFailure("store reads failing (token check): " + found.error().message, clock->utcMs());
        return refusal(503, "token store unavailable", {{"Retry-After", "5"}});
    }
    if (!*found) return refusal(401, "unknown token");
    if ((*found)->revokedMs) return refusal(401, "token revoked", {}, (*found)->name);
    if ((*found)->scope != scope) {
        return refusal(403, "token lacks the " + std::string(scope) + " scope", {}, (*found)->name);
    }
    if (((*found)->kind == kKindKiosk || (*found)->kind == kKindStaff) && (*found)->storeId.empty()) {
        // Made before token kinds (schema version 3): an ingest token could be a kiosk's or a public page's, a
        // lookup token could be anyone's. The kiosk keeps its queue (and staff mode says "not authorised") on a
        // 403 until an operator binds the token to the kiosk it belongs to.
        return refusal(403, "this token is not bound to a store and kiosk: touchpoint-hub token bind", {},
                       (*found)->name);
    }
    http::AuthOutcome out;
    out.principal = http::Principal{(*found)->name, (*found)->scope, **found};
    return out;
}

std::optional<TokenRecord> HubContext::authorize(const http::Request& req, http::Response& res, std::string_view scope) {
    if (req.principal && req.principal->scope == scope) {
        if (const auto* record = std::any_cast<TokenRecord>(&req.principal->detail)) return *record;
    }
    auto outcome = authenticate(req, scope);
    if (outcome.principal) return std::any_cast<TokenRecord>(outcome.principal->detail);
    for (auto& [k, v] : outcome.headers) res.setHeader(k, v);
    sendError(res, outcome.status, outcome.error);
    return std::nullopt;
}

bool HubContext::tokenHasScope(std::string_view token, std::string_view scope) {
    if (token.empty() || token.size() > 256) return false;
    auto found = store->findToken(tokenHash(token));
    return found && *found && !(*found)->revokedMs && (*found)->scope == scope;
}

Result<StatsReport, std::string> HubContext::stats(const std::string& fromDay, const std::string& toDay,
                                                   const std::optional<std::string>& storeId, const SurveyFilter& survey) {
    auto data = store->statsData(fromDay, toDay, storeId.value_or(""), survey);
    if (!data) return Fail(data.error().message);
    return computeStats(*data, fromDay, toDay, storeId, survey);
}

Result<std::vector<KioskRecord>, std::string> HubContext::fleet() {
    auto kiosks = store->fleet();
    if (!kiosks) return Fail(kiosks.error().message);
    return std::move(kiosks).value();
}

Result<std::vector<SourceRecord>, std::string> HubContext::sources(std::int64_t sinceMs) {
    if (auto f = sourceLedger.flush(*store, clock->utcMs(), true); !f) return Fail(f.error().message);
    auto records = store->sources(sinceMs);
    if (!records) return Fail(records.error().message);
    auto tokens = store->listTokens();
    if (!tokens) return Fail(tokens.error().message);
    std::vector<SourceRecord> out = std::move(records).value();
    std::set<std::string> heard;
    for (const auto& r : out) heard.insert(r.source);
    for (const auto& t : *tokens) {
        // A live ingest token that has sent nothing is listed too: a source that never arrives is news.
        if (t.scope == kScopeIngest && !t.revokedMs && !heard.count(t.name)) out.push_back({t.name, 0, "", {}, {}});
    }
    std::sort(out.begin(), out.end(), [](const SourceRecord& a, const SourceRecord& b) { return a.source < b.source; });
    return out;
}

http::Handler guarded(HubContext& ctx, std::string route, http::Handler handler) {
    return [&ctx, route = std::move(route), handler = std::move(handler)](const http::Request& req, http::Response& res) {
        const auto start = std::chrono::steady_clock::now();
        try {
            handler(req, res);
        } catch (const std::exception& e) {
            log::error("hub", "handler failed", {{"route", route}, {"what", e.what()}});
            res = http::Response{};
            sendError(res, 400, "malformed request");
        } catch (...) {
            log::error("hub", "handler failed", {{"route", route}});
            res = http::Response{};
            sendError(res, 400, "malformed request");
        }
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        ctx.metrics.countRequest(route, res.status, took.count());
        // A route's own refusal of a token the server let in (a role, a kind, a route's rate limit) is a
        // refusal of that source: logged and counted like the server's own.
        if (req.principal && (res.status == 403 || res.status == 429) && ctx.noteRefusal) {
            ctx.noteRefusal({.why = res.status == 429 ? http::Refusal::RateLimitedRoute : http::Refusal::Forbidden,
                             .status = res.status,
                             .source = req.principal->subject,
                             .address = req.remoteAddress,
                             .route = route});
        }
    };
}

http::RouteOptions routeOptions(std::string name, std::string_view scope, std::size_t maxBodyBytes) {
    http::RouteOptions o;
    o.name = std::move(name);
    o.scope = std::string(scope);
    o.maxBodyBytes = maxBodyBytes;
    return o;
}

Result<std::unique_ptr<HubServer>, std::string> HubServer::create(HubConfig config, const Clock& clock) {
    auto store = openHubStore(config.storeUrl, config, clock, StoreUse::Serving);
    if (!store) return Fail("store: " + store.error().message);
    return create(std::move(config), std::move(store).value(), clock);
}

Result<std::unique_ptr<HubServer>, std::string> HubServer::create(HubConfig config, std::unique_ptr<HubStore> store,
                                                                  const Clock& clock) {
    std::unique_ptr<HubServer> s(new HubServer());
    s->m_ctx = std::make_unique<HubContext>();
    auto& ctx = *s->m_ctx;
    ctx.clock = &clock;
    auto keys = readSealingKeys(config);
    if (!keys) return Fail(keys.error());
    for (const auto& key : *keys) {
        if (auto r = ctx.unsealer.addSecretKeyB64(key); !r) return Fail("sealing key: " + r.error());
    }
    if (auto t = http::checkServerTls(config.tlsCertFile, config.tlsKeyFile); !t) return Fail(t.error());
    ctx.config = std::move(config);
    ctx.store = std::move(store);
    auto transport = makeNotificationTransport(ctx.config.notifications);
    if (!transport) return Fail("notifications: " + transport.error());
    ctx.notificationSender = std::make_unique<NotificationSender>(
        ctx.store->cases(), std::move(transport).value(),
        senderOptionsFrom(ctx.config.cases, ctx.config.notifications), clock, ctx.notificationCounters);

    ctx.fleetConfig = std::make_unique<fleet::ConfigCache>(
        [&ctx]() -> Result<fleet::AssignmentSet, std::string> {
            auto set = ctx.store->fleetConfig().assignments();
            if (!set) return Fail(set.error().message);
            return std::move(set).value();
        },
        [&ctx](std::int64_t id) -> Result<std::optional<std::string>, std::string> {
            auto doc = ctx.store->fleetConfig().document(id);
            if (!doc) return Fail(doc.error().message);
            if (!*doc) return std::optional<std::string>();
            return std::optional<std::string>(std::move((*doc)->body));
        },
        clock);

    s->m_router.get("/healthz", {}, [&ctx](const http::Request&, http::Response& res) {
        // Up but unable to store: a load balancer should send kiosks elsewhere, and an operator should look.
        // At most once a second a degraded hub tries a write itself: the balancer sends it none while it says
        // degraded, so this is how it notices that the database is back (or a standby was promoted).
        if (ctx.writeHealth.claimProbe(ctx.clock->utcMs(), 1000)) {
            if (auto probe = ctx.store->probeWrite(); probe) {
                ctx.writeHealth.recordSuccess();
                log::info("hub", "store writes recovered");
            } else {
                ctx.writeHealth.endProbe();
            }
        }
        if (auto failure = ctx.writeHealth.lastFailure()) {
            res.setHeader("Retry-After", "5");
            sendJson(res, {{"status", "degraded"}, {"reason", failure->reason},
                           {"since", formatIsoUtcMs(failure->atMs)}}, 503);
            return;
        }
        sendJson(res, {{"status", "ok"}});
    });
    registerIngestRoutes(s->m_router, ctx);
    registerProfileRoutes(s->m_router, ctx);
    registerHeadOfficeRoutes(s->m_router, ctx);
    registerIdentityRoutes(s->m_router, ctx);
    registerCaseRoutes(s->m_router, ctx);
    registerFleetConfigRoutes(s->m_router, ctx);
    return s;
}

HubServer::~HubServer() { stop(); }

void HubServer::addRoutes(const RouteRegistrar& registrar) { registrar(m_router, *m_ctx); }

Result<int, std::string> HubServer::start() {
    const auto& c = m_ctx->config;
    http::ServerOptions options;
    options.listenAddress = c.listenAddress;
    options.port = c.port;
    options.certFile = c.tlsCertFile;
    options.keyFile = c.tlsKeyFile;
    options.workerThreads = static_cast<std::size_t>(c.workerThreads);
    options.workerNice = c.workerNice;
    options.limits = c.limits;
    auto* ctx = m_ctx.get();
    m_server = std::make_unique<http::BeastServer>(
        std::move(options), m_router, [ctx](const http::Request& req, std::string_view scope) { return ctx->authenticate(req, scope); });
    // Before the first request: handlers read these without a lock.
    m_ctx->httpCounters = &m_server->counters();
    m_ctx->httpRefusals = &m_server->refusals();
    m_ctx->noteRefusal = [server = m_server.get()](const http::RefusalNote& note) { server->refused(note); };
    auto port = m_server->start();
    if (!port) return Fail(port.error());
    m_port = *port;
    // Retention: a few minutes after start (not in a restart loop's way), then every interval.
    m_retention = std::make_unique<privacy::RetentionJob>(
        [store = m_ctx->store.get()](const RetentionConfig& policy, std::int64_t nowMs) {
            return store->applyRetention(policy, nowMs);
        },
        [metrics = &m_ctx->metrics](const std::string& kind, std::int64_t rows) {
            metrics->countRetention(kind, rows);
        },
        *m_ctx->clock, c.retention);
    m_retention->start(std::min<std::chrono::milliseconds>(std::chrono::minutes(5),
                                                           std::chrono::seconds(c.retention.intervalSeconds)));
    m_ctx->notificationSender->start();
    log::info("hub", "listening", {{"address", c.listenAddress}, {"port", std::to_string(m_port)}});
    return m_port;
}

namespace {
// The signal handler may only do async-signal-safe things: it writes one byte to a pipe, and a thread that
// reads the pipe does the stopping. (Threads the store started earlier may be the one the signal hits, so
// blocking signals around run() would not be enough.)
int g_signalPipe[2] = {-1, -1};
extern "C" void onStopSignal(int) {
    const char byte = 's';
    [[maybe_unused]] const auto n = ::write(g_signalPipe[1], &byte, 1);
}
}  // namespace

Result<void, std::string> HubServer::run() {
    if (g_signalPipe[0] < 0 && ::pipe2(g_signalPipe, O_CLOEXEC) != 0) return Fail(std::string("cannot make the signal pipe"));
    auto port = start();
    if (!port) return Fail(port.error());
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    std::thread waiter([this] {
        char byte = 0;
        while (::read(g_signalPipe[0], &byte, 1) < 0 && errno == EINTR) {}
        if (byte == 's') log::info("hub", "stopping on a signal");
        m_server->stop();
    });
    m_server->wait();
    // Stopped by someone else: wake the waiter.
    const char byte = 'x';
    [[maybe_unused]] const auto n = ::write(g_signalPipe[1], &byte, 1);
    waiter.join();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    return {};
}

void HubServer::stop() {
    m_retention.reset();
    if (m_server) m_server->stop();
    if (m_ctx && m_ctx->notificationSender) m_ctx->notificationSender->stop();
}

}  // namespace touchpoint::hub
