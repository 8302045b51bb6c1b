#include "protocol/gzip.hpp"

#include <zlib.h>

#include <limits>
#include <memory>

namespace touchpoint::protocol {

namespace {
constexpr int kGzipWindowBits = 15 + 16;  // 16: gzip wrapper
constexpr int kAutoWindowBits = 15 + 32;  // 32: detect gzip or zlib header

struct DeflateStream {
    z_stream s{};
    bool live = false;
    ~DeflateStream() { if (live) deflateEnd(&s); }
};
struct InflateStream {
    z_stream s{};
    bool live = false;
    ~InflateStream() { if (live) inflateEnd(&s); }
};
}  // namespace

Result<std::string, std::string> gzipCompress(std::string_view data, int level) {
    if (data.size() > std::numeric_limits<uInt>::max()) return Fail(std::string("gzip: input too large"));
    DeflateStream d;
    if (deflateInit2(&d.s, level, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return Fail(std::string("gzip: cannot initialise deflate"));
    }
    d.live = true;
    std::string out;
    out.resize(deflateBound(&d.s, static_cast<uLong>(data.size())));
    d.s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));  // NOLINT: zlib's API is not const
    d.s.avail_in = static_cast<uInt>(data.size());
    d.s.next_out = reinterpret_cast<Bytef*>(out.data());
    d.s.avail_out = static_cast<uInt>(out.size());
    if (deflate(&d.s, Z_FINISH) != Z_STREAM_END) return Fail(std::string("gzip: deflate did not finish"));
    out.resize(d.s.total_out);
    return out;
}

Result<std::string, std::string> gzipDecompress(std::string_view data, std::size_t maxBytes) {
    if (data.size() > std::numeric_limits<uInt>::max()) return Fail(std::string("gunzip: input too large"));
    InflateStream z;
    if (inflateInit2(&z.s, kAutoWindowBits) != Z_OK) return Fail(std::string("gunzip: cannot initialise inflate"));
    z.live = true;
    z.s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));  // NOLINT: zlib's API is not const
    z.s.avail_in = static_cast<uInt>(data.size());
    std::string out;
    char chunk[64 * 1024];
    for (;;) {
        z.s.next_out = reinterpret_cast<Bytef*>(chunk);
        z.s.avail_out = sizeof chunk;
        const int rc = inflate(&z.s, Z_NO_FLUSH);
        const std::size_t produced = sizeof chunk - z.s.avail_out;
        if (out.size() + produced > maxBytes) return Fail(std::string("gunzip: body inflates past the size limit"));
        out.append(chunk, produced);
        if (rc == Z_STREAM_END) {
            if (z.s.avail_in != 0) return Fail(std::string("gunzip: trailing bytes after the gzip stream"));
            return out;
        }
        if (rc == Z_BUF_ERROR && z.s.avail_in == 0) return Fail(std::string("gunzip: truncated gzip stream"));
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return Fail(std::string("gunzip: corrupt gzip stream") + (z.s.msg != nullptr ? std::string(" (") + z.s.msg + ")" : ""));
        }
    }
}

}  // namespace touchpoint::protocol
