#pragma once
// Method + path pattern -> handler. A pattern is literal segments and captures: "/v1/profiles/{id}/timeline"
// or "/v1/export/{kind:events|feedback}" (a capture limited to those words). Matching splits the path on '/'
// and compares segment by segment: linear in the path, no regular expression ever sees outside text.
// Each route declares, before its body is read, the token scope it needs and how large its body may be, so the
// server can refuse a request on its headers alone.

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "hub/http/http_message.hpp"

namespace touchpoint::hub::http {

using Handler = std::function<void(const Request&, Response&)>;

struct RouteOptions {
    std::string name;               ///< the metrics label; the pattern when empty
    std::string scope;              ///< non-empty: authenticated on the headers, before the body is read
    std::size_t maxBodyBytes = 0;   ///< 0: ServerLimits::defaultBodyBytes
    std::size_t maxInflatedBytes = 0;  ///< cap while gunzipping a Content-Encoding: gzip body; 0: maxBodyBytes
    bool hsts = false;              ///< add Strict-Transport-Security (pages a browser opens)
    bool cors = false;              ///< answers say Access-Control-Allow-Origin: * (called by pages on any site)
};

struct Route {
    std::string method;
    std::string pattern;
    RouteOptions options;
    Handler handler;

    struct Segment {
        std::string literal;             ///< matched exactly when `capture` is empty
        std::string capture;             ///< the capture's name
        std::vector<std::string> oneOf;  ///< when not empty, the capture must be one of these
    };
    std::vector<Segment> segments;
};

struct RouteMatch {
    const Route* route = nullptr;
    std::map<std::string, std::string, std::less<>> captures;
};

class Router {
public:
    /// Longest capture segment accepted; longer never matches (404).
    static constexpr std::size_t kMaxCaptureBytes = 256;

    /// Adds a route; throws std::invalid_argument on a malformed pattern (a programming error).
    void add(std::string method, std::string pattern, RouteOptions options, Handler handler);
    void get(std::string pattern, RouteOptions options, Handler handler) {
        add("GET", std::move(pattern), std::move(options), std::move(handler));
    }
    void post(std::string pattern, RouteOptions options, Handler handler) {
        add("POST", std::move(pattern), std::move(options), std::move(handler));
    }
    void del(std::string pattern, RouteOptions options, Handler handler) {
        add("DELETE", std::move(pattern), std::move(options), std::move(handler));
    }

    /// The first route added that matches; route == nullptr when none does.
    RouteMatch match(std::string_view method, std::string_view path) const;
    const std::vector<Route>& routes() const { return m_routes; }

private:
    std::vector<Route> m_routes;
};

}  // namespace touchpoint::hub::http
