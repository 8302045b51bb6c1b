#include "hub/cases/notification_text.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "common/clock.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

std::string link(const std::string& base, const std::string& path) {
    if (base.empty()) return path;
    return (base.back() == '/' ? base.substr(0, base.size() - 1) : base) + path;
}

/// Printable ASCII only, at most `max` bytes: what goes into a mail header or a chat line never carries a
/// line break or a control character, whatever a sender put in a reason id.
std::string plain(const std::string& text, std::size_t max = 120) {
    std::string out;
    for (unsigned char ch : text) {
        if (out.size() >= max) break;
        out.push_back(ch >= 0x20 && ch < 0x7f ? static_cast<char>(ch) : '?');
    }
    return out;
}

std::string str(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t num(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

/// "Fri, 04 Dec 2026 16:40:02 +0000"
std::string rfc5322Date(std::int64_t ms) {
    const std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    return buf;
}

}  // namespace

std::string alertPayload(const AlertRecord& a, const std::string& linkBaseUrl) {
    json reasons = json::array();
    for (const auto& [reason, n] : a.topReasons) reasons.push_back({{"reason", reason}, {"count", n}});
    json j{{"type", "alert"},
           {"alertId", a.id},
           {"rule", a.rule},
           {"kind", a.kind},
           {"store", a.storeId},
           {"windowStart", formatIsoUtcMs(a.windowStartMs)},
           {"windowEnd", formatIsoUtcMs(a.windowEndMs)},
           {"windowMinutes", (a.windowEndMs - a.windowStartMs) / 60'000},
           {"responses", a.responses},
           {"unhappy", a.unhappy},
           {"matching", a.matching},
           {"topReasons", reasons},
           {"link", link(linkBaseUrl, "/v1/alerts?store=" + a.storeId)}};
    if (!a.detail.empty()) j["reason"] = a.detail;
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string casePayload(const CaseOpening& c, const std::string& linkBaseUrl) {
    json j{{"type", "case"},
           {"caseId", c.id},
           {"rule", c.rule},
           {"kind", c.kind},
           {"store", c.storeId},
           {"kiosk", c.kioskId},
           {"dueAt", formatIsoUtcMs(c.dueAtMs)},
           {"link", link(linkBaseUrl, "/v1/cases/" + c.id)}};
    if (c.nps) j["nps"] = *c.nps;
    if (c.csat) j["csat"] = *c.csat;
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string notificationLine(const std::string& payload) {
    const json j = json::parse(payload, nullptr, false);
    if (!j.is_object()) return "Touchpoint notification";
    const std::string store = plain(str(j, "store"), 64), rule = plain(str(j, "rule"), 64);
    if (str(j, "type") == "case") {
        std::string score;
        if (j.contains("nps")) score = ", NPS " + std::to_string(num(j, "nps"));
        if (j.contains("csat")) score += ", CSAT " + std::to_string(num(j, "csat"));
        return "New case at store " + store + " (" + rule + score + "), due " + plain(str(j, "dueAt"), 40) +
               ": " + plain(str(j, "link"), 300);
    }
    std::string line = "Alert at store " + store + " (" + rule + "): " + std::to_string(num(j, "unhappy")) +
                       " of " + std::to_string(num(j, "responses")) + " answers unhappy in " +
                       std::to_string(num(j, "windowMinutes")) + " min";
    if (j.contains("reason"))
        line += ", reason \"" + plain(str(j, "reason"), 64) + "\" " + std::to_string(num(j, "matching")) +
                " times";
    if (const auto t = j.find("topReasons"); t != j.end() && t->is_array() && !t->empty()) {
        line += "; top reasons:";
        for (const auto& r : *t)
            line += " " + plain(str(r, "reason"), 64) + " (" + std::to_string(num(r, "count")) + ")";
    }
    return line + ": " + plain(str(j, "link"), 300);
}

std::string webhookBody(const std::string& payload, bool slack) {
    if (!slack) return payload;
    json j = json::parse(payload, nullptr, false);
    if (!j.is_object()) return payload;
    j["text"] = notificationLine(payload);
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string emailSubject(const std::string& payload) {
    const json j = json::parse(payload, nullptr, false);
    if (!j.is_object()) return "[Touchpoint] notification";
    const bool isCase = str(j, "type") == "case";
    return std::string("[Touchpoint] ") + (isCase ? "New case" : "Alert") + " at store " +
           plain(str(j, "store"), 64) + ": " + plain(str(j, "rule"), 64);
}

std::string emailMessage(const std::string& payload, const std::string& from,
                         const std::vector<std::string>& to, const std::string& notificationId,
                         std::int64_t nowMs) {
    std::string toLine;
    for (const auto& t : to) toLine += (toLine.empty() ? "" : ", ") + plain(t, 320);
    std::string m;
    m += "Date: " + rfc5322Date(nowMs) + "\r\n";
    m += "From: " + plain(from, 320) + "\r\n";
    m += "To: " + toLine + "\r\n";
    m += "Subject: " + emailSubject(payload) + "\r\n";
    m += "Message-ID: <" + plain(notificationId, 80) + "@touchpoint-hub>\r\n";
    m += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";
    m += notificationLine(payload) + "\r\n";
    return m;
}

}  // namespace touchpoint::hub
