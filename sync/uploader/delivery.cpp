#include "uploader/delivery.hpp"

#include <utility>

namespace touchpoint::uploader {

std::string_view toString(Verdict verdict) {
    switch (verdict) {
    case Verdict::Delivered: return "delivered";
    case Verdict::Retry: return "retry";
    case Verdict::Split: return "split";
    case Verdict::AuthError: return "auth_error";
    case Verdict::TlsError: return "tls_error";
    case Verdict::ClockWrong: return "clock_wrong";
    case Verdict::Misconfigured: return "misconfigured";
    case Verdict::Aborted: return "aborted";
    }
    return "retry";
}

namespace {

std::string hubErrorText(const HttpResponse& r) {
    // Only the hub's own short {"error": "..."} goes into the cause; never echo an arbitrary page.
    const auto ct = r.header("content-type").value_or("");
    if (ct.find("json") == std::string::npos || r.body.size() > 512) return {};
    const auto pos = r.body.find("\"error\"");
    if (pos == std::string::npos) return {};
    const auto q1 = r.body.find('"', r.body.find(':', pos) + 1);
    const auto q2 = q1 == std::string::npos ? q1 : r.body.find('"', q1 + 1);
    if (q2 == std::string::npos) return {};
    return r.body.substr(q1 + 1, q2 - q1 - 1);
}

}  // namespace

Classification classifyResponse(const HttpResult& result, const std::vector<std::string>& sentIds, std::int64_t nowMs) {
    Classification c;
    if (!result.ok()) {
        const auto& e = result.error();
        c.causeCode = std::string(toString(e.kind));
        c.cause = e.message;
        switch (e.kind) {
        case TransportErrc::TlsNotYetValid: c.verdict = Verdict::ClockWrong; break;
        case TransportErrc::TlsUntrusted:
        case TransportErrc::TlsExpired:
        case TransportErrc::TlsFailed: c.verdict = Verdict::TlsError; break;
        case TransportErrc::Aborted: c.verdict = Verdict::Aborted; break;
        default: c.verdict = Verdict::Retry; break;
        }
        switch (e.kind) {
        case TransportErrc::ConnectFailed:
        case TransportErrc::ConnectionReset:  // the handshake never finished, so no byte of the batch left
        case TransportErrc::TlsNotYetValid:
        case TransportErrc::TlsUntrusted:
        case TransportErrc::TlsExpired:
        case TransportErrc::TlsFailed: c.requestSent = false; break;
        default: break;  // a timeout or a dropped connection may have delivered the request
        }
        return c;
    }
    const HttpResponse& r = result.value();
    c.httpStatus = static_cast<int>(r.status);
    if (const auto date = r.header("date")) c.serverDateMs = protocol::parseHttpDate(*date);
    if (const auto ra = r.header("retry-after")) c.retryAfter = protocol::parseRetryAfter(*ra, nowMs);
    const std::string status = std::to_string(r.status);
    const std::string hubSays = hubErrorText(r);
    const std::string suffix = hubSays.empty() ? std::string() : " (" + hubSays + ")";

    if (r.status == 200) {
        auto parsed = protocol::parseReceipts(r.body, sentIds, r.header("content-type").value_or(""));
        if (parsed.ok()) {
            c.verdict = Verdict::Delivered;
            c.causeCode = "ok";
            c.receipts = std::move(parsed.value());
            return c;
        }
        c.verdict = Verdict::Retry;
        c.causeCode = parsed.error().looksLikeCaptivePortal ? "captive_portal" : "bad_response";
        c.cause = parsed.error().looksLikeCaptivePortal
                      ? "the network answered with a web page instead of the hub (a captive portal? sign the store "
                        "Wi-Fi in)"
                      : "the hub's answer was not a valid receipt: " + parsed.error().message;
        return c;
    }
    c.causeCode = "http_" + status;
    if (r.status == 401 || r.status == 403) {
        c.verdict = Verdict::AuthError;
        c.cause = r.status == 401 ? "the hub refused this kiosk's token" + suffix + ": check hub.token"
                                  : "this kiosk's token may not upload events" + suffix;
        return c;
    }
    if (r.status == 408 || r.status == 429 || (r.status >= 500 && r.status != 501 && r.status != 505)) {
        c.verdict = Verdict::Retry;
        c.cause = "the hub is busy or failing (HTTP " + status + ")" + suffix;
        return c;
    }
    if (r.status == 404 || r.status == 405 || r.status == 501 || r.status == 505) {
        // The address answers but is not a hub's batch endpoint (a wrong URL or a proxy). Splitting would
        // dead-letter every event for a configuration mistake, so wait instead.
        c.verdict = Verdict::Misconfigured;
        c.cause = "the server at hub.url does not accept event batches (HTTP " + status + "): check hub.url";
        return c;
    }
    if (r.status >= 400 && r.status < 500) {
        c.verdict = Verdict::Split;
        c.cause = "the hub refused the batch (HTTP " + status + ")" + suffix;
        return c;
    }
    // 1xx/2xx other than 200, 3xx (a redirecting portal): not a receipt.
    c.verdict = Verdict::Retry;
    c.causeCode = r.status >= 300 && r.status < 400 ? "captive_portal" : "bad_response";
    c.cause = "unexpected answer from the hub (HTTP " + status + ")";
    return c;
}

SplitOutcome deliverSplitting(std::size_t count, const SendRange& send, const PoisonOne& poison) {
    SplitOutcome out;
    out.last.verdict = Verdict::Delivered;
    if (count == 0) return out;
    // Ranges still to send, back() next; front halves are pushed last so order is preserved.
    std::vector<std::pair<std::size_t, std::size_t>> todo{{0, count}};
    while (!todo.empty()) {
        const auto [begin, end] = todo.back();
        todo.pop_back();
        Classification c = send(begin, end);
        ++out.requests;
        if (c.verdict == Verdict::Delivered) {
            out.last = std::move(c);
            continue;
        }
        if (c.verdict != Verdict::Split) {
            out.last = std::move(c);
            return out;
        }
        if (end - begin == 1) {
            if (!poison(begin, c)) {
                out.last = std::move(c);
                out.last.verdict = Verdict::Retry;
                return out;
            }
            ++out.poisoned;
            out.last = std::move(c);
            out.last.verdict = Verdict::Delivered;
            continue;
        }
        const std::size_t mid = begin + (end - begin) / 2;
        todo.emplace_back(mid, end);
        todo.emplace_back(begin, mid);
    }
    return out;
}

}  // namespace touchpoint::uploader
