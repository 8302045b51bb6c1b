#include "hub/ingest/rejection_excerpt.hpp"

#include <array>
#include <string_view>

#include "hub/ingest/personal_text.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 12> kPersonalKeys{"email", "phone", "name", "firstName", "lastName", "first_name",
                                                         "last_name", "address", "comment", "identifier", "ip", "birthday"};

bool isPersonalKey(std::string_view key) {
    for (auto k : kPersonalKeys) {
        if (k == key) return true;
    }
    return false;
}

/// Depth is bounded by the parser (kMaxMessageDepth; deeper subtrees were dropped while parsing).
json masked(const json& node) {
    if (node.is_string()) return maskPersonalText(node.get_ref<const std::string&>());
    if (node.is_object()) {
        json out = json::object();
        for (const auto& [key, value] : node.items()) {
            out[key] = isPersonalKey(key) && !value.is_null() ? json("[personal]") : masked(value);
        }
        return out;
    }
    if (node.is_array()) {
        json out = json::array();
        for (const auto& value : node) out.push_back(masked(value));
        return out;
    }
    return node;
}

}  // namespace

json maskedPersonalValues(const json& message) { return masked(message); }

std::string maskedExcerpt(const json& message, std::size_t maxBytes) {
    json shown = masked(message);
    // analytics.js puts its write key in every body: a token is never shown back, even a public one.
    if (shown.is_object()) shown.erase("writeKey");
    std::string text = shown.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() <= maxBytes) return text;
    std::size_t cut = maxBytes;
    // Step back over UTF-8 continuation bytes so the excerpt stays valid text.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
    return text + "\xE2\x80\xA6";
}

}  // namespace touchpoint::hub
