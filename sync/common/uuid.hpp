#pragma once

#include <cstdint>
#include <string>

namespace touchpoint {

/// A random (version 4) UUID from the OS's random source (getrandom), lower-case with dashes.
std::string newUuidV4();

/// A time-ordered (version 7, RFC 9562) UUID: 48 bits of Unix milliseconds, then random bits. Ids made
/// later sort later, so a database index keyed by them grows at its end instead of at random pages.
std::string newUuidV7(std::int64_t unixMs);

/// True for the canonical 8-4-4-4-12 hex form (any version).
bool isUuid(const std::string& text);

}  // namespace touchpoint
