#include "hub/http/server_counters.hpp"

#include <sstream>

namespace touchpoint::hub::http {

std::string prometheusLabelValue(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

std::string_view ServerCounters::name(Refusal r) {
    switch (r) {
        case Refusal::HeaderTooLarge: return "header_too_large";
        case Refusal::BodyTooLarge: return "body_too_large";
        case Refusal::InflatedTooLarge: return "inflated_too_large";
        case Refusal::BadGzip: return "bad_gzip";
        case Refusal::BadRequest: return "bad_request";
        case Refusal::RequestTimeout: return "request_timeout";
        case Refusal::IdleTimeout: return "idle_timeout";
        case Refusal::HandshakeFailed: return "tls_handshake_failed";
        case Refusal::TooManyConnections: return "too_many_connections";
        case Refusal::AddressConnections: return "address_connections";
        case Refusal::RateLimitedAddress: return "rate_limited_address";
        case Refusal::RateLimitedToken: return "rate_limited_token";
        case Refusal::Unauthenticated: return "unauthenticated";
        case Refusal::QueueFull: return "queue_full";
        case Refusal::NotFound: return "not_found";
        case Refusal::Forbidden: return "forbidden";
        case Refusal::RateLimitedRoute: return "rate_limited_route";
        case Refusal::Count: break;
    }
    return "unknown";
}

std::string ServerCounters::render() const {
    std::ostringstream out;
    out << "# HELP touchpoint_hub_http_refusals_total Requests and connections the HTTP layer refused or cut off.\n"
           "# TYPE touchpoint_hub_http_refusals_total counter\n";
    for (std::size_t i = 0; i < static_cast<std::size_t>(Refusal::Count); ++i) {
        const auto r = static_cast<Refusal>(i);
        out << "touchpoint_hub_http_refusals_total{reason=\"" << name(r) << "\"} " << get(r) << "\n";
    }
    out << "# HELP touchpoint_hub_http_connections Open client connections.\n"
           "# TYPE touchpoint_hub_http_connections gauge\n"
        << "touchpoint_hub_http_connections " << openConnections() << "\n";
    return out.str();
}

}  // namespace touchpoint::hub::http
