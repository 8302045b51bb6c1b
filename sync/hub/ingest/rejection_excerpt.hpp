#pragma once
// What the Sources page shows of a rejected message: enough for a developer to see what arrived (the way
// Segment's debugger does), nothing that names or contacts a person.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

namespace touchpoint::hub {

/// The message as compact JSON with the values of personal keys (email, phone, names, address, comment,
/// identifier, ip) replaced by "[personal]", every other string passed through maskPersonalText, and the
/// text cut to at most `maxBytes` on a UTF-8 boundary ("…" marks a cut). Never throws for parsed input.
std::string maskedExcerpt(const nlohmann::json& message, std::size_t maxBytes);

/// `message` with the same masking as maskedExcerpt, whole (an export for a role that may not see values).
nlohmann::json maskedPersonalValues(const nlohmann::json& message);

}  // namespace touchpoint::hub
