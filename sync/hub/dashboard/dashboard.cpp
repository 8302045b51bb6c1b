#include "hub/dashboard/dashboard.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <exception>

#include "common/log.hpp"
#include "hub/dashboard/assets.hpp"
#include "hub/journey/stats.hpp"
#include "hub/journey/stats_json.hpp"

namespace touchpoint::hub::dashboard {

using nlohmann::json;

namespace {

constexpr std::string_view kComponent = "dashboard";

// The page loads only its own embedded files; inline script and style are not needed and stay forbidden.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

void securityHeaders(http::Response& res) {
    res.setHeader("Content-Security-Policy", kContentSecurityPolicy);
    res.setHeader("X-Content-Type-Options", "nosniff");
    // same-origin, not no-referrer: with no-referrer the browser sends "Origin: null" on our own form posts,
    // which sameOrigin() below must refuse (a foreign page can force "null" too).
    res.setHeader("Referrer-Policy", "same-origin");
    res.setHeader("X-Frame-Options", "DENY");
}

void jsonError(http::Response& res, int status, const std::string& message) {
    res.error(status, message);
    res.setHeader("Cache-Control", "no-store");
}

void redirect(http::Response& res, const std::string& to) {
    res.setHeader("Cache-Control", "no-store");
    res.redirect(to, 303);
}

std::optional<std::chrono::sys_days> parseDay(const std::string& text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
        if (!std::isdigit(static_cast<unsigned char>(text[i]))) return std::nullopt;
    const int y = std::stoi(text.substr(0, 4));
    const auto m = static_cast<unsigned>(std::stoi(text.substr(5, 2)));
    const auto d = static_cast<unsigned>(std::stoi(text.substr(8, 2)));
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    if (!ymd.ok()) return std::nullopt;
    return std::chrono::sys_days{ymd};
}

std::string formatDay(std::chrono::sys_days day) {
    const std::chrono::year_month_day ymd{day};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return buf;
}

bool plainId(const std::string& text) {
    return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
}

void serveAsset(http::Response& res, std::string_view name) {
    auto asset = findAsset(name);
    if (!asset) {
        jsonError(res, 404, "not found");
        return;
    }
    securityHeaders(res);
    // The files change only with the hub binary; revalidating costs little and never shows a stale page.
    res.setHeader("Cache-Control", "no-cache");
    res.setContent(std::string(asset->bytes()), asset->contentType);
}

/// Runs a handler and turns an unexpected exception into a logged 500, so no request can take a worker down.
template <class F>
void guarded(http::Response& res, std::string_view route, F&& handler) {
    try {
        handler();
    } catch (const std::exception& e) {
        log::error(kComponent, "request failed", {{"route", std::string(route)}, {"what", e.what()}});
        jsonError(res, 500, "internal error");
    }
}

}  // namespace

/// A form POST from another site is refused: SameSite=Strict already keeps our cookie off it, and this also
/// stops a foreign page from signing a browser in with someone else's token. Browsers send Origin on POST
/// ("null" when the sending page hid it, which is refused too); a request without one (a script) is let through.
bool sameOrigin(const http::Request& req) {
    const std::string origin = req.header("Origin");
    if (origin.empty()) return true;
    return origin == "https://" + req.header("Host");
}

std::optional<EmbeddedAsset> findAsset(std::string_view name) {
    for (const auto& asset : embeddedAssets())
        if (name == asset.name) return asset;
    return std::nullopt;
}

Result<StatsQuery, DashboardError> parseQuery(const std::string& from, const std::string& to, const std::string& store,
                                              int maxRangeDays) {
    auto f = parseDay(from);
    if (!f) return Fail(DashboardError{400, "from: expected a date YYYY-MM-DD"});
    auto t = parseDay(to);
    if (!t) return Fail(DashboardError{400, "to: expected a date YYYY-MM-DD"});
    if (*f > *t) return Fail(DashboardError{400, "from: must not be after to"});
    if ((*t - *f).count() + 1 > maxRangeDays)
        return Fail(DashboardError{400, "range: at most " + std::to_string(maxRangeDays) + " days"});
    if (!store.empty() && !plainId(store)) return Fail(DashboardError{400, "store: not a store id"});
    StatsQuery q{from, to, std::nullopt, {}};
    if (!store.empty()) q.store = store;
    return q;
}

Result<StatsQuery, DashboardError> parseStatsQuery(const http::Request& req, int maxRangeDays) {
    auto query = parseQuery(req.param("from"), req.param("to"), req.param("store"), maxRangeDays);
    if (!query) return query;
    auto survey = parseSurveyFilter(req.param("survey"), req.param("surveyVersion"));
    if (!survey) return Fail(DashboardError{400, survey.error()});
    query->survey = *survey;
    return query;
}

std::vector<std::string> daysBetween(const std::string& from, const std::string& to) {
    std::vector<std::string> out;
    auto f = parseDay(from);
    auto t = parseDay(to);
    if (!f || !t) return out;
    for (auto d = *f; d <= *t; d += std::chrono::days{1}) out.push_back(formatDay(d));
    return out;
}

Dashboard::Dashboard(DashboardServices services, DashboardOptions options, const Clock& clock)
    : m_services(std::move(services)), m_options(options), m_clock(clock),
      m_sessions(clock, options.sessions, m_services.sessionBackend) {
    if (!m_services.isHeadOfficeToken || !m_services.stats || !m_services.fleet)
        throw std::invalid_argument("Dashboard: every service function must be set");
}

void Dashboard::registerRoutes(http::Router& router, std::shared_ptr<void> keepAlive) {
    using Req = const http::Request&;
    using Res = http::Response&;
    // Each handler owns a copy of keepAlive, so the Dashboard lives exactly as long as the routes can run.
    auto route = [this, keepAlive](std::string name, void (Dashboard::*handler)(Req, Res)) {
        return [this, keepAlive, name = std::move(name), handler](Req req, Res res) {
            guarded(res, name, [&] { (this->*handler)(req, res); });
        };
    };
    // Every page is opened by a browser: HSTS keeps it on HTTPS. Sessions and tokens are checked by the
    // handlers (a cookie or a bearer token), so no route declares a scope for the server to check.
    auto options = [](std::string name, std::size_t maxBody = 0) {
        http::RouteOptions o;
        o.name = std::move(name);
        o.hsts = true;
        o.maxBodyBytes = maxBody;
        return o;
    };
    constexpr std::size_t kFormBytes = 4096;  // a sign-in form holds one token
    router.get("/", options("/"), route("/", &Dashboard::handleIndex));
    router.get("/dashboard", options("/dashboard"), [keepAlive](Req, Res res) { redirect(res, "/"); });
    // Browsers ask for /favicon.ico whatever the page says; answer with the embedded icon instead of a 404.
    router.get("/favicon.ico", options("/favicon.ico"), [keepAlive](Req, Res res) { serveAsset(res, "favicon.svg"); });
    router.get("/dashboard/signin", options("signin page"), route("signin page", &Dashboard::handleSigninPage));
    router.post("/dashboard/signin", options("signin", kFormBytes), route("signin", &Dashboard::handleSignin));
    router.post("/dashboard/signout", options("signout", kFormBytes), route("signout", &Dashboard::handleSignout));
    router.get("/dashboard/assets/{name}", options("asset"), route("asset", &Dashboard::handleAsset));
    router.get("/dashboard/api/data", options("data"), route("data", &Dashboard::handleData));
    router.get("/dashboard/csv/{table}", options("csv"), route("csv", &Dashboard::handleCsv));
}

std::string Dashboard::sessionIdFrom(const http::Request& req) const {
    const std::string header = req.header("Cookie");
    std::string_view rest = header;
    while (!rest.empty()) {
        const auto semi = rest.find(';');
        std::string_view part = rest.substr(0, semi);
        rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        const auto eq = part.find('=');
        if (eq != std::string_view::npos && part.substr(0, eq) == kCookieName) return std::string(part.substr(eq + 1));
    }
    return {};
}

bool Dashboard::authorised(const http::Request& req) {
    const std::string auth = req.header("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (auth.size() > kBearer.size() && std::string_view(auth).substr(0, kBearer.size()) == kBearer)
        return m_services.isHeadOfficeToken(std::string_view(auth).substr(kBearer.size()));
    const std::string id = sessionIdFrom(req);
    return !id.empty() && m_sessions.touch(id);
}

std::optional<std::string> Dashboard::sessionTokenHash(const http::Request& req) {
    const std::string id = sessionIdFrom(req);
    if (id.empty() || !m_sessions.touch(id)) return std::nullopt;
    return m_sessions.tokenHash(id);
}

bool Dashboard::allowSigninAttempt(const std::string& address) {
    const std::int64_t now = m_clock.utcMs();
    std::lock_guard lock(m_failuresMutex);
    auto it = m_signinFailures.find(address);
    if (it == m_signinFailures.end()) return true;
    std::erase_if(it->second, [&](std::int64_t t) { return now - t >= 60'000; });
    if (it->second.empty()) {
        m_signinFailures.erase(it);
        return true;
    }
    return static_cast<int>(it->second.size()) < m_options.signinFailuresPerMinute;
}

void Dashboard::recordSigninFailure(const std::string& address) {
    std::lock_guard lock(m_failuresMutex);
    // Bound the table: a scan of many addresses must not grow it forever.
    if (m_signinFailures.size() > 10'000) m_signinFailures.clear();
    m_signinFailures[address].push_back(m_clock.utcMs());
}

void Dashboard::handleIndex(const http::Request& req, http::Response& res) {
    if (!authorised(req)) {
        redirect(res, "/dashboard/signin");
        return;
    }
    serveAsset(res, "index.html");
    res.setHeader("Cache-Control", "no-store");
}

void Dashboard::handleSigninPage(const http::Request&, http::Response& res) { serveAsset(res, "signin.html"); }

void Dashboard::handleSignin(const http::Request& req, http::Response& res) {
    if (!sameOrigin(req)) {
        jsonError(res, 403, "cross-site sign-in refused");
        return;
    }
    if (!allowSigninAttempt(req.remoteAddress)) {
        log::warn(kComponent, "sign-in throttled");
        res.setHeader("Retry-After", "60");
        jsonError(res, 429, "too many failed sign-ins; wait a minute");
        return;
    }
    std::string token = req.param("token");
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.front()))) token.erase(0, 1);
    if (token.empty() || token.size() > 512 || !m_services.isHeadOfficeToken(token)) {
        recordSigninFailure(req.remoteAddress);
        log::info(kComponent, "sign-in refused");
        redirect(res, "/dashboard/signin?error=token");
        return;
    }
    const std::string id = m_sessions.create(token);
    const auto maxAge = m_options.sessions.absoluteLifetime.count();
    // __Host- prefix: the browser accepts it only with Secure, Path=/ and no Domain, so no sibling host can set it.
    res.setHeader("Set-Cookie", std::string(kCookieName) + "=" + id + "; Path=/; Max-Age=" + std::to_string(maxAge) +
                                     "; HttpOnly; Secure; SameSite=Strict");
    log::info(kComponent, "signed in");
    redirect(res, "/");
}

void Dashboard::handleSignout(const http::Request& req, http::Response& res) {
    if (!sameOrigin(req)) {
        jsonError(res, 403, "cross-site sign-out refused");
        return;
    }
    const std::string id = sessionIdFrom(req);
    if (!id.empty()) m_sessions.remove(id);
    res.setHeader("Set-Cookie", std::string(kCookieName) + "=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict");
    redirect(res, "/dashboard/signin");
}

void Dashboard::handleAsset(const http::Request& req, http::Response& res) {
    const std::string name = req.capture("name");
    if (name == "index.html") {  // the page itself is only served at / behind the session
        jsonError(res, 404, "not found");
        return;
    }
    serveAsset(res, name);
}

Result<json, DashboardError> Dashboard::data(const StatsQuery& query) {
    auto stats = m_services.stats(query);
    if (!stats) return Fail(DashboardError{503, "stats unavailable: " + stats.error()});
    auto fleet = m_services.fleet();
    if (!fleet) return Fail(DashboardError{503, "fleet unavailable: " + fleet.error()});

    // The per-day series for the scope on screen. For one store the report's byDay rows are exactly that; for
    // all stores each day is asked for on its own, so its interval is computed from that day's raw answers
    // (intervals cannot be added up from per-store rows).
    const auto days = daysBetween(query.from, query.to);
    std::map<std::string, GroupFigures> perDay;
    if (query.store) {
        for (const auto& row : stats->byDay)
            if (row.store == *query.store) perDay[row.day] = row.figures;
    } else if (m_services.dailyOverall) {
        auto all = m_services.dailyOverall(query);
        if (!all) return Fail(DashboardError{503, "stats unavailable: " + all.error()});
        perDay = std::move(*all);
    } else {
        for (const auto& day : days) {
            auto one = m_services.stats(StatsQuery{day, day, std::nullopt, query.survey});
            if (!one) return Fail(DashboardError{503, "stats unavailable: " + one.error()});
            perDay[day] = one->overall;
        }
    }
    const auto daily = dailySeries(days, perDay);
    const auto kiosks = readFleet(*fleet, m_clock.utcMs(), m_options.fleet);

    std::vector<std::string> stores;
    for (const auto& k : kiosks)
        if (!k.storeId.empty()) stores.push_back(k.storeId);
    for (const auto& s : stats->byStore) stores.push_back(s.store);
    std::sort(stores.begin(), stores.end());
    stores.erase(std::unique(stores.begin(), stores.end()), stores.end());

    auto built = buildTables(*stats, daily, kiosks);
    json sourcesSummary = json::object();
    if (m_services.sources) {
        auto records = m_services.sources();
        if (!records) return Fail(DashboardError{503, "sources unavailable: " + records.error()});
        const auto health = readSources(*records, m_clock.utcMs());
        addSourceTables(built, *records, health);
        for (const auto& h : health) sourcesSummary[h.status] = sourcesSummary.value(h.status, 0) + 1;
    }
    json tables = json::object();
    for (const auto& [name, table] : built) tables[name] = toJson(table);
    json dailyJson = json::array();
    for (const auto& d : daily) {
        json row = toJson(d.figures);
        row["day"] = d.day;
        dailyJson.push_back(std::move(row));
    }
    return json{{"stats", toJson(*stats)}, {"daily", std::move(dailyJson)}, {"stores", stores},
                {"fleetSummary", fleetSummary(kiosks)}, {"sourcesSummary", std::move(sourcesSummary)},
                {"tables", std::move(tables)},
                {"generatedAt", formatIsoUtcMs(m_clock.utcMs())}};
}

void Dashboard::handleData(const http::Request& req, http::Response& res) {
    if (!authorised(req)) {
        jsonError(res, 401, "sign in first");
        return;
    }
    auto query = parseStatsQuery(req, m_options.maxRangeDays);
    if (!query) {
        jsonError(res, query.error().status, query.error().message);
        return;
    }
    auto doc = data(*query);
    if (!doc) {
        log::warn(kComponent, "data unavailable", {{"reason", doc.error().message}});
        jsonError(res, doc.error().status, doc.error().message);
        return;
    }
    res.setHeader("Cache-Control", "no-store");
    res.setContent(doc->dump(), "application/json");
}

void Dashboard::handleCsv(const http::Request& req, http::Response& res) {
    if (!authorised(req)) {
        jsonError(res, 401, "sign in first");
        return;
    }
    const std::string name = req.capture("table");
    auto query = parseStatsQuery(req, m_options.maxRangeDays);
    if (!query) {
        jsonError(res, query.error().status, query.error().message);
        return;
    }
    auto doc = data(*query);
    if (!doc) {
        jsonError(res, doc.error().status, doc.error().message);
        return;
    }
    const json& tables = (*doc)["tables"];
    if (!tables.contains(name)) {
        jsonError(res, 404, "no table named " + name);
        return;
    }
    const json& t = tables[name];
    Table table{t["title"].get<std::string>(), t["columns"].get<std::vector<std::string>>(),
                t["rows"].get<std::vector<std::vector<std::string>>>(), {}};
    std::string file = name + "_" + query->from + "_" + query->to + (query->store ? "_" + *query->store : "");
    if (query->survey.surveyId) file += "_" + *query->survey.surveyId;
    if (query->survey.version) file += "-v" + std::to_string(*query->survey.version);
    file += ".csv";
    res.setHeader("Cache-Control", "no-store");
    res.setHeader("Content-Disposition", "attachment; filename=\"" + file + "\"");
    res.setContent(toCsv(table), "text/csv; charset=utf-8");
}

}  // namespace touchpoint::hub::dashboard
