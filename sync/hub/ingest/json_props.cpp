#include "hub/ingest/json_props.hpp"

#include <cmath>

namespace touchpoint::hub {

// Out of line: inlined into callers, g++ -O2 reports a false "potential null pointer dereference" on the
// iterator nlohmann's find() returns.

std::optional<std::int64_t> toInt64(const nlohmann::json& v) {
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
        return static_cast<std::int64_t>(u);
    }
    if (v.is_number_integer()) return v.get<std::int64_t>();
    if (!v.is_number_float()) return std::nullopt;
    const double d = v.get<double>();
    // -2^63 and 2^63 are exact doubles; the cast below is defined only strictly inside them.
    if (!std::isfinite(d) || d != std::trunc(d) || d < -0x1p63 || d >= 0x1p63) return std::nullopt;
    return static_cast<std::int64_t>(d);
}

IntMember readIntMember(const nlohmann::json& o, const char* key, std::int64_t lo, std::int64_t hi) {
    if (!o.is_object()) return {};
    const auto it = o.find(key);
    if (it == o.end() || it->is_null()) return {};
    const auto v = toInt64(*it);
    if (!v || *v < lo || *v > hi) return {std::nullopt, true};
    return {v, false};
}

}  // namespace touchpoint::hub
