#pragma once

#include <string>

namespace touchpoint {

/// A random (version 4) UUID from the OS's random source (getrandom), lower-case with dashes.
std::string newUuidV4();

/// True for the canonical 8-4-4-4-12 hex form (any version).
bool isUuid(const std::string& text);

}  // namespace touchpoint
