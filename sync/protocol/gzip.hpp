#pragma once
// gzip bodies for /v1/batch (zlib). Batches compress roughly 8-10x, which is what makes a backlog drain over
// store Wi-Fi practical.

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace touchpoint::protocol {

/// zlib level 1 is the default: on a kiosk CPU it compresses JSON batches nearly as well as level 6 at a
/// fraction of the cost, and the drain is CPU-bound on both ends.
inline constexpr int kDefaultGzipLevel = 1;
/// Refuse to inflate past this: a small hostile body must not expand into gigabytes.
inline constexpr std::size_t kMaxInflatedBytes = 16 * 1024 * 1024;

Result<std::string, std::string> gzipCompress(std::string_view data, int level = kDefaultGzipLevel);
/// Accepts gzip (and zlib) streams; fails on corrupt, truncated or over-limit input with a plain message.
Result<std::string, std::string> gzipDecompress(std::string_view data, std::size_t maxBytes = kMaxInflatedBytes);

}  // namespace touchpoint::protocol
