#pragma once
// Typed reads of optional members of a message's properties or traits: a member of the wrong type counts as
// absent, never as an error. Every number the hub takes from a message goes through toInt64(): JSON numbers
// can be any size (1e300, 2^64), and casting such a double to an integer is undefined behaviour.

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace touchpoint::hub {

/// Largest integer that every JSON reader (JavaScript included) keeps exactly: the range for counts.
inline constexpr std::int64_t kMaxJsonSafeInteger = (std::int64_t{1} << 53) - 1;

/// The value of a JSON number that is a whole number within int64 (5.0 counts; 5.5, 1e300 and 2^64 do not).
std::optional<std::int64_t> toInt64(const nlohmann::json& v);

/// An integer member as read for a range check: `bad` when present (not null) but not a whole number in
/// [lo, hi], so a validator can name the field; `value` only when good.
struct IntMember {
    std::optional<std::int64_t> value;
    bool bad = false;
};

IntMember readIntMember(const nlohmann::json& o, const char* key, std::int64_t lo, std::int64_t hi);

/// The member as an integer in [lo, hi], or nullopt when absent, not a number, or out of range.
inline std::optional<std::int64_t> intProp(const nlohmann::json& o, const char* key,
                                           std::int64_t lo = std::numeric_limits<std::int64_t>::min(),
                                           std::int64_t hi = std::numeric_limits<std::int64_t>::max()) {
    return readIntMember(o, key, lo, hi).value;
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

/// True when `properties.purposes` (a consent's) is an array holding the string `purpose`.
inline bool hasPurpose(const nlohmann::json& properties, std::string_view purpose) {
    const auto it = properties.find("purposes");
    if (it == properties.end() || !it->is_array()) return false;
    for (const auto& p : *it) {
        if (p.is_string() && p.get_ref<const std::string&>() == purpose) return true;
    }
    return false;
}

}  // namespace touchpoint::hub
