#pragma once
// The request body's JSON read with simdjson, into the same nlohmann tree the rest of the hub works on.
// nlohmann's own reader took about 80,000 instructions per kiosk message (about a quarter of the hub's work
// per event); simdjson validates and reads the text in a small part of that, and building the tree from its
// result costs what building it while lexing did.
//
// The fast path only ever answers for well-formed text: anything simdjson refuses (a syntax error, a bad
// escape, an integer beyond 64 bits, nesting past the limit) is left to nlohmann::json::parse, whose answer
// (the error, or the tree with each fault pinned on its message) is the one the hub gives.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace touchpoint::hub {

/// The tree nlohmann::json::parse(text) builds, when `text` is one well-formed JSON value nested at most
/// `maxNestingLevels` deep (a top-level object or array is level 1); nullopt otherwise, and for text longer
/// than `maxBytes`. Values, their types and duplicate keys (the last one wins) come out as nlohmann reads
/// them, with one exception that no reader can see: a `-0` integer is an unsigned 0 here, a signed 0 there
/// (both are written "0" and compare equal). Each calling thread keeps one reader whose buffers grow to the
/// largest text it has read, at most about 16 bytes per byte of `maxBytes`.
std::optional<nlohmann::json> parseWellFormedJson(std::string_view text, std::size_t maxNestingLevels,
                                                  std::size_t maxBytes);

}  // namespace touchpoint::hub
