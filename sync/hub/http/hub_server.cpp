#include "hub/http/hub_server.hpp"

#include <chrono>

#include "common/log.hpp"
#include "hub/ingest/identity.hpp"
#include "hub/journey/stats.hpp"

namespace touchpoint::hub {

namespace {

bool base64Decode(std::string_view in, std::string& out) { return event::fromBase64(in, out); }

/// The token from `Authorization: Bearer t` or `Basic base64(t:)`; "" when absent or unreadable.
std::string credentials(const httplib::Request& req) {
    const auto header = req.get_header_value("Authorization");
    if (header.rfind("Bearer ", 0) == 0) return header.substr(7);
    if (header.rfind("Basic ", 0) == 0) {
        std::string decoded;
        if (!base64Decode(header.substr(6), decoded)) return {};
        return decoded.substr(0, decoded.find(':'));
    }
    return {};
}

}  // namespace

void sendJson(httplib::Response& res, const nlohmann::json& body, int status) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
}

void sendError(httplib::Response& res, int status, const std::string& message) {
    sendJson(res, {{"error", message}}, status);
}

std::optional<TokenRecord> HubContext::authorize(const httplib::Request& req, httplib::Response& res,
                                                 std::string_view scope) {
    const auto token = credentials(req);
    if (token.empty() || token.size() > 256) {
        res.set_header("WWW-Authenticate", "Bearer");
        sendError(res, 401, "missing or unreadable token");
        return std::nullopt;
    }
    auto found = store->findToken(tokenHash(token));
    if (!found) {
        res.set_header("Retry-After", "5");
        sendError(res, 503, "token store unavailable");
        return std::nullopt;
    }
    if (!*found) {
        sendError(res, 401, "unknown token");
        return std::nullopt;
    }
    if ((*found)->revokedMs) {
        sendError(res, 401, "token revoked");
        return std::nullopt;
    }
    if ((*found)->scope != scope) {
        sendError(res, 403, "token lacks the " + std::string(scope) + " scope");
        return std::nullopt;
    }
    return **found;
}

bool HubContext::tokenHasScope(std::string_view token, std::string_view scope) {
    if (token.empty() || token.size() > 256) return false;
    auto found = store->findToken(tokenHash(token));
    return found && *found && !(*found)->revokedMs && (*found)->scope == scope;
}

Result<nlohmann::json, std::string> HubContext::statsJson(const std::string& fromDay, const std::string& toDay,
                                                          const std::optional<std::string>& storeId) {
    auto data = store->statsData(fromDay, toDay, storeId.value_or(""));
    if (!data) return Fail(data.error().message);
    return computeStats(*data, fromDay, toDay, storeId);
}

Result<nlohmann::json, std::string> HubContext::fleetJson() {
    auto fleet = store->fleet();
    if (!fleet) return Fail(fleet.error().message);
    return nlohmann::json{{"kiosks", std::move(fleet).value()}, {"serverTime", formatIsoUtcMs(clock->utcMs())}};
}

httplib::Server::Handler guarded(HubContext& ctx, std::string route,
                                 std::function<void(const httplib::Request&, httplib::Response&)> handler) {
    return [&ctx, route = std::move(route), handler = std::move(handler)](const httplib::Request& req,
                                                                         httplib::Response& res) {
        const auto start = std::chrono::steady_clock::now();
        try {
            handler(req, res);
        } catch (const std::exception& e) {
            log::error("hub", "handler failed", {{"route", route}, {"what", e.what()}});
            sendError(res, 400, "malformed request");
        } catch (...) {
            log::error("hub", "handler failed", {{"route", route}});
            sendError(res, 400, "malformed request");
        }
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        ctx.metrics.countRequest(route, res.status, took.count());
    };
}

Result<std::unique_ptr<HubServer>, std::string> HubServer::create(HubConfig config, const Clock& clock) {
    auto store = openHubStore(config.storeUrl, config, clock);
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
    ctx.config = std::move(config);
    ctx.store = std::move(store);
    s->m_http = std::make_unique<httplib::SSLServer>(ctx.config.tlsCertFile.c_str(), ctx.config.tlsKeyFile.c_str());
    if (!s->m_http->is_valid()) return Fail("TLS: cannot load " + ctx.config.tlsCertFile + " / " + ctx.config.tlsKeyFile);

    auto& http = *s->m_http;
    // The Debian build's compile-time defaults (keep-alive 5 requests, Nagle on) cost ~44 ms a request.
    http.set_tcp_nodelay(true);
    http.set_keep_alive_max_count(10'000);
    http.set_keep_alive_timeout(30);
    http.set_read_timeout(30, 0);
    http.set_write_timeout(30, 0);
    // Bodies may be gzip: the limit is checked on what arrives; the parser re-checks the inflated size.
    http.set_payload_max_length(event::kMaxBatchBytes);
    const auto workers = static_cast<std::size_t>(ctx.config.workerThreads);
    http.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
    http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) return;
        const char* what = res.status == 413   ? "body larger than 500 KB"
                           : res.status == 404 ? "not found"
                           : res.status == 400 ? "malformed request (bad gzip or framing)"
                                               : "request failed";
        sendError(res, res.status, what);
    });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
        sendError(res, 400, "malformed request");
    });
    http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
        sendJson(res, {{"status", "ok"}});
    });
    registerIngestRoutes(http, ctx);
    registerProfileRoutes(http, ctx);
    registerHeadOfficeRoutes(http, ctx);
    return s;
}

HubServer::~HubServer() { stop(); }

void HubServer::addRoutes(const RouteRegistrar& registrar) { registrar(*m_http, *m_ctx); }

Result<void, std::string> HubServer::bind() {
    const auto& c = m_ctx->config;
    if (c.port == 0) {
        m_port = m_http->bind_to_any_port(c.listenAddress);
    } else {
        m_port = m_http->bind_to_port(c.listenAddress, c.port) ? c.port : -1;
    }
    if (m_port <= 0) return Fail("cannot listen on " + c.listenAddress + ":" + std::to_string(c.port));
    return {};
}

Result<int, std::string> HubServer::start() {
    if (auto b = bind(); !b) return Fail(b.error());
    m_thread = std::thread([this] { m_http->listen_after_bind(); });
    // cpp-httplib 0.11 has no wait_until_ready(): the socket is bound already, so only the accept loop
    // has to come up.
    for (int i = 0; i < 5000 && !m_http->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    log::info("hub", "listening", {{"address", m_ctx->config.listenAddress}, {"port", std::to_string(m_port)}});
    return m_port;
}

Result<void, std::string> HubServer::run() {
    if (auto b = bind(); !b) return Fail(b.error());
    log::info("hub", "listening", {{"address", m_ctx->config.listenAddress}, {"port", std::to_string(m_port)}});
    if (!m_http->listen_after_bind()) return Fail("server stopped with an error");
    return {};
}

void HubServer::stop() {
    if (m_http) m_http->stop();
    if (m_thread.joinable()) m_thread.join();
}

}  // namespace touchpoint::hub
