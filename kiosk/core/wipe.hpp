#pragma once
// Overwrites what a shopper typed before the memory is released, so the next shopper's session (or a core
// dump) cannot find it. std::string::clear() alone leaves the bytes in the buffer.

#include <string>

namespace touchpoint::kiosk {

/// Zeroes the string's whole capacity (sodium_memzero cannot be optimised away), then empties it.
void wipeString(std::string& s);

}  // namespace touchpoint::kiosk
