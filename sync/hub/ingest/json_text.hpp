#pragma once
// JSON text written directly from an nlohmann tree, byte for byte what
// `value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)` writes: compact, keys in order,
// UTF-8 kept, invalid UTF-8 replaced by U+FFFD. nlohmann's writer goes through a virtual call per character;
// the ingest writes every stored message this way (about 30,000 instructions for a kiosk message), and this
// copies runs of plain text whole.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace touchpoint::hub {

/// Appends `text` as a JSON string literal, escaped and repaired as nlohmann's writer does.
void appendJsonString(std::string& out, std::string_view text);

/// Appends `value` as compact JSON text (see the top of this file).
void appendCompactJson(std::string& out, const nlohmann::json& value);

/// `value` as compact JSON text.
std::string compactJson(const nlohmann::json& value);

}  // namespace touchpoint::hub
