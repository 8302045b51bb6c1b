#pragma once
// Typed reads of optional members of a message's properties or traits: a member of the wrong type counts as
// absent, never as an error.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace touchpoint::hub {

inline std::optional<std::int64_t> intProp(const nlohmann::json& o, const char* key) {
    const auto it = o.find(key);
    if (it == o.end() || !it->is_number()) return std::nullopt;
    if (it->is_number_float()) return static_cast<std::int64_t>(it->get<double>());
    return it->get<std::int64_t>();
}

inline std::optional<std::string> strProp(const nlohmann::json& o, const char* key) {
    const auto it = o.find(key);
    if (it == o.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

inline bool boolProp(const nlohmann::json& o, const char* key) {
    const auto it = o.find(key);
    return it != o.end() && it->is_boolean() && it->get<bool>();
}

}  // namespace touchpoint::hub
