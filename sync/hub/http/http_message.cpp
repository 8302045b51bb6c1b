#include "hub/http/http_message.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <memory>
#include <new>
#include <nlohmann/json.hpp>

namespace touchpoint::hub::http {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

template <class Map>
std::string first(const Map& map, std::string_view key) {
    const auto it = map.find(key);
    return it == map.end() ? std::string() : it->second;
}

}  // namespace

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const char x = lower(a[i]), y = lower(b[i]);
        if (x != y) return x < y;
    }
    return a.size() < b.size();
}

std::string Request::header(std::string_view name) const { return first(headers, name); }
std::string Request::param(std::string_view name) const { return first(params, name); }
std::string Request::capture(std::string_view name) const { return first(captures, name); }

void Response::setHeader(std::string name, std::string value) {
    headers.erase(name);
    headers.emplace(std::move(name), std::move(value));
}

void Response::setContent(std::string text, std::string type) {
    body = std::move(text);
    contentType = std::move(type);
    producer = nullptr;
}

void Response::redirect(const std::string& to, int code) {
    status = code;
    setHeader("Location", to);
}

void Response::error(int code, const std::string& message) {
    status = code;
    setContent(nlohmann::json{{"error", message}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
               "application/json");
}

void Response::streamed(std::string type, BodyProducer next) {
    body.clear();
    contentType = std::move(type);
    producer = std::move(next);
}

std::optional<std::string> percentDecode(std::string_view text, bool plusIsSpace) {
    const auto isHex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
    // libcurl leaves a malformed escape as it stands; this hub refuses it, so every '%' is checked first.
    for (auto at = text.find('%'); at != std::string_view::npos; at = text.find('%', at + 3)) {
        if (at + 2 >= text.size() || !isHex(text[at + 1]) || !isHex(text[at + 2])) return std::nullopt;
    }
    if (text.empty()) return std::string();
    if (text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) return std::nullopt;
    std::string raw(text);
    // A '+' is a space only in a query; swapped before decoding, so an encoded one (%2B) stays a '+'.
    if (plusIsSpace) std::replace(raw.begin(), raw.end(), '+', ' ');
    int length = 0;
    const std::unique_ptr<char, decltype(&curl_free)> decoded(
        curl_easy_unescape(nullptr, raw.data(), static_cast<int>(raw.size()), &length), &curl_free);
    if (!decoded) throw std::bad_alloc();
    return std::string(decoded.get(), static_cast<std::size_t>(length));
}

bool parseQuery(std::string_view text, Params& out, std::size_t maxPairs) {
    std::size_t pairs = 0;
    while (!text.empty()) {
        const auto amp = text.find('&');
        const std::string_view pair = text.substr(0, amp);
        text = amp == std::string_view::npos ? std::string_view{} : text.substr(amp + 1);
        if (pair.empty()) continue;
        if (++pairs > maxPairs) return false;
        const auto eq = pair.find('=');
        auto key = percentDecode(pair.substr(0, eq), true);
        auto value = percentDecode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
        if (!key || !value) return false;
        out.emplace(std::move(*key), std::move(*value));
    }
    return true;
}

}  // namespace touchpoint::hub::http
