#include "hub/http/router.hpp"

#include <stdexcept>

namespace touchpoint::hub::http {

namespace {

std::vector<std::string_view> split(std::string_view path) {
    std::vector<std::string_view> parts;
    if (path.empty() || path.front() != '/') return parts;
    path.remove_prefix(1);
    for (;;) {
        const auto slash = path.find('/');
        parts.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos) break;
        path.remove_prefix(slash + 1);
    }
    return parts;
}

}  // namespace

void Router::add(std::string method, std::string pattern, RouteOptions options, Handler handler) {
    if (pattern.empty() || pattern.front() != '/') throw std::invalid_argument("route pattern must start with /: " + pattern);
    Route route{std::move(method), pattern, std::move(options), std::move(handler), {}};
    if (route.options.name.empty()) route.options.name = pattern;
    for (auto part : split(pattern)) {
        Route::Segment seg;
        if (!part.empty() && part.front() == '{') {
            if (part.back() != '}') throw std::invalid_argument("unclosed capture in " + pattern);
            part = part.substr(1, part.size() - 2);
            const auto colon = part.find(':');
            seg.capture = std::string(part.substr(0, colon));
            if (seg.capture.empty()) throw std::invalid_argument("unnamed capture in " + pattern);
            if (colon != std::string_view::npos) {
                auto words = part.substr(colon + 1);
                for (;;) {
                    const auto bar = words.find('|');
                    seg.oneOf.emplace_back(words.substr(0, bar));
                    if (bar == std::string_view::npos) break;
                    words.remove_prefix(bar + 1);
                }
            }
        } else {
            seg.literal = std::string(part);
        }
        route.segments.push_back(std::move(seg));
    }
    m_routes.push_back(std::move(route));
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
    RouteMatch out;
    const auto parts = split(path);
    if (parts.empty()) return out;
    for (const auto& route : m_routes) {
        if (route.method != method || route.segments.size() != parts.size()) continue;
        bool ok = true;
        out.captures.clear();
        for (std::size_t i = 0; ok && i < parts.size(); ++i) {
            const auto& seg = route.segments[i];
            if (seg.capture.empty()) {
                ok = seg.literal == parts[i];
            } else if (parts[i].empty() || parts[i].size() > kMaxCaptureBytes) {
                ok = false;
            } else {
                if (!seg.oneOf.empty()) {
                    ok = false;
                    for (const auto& w : seg.oneOf) ok = ok || w == parts[i];
                }
                if (ok) out.captures.emplace(seg.capture, std::string(parts[i]));
            }
        }
        if (ok) {
            out.route = &route;
            return out;
        }
    }
    out.captures.clear();
    return out;
}

}  // namespace touchpoint::hub::http
