#include "protocol/wire.hpp"

#include <curl/curl.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "common/clock.hpp"
#include "common/text.hpp"

namespace touchpoint::protocol {

namespace {

constexpr std::int64_t kMaxRetryAfterS = 24 * 3600;  // nobody waits longer than a day on one answer

constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

}  // namespace

bool checkPayload(std::string_view payload) {
    payload = trim(payload);
    return payload.size() >= 2 && payload.front() == '{' && payload.back() == '}';
}

void encodeBatch(const std::vector<std::string_view>& payloads, std::int64_t sentAtMs, std::string& out) {
    std::size_t total = 48;
    for (const auto p : payloads) total += p.size() + 1;
    out.reserve(out.size() + total);
    out += "{\"batch\":[";
    bool first = true;
    for (const auto p : payloads) {
        if (!first) out += ',';
        first = false;
        // A captured payload has no sentAt; if one slipped in it would shadow the batch's, so drop it.
        if (p.find("\"sentAt\"") != std::string_view::npos) {
            auto j = nlohmann::json::parse(p, nullptr, false);
            if (j.is_object()) {
                j.erase("sentAt");
                out += j.dump();
                continue;
            }
        }
        out += trim(p);
    }
    out += "],\"sentAt\":\"";
    out += formatIsoUtcMs(sentAtMs);
    out += "\"}";
}

std::string_view toString(ReceiptStatus status) {
    switch (status) {
    case ReceiptStatus::Accepted: return "accepted";
    case ReceiptStatus::Duplicate: return "duplicate";
    case ReceiptStatus::Rejected: return "rejected";
    }
    return "rejected";
}

std::string_view toString(ReceiptErrc code) {
    switch (code) {
    case ReceiptErrc::NotJson: return "not_json";
    case ReceiptErrc::Truncated: return "truncated";
    case ReceiptErrc::WrongShape: return "wrong_shape";
    case ReceiptErrc::MissingIds: return "missing_ids";
    case ReceiptErrc::UnknownIds: return "unknown_ids";
    }
    return "wrong_shape";
}

Result<ReceiptSet, ReceiptError> parseReceipts(std::string_view body, const std::vector<std::string>& sentIds,
                                               std::string_view contentType) {
    const std::string_view trimmed = trim(body);
    const bool html = contentType.find("html") != std::string_view::npos || (!trimmed.empty() && trimmed.front() == '<');
    if (html) {
        return Fail(ReceiptError{ReceiptErrc::NotJson, "the answer is a web page, not a receipt (captive portal or proxy?)", true});
    }
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(body);
    } catch (const nlohmann::json::parse_error& e) {
        if (!trimmed.empty() && e.byte >= body.size()) {
            return Fail(ReceiptError{ReceiptErrc::Truncated, "the receipt ends early (" + std::to_string(body.size()) + " bytes)", false});
        }
        return Fail(ReceiptError{ReceiptErrc::NotJson, "the answer is not JSON", false});
    }
    if (!j.is_object() || !j.contains("receipts") || !j["receipts"].is_array()) {
        return Fail(ReceiptError{ReceiptErrc::WrongShape, "the answer has no \"receipts\" array", false});
    }
    std::unordered_map<std::string_view, std::size_t> index;
    index.reserve(sentIds.size());
    for (std::size_t i = 0; i < sentIds.size(); ++i) index.emplace(sentIds[i], i);

    ReceiptSet set;
    set.receipts.resize(sentIds.size());
    std::vector<bool> seen(sentIds.size(), false);
    for (const auto& r : j["receipts"]) {
        if (!r.is_object() || !r.contains("messageId") || !r["messageId"].is_string() || !r.contains("status") ||
            !r["status"].is_string()) {
            return Fail(ReceiptError{ReceiptErrc::WrongShape, "a receipt lacks messageId or status", false});
        }
        const auto& id = r["messageId"].get_ref<const std::string&>();
        const auto& st = r["status"].get_ref<const std::string&>();
        MessageReceipt mr;
        mr.messageId = id;
        if (st == "accepted") {
            mr.status = ReceiptStatus::Accepted;
        } else if (st == "duplicate") {
            mr.status = ReceiptStatus::Duplicate;
        } else if (st == "rejected") {
            mr.status = ReceiptStatus::Rejected;
            if (r.contains("reason") && r["reason"].is_string()) mr.reason = r["reason"].get<std::string>();
            if (mr.reason.empty()) mr.reason = "rejected";
        } else {
            return Fail(ReceiptError{ReceiptErrc::WrongShape, "a receipt has an unknown status", false});
        }
        const auto it = index.find(id);
        if (it == index.end() || seen[it->second]) {
            return Fail(ReceiptError{ReceiptErrc::UnknownIds, "a receipt names a message that was not sent, or twice", false});
        }
        seen[it->second] = true;
        set.receipts[it->second] = std::move(mr);
    }
    for (bool s : seen) {
        if (!s) return Fail(ReceiptError{ReceiptErrc::MissingIds, "the answer lacks receipts for some messages", false});
    }
    if (j.contains("serverTime") && j["serverTime"].is_string()) {
        std::int64_t ms = 0;
        if (parseIsoUtcMs(j["serverTime"].get<std::string>(), ms)) set.serverTimeMs = ms;
    }
    return set;
}

void appendJsonString(std::string& out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 0xf];
            } else {
                out += ch;  // UTF-8 passes through; ids and reasons come from JSON that was already validated
            }
        }
    }
    out += '"';
}

std::string encodeReceipts(const std::vector<MessageReceipt>& receipts, std::int64_t serverTimeMs) {
    // Written by hand: the hub answers every batch with one of these, and a DOM per receipt costs more than
    // the rest of the answer.
    std::string out;
    out.reserve(64 + receipts.size() * 72);
    out += "{\"receipts\":[";
    bool first = true;
    for (const auto& r : receipts) {
        if (!first) out += ',';
        first = false;
        out += "{\"messageId\":";
        appendJsonString(out, r.messageId);
        out += ",\"status\":\"";
        out += toString(r.status);
        out += '"';
        if (r.status == ReceiptStatus::Rejected) {
            out += ",\"reason\":";
            appendJsonString(out, r.reason);
        }
        out += '}';
    }
    out += "],\"serverTime\":\"";
    out += formatIsoUtcMs(serverTimeMs);
    out += "\"}";
    return out;
}

std::string encodeError(std::string_view message) {
    return nlohmann::json{{"error", std::string(message)}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::chrono::milliseconds> parseRetryAfter(std::string_view value, std::int64_t nowUtcMs) {
    value = trim(value);
    if (value.empty()) return std::nullopt;
    if (value.front() >= '0' && value.front() <= '9') {
        std::int64_t seconds = 0;
        const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (ec == std::errc::result_out_of_range) return std::chrono::seconds(kMaxRetryAfterS);
        if (ec != std::errc() || p != value.data() + value.size()) return std::nullopt;
        return std::chrono::seconds(std::min(seconds, kMaxRetryAfterS));
    }
    const auto when = parseHttpDate(value);
    if (!when) return std::nullopt;
    const std::int64_t delta = std::max<std::int64_t>(0, *when - nowUtcMs);
    return std::chrono::milliseconds(std::min(delta, kMaxRetryAfterS * 1000));
}

std::optional<std::int64_t> parseHttpDate(std::string_view value) {
    value = trim(value);
    // An HTTP-date has at most 33 characters (RFC 850 on a Wednesday); anything far longer is not one.
    if (value.empty() || value.size() > 64) return std::nullopt;
    // libcurl's parser takes all three HTTP forms (IMF-fixdate, RFC 850, asctime) and refuses impossible
    // fields (hour 25, month "Foo"). It needs a terminated string.
    const std::string text(value);
    const std::time_t t = curl_getdate(text.c_str(), nullptr);
    if (t < 0) return std::nullopt;
    return static_cast<std::int64_t>(t) * 1000;
}

std::string formatHttpDate(std::int64_t utcMs) {
    const std::time_t t = static_cast<std::time_t>(utcMs / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[static_cast<std::size_t>(tm.tm_wday)].data(),
                  tm.tm_mday, kMonths[static_cast<std::size_t>(tm.tm_mon)].data(), tm.tm_year + 1900, tm.tm_hour,
                  tm.tm_min, tm.tm_sec);
    return buf;
}

}  // namespace touchpoint::protocol
