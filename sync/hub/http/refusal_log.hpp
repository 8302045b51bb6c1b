#pragma once
// Every refusal the HTTP layer makes (401, 403, 408, 413, 429, 431, 503, a refused connection or handshake) is
// said in the log and counted per source. One `http` warning line per refusal: the reason, the status, the
// route's name, the source (the token's name once the token was read, else "-") and the client's network (its
// /24 or /48, never the address: a shopper's browser address is personal data). Lines are limited per key (the
// source, or the network when no token was read) and in all, so a flood cannot flood the log; what was held
// back is said in one line when that key's next minute starts, or in the minute's total when the key is not
// seen again. Counts per source feed /metrics (touchpoint_hub_http_refusals_by_source_total); refusals before
// a token is read are counted by reason only (ServerCounters): an address is neither a source nor a bounded
// label.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hub/http/server_counters.hpp"

namespace touchpoint::hub::http {

struct RefusalNote {
    Refusal why = Refusal::BadRequest;
    int status = 0;                ///< the answer's status; 0 for a connection refused before any request
    std::string_view source;       ///< the token's name, "" when no token was read
    std::string_view address;      ///< the client's address (the peer, or X-Forwarded-For from a trusted proxy)
    std::string_view route;        ///< the matched route's name, "" when none matched
};

class RefusalLog {
public:
    struct Options {
        int linesPerKeyPerMinute = 10;
        int linesPerMinute = 300;
        /// Keys whose minute is tracked; past this, new keys are held to the overall limit only.
        std::size_t maxKeys = 4096;
    };

    RefusalLog() = default;
    explicit RefusalLog(Options options) : m_options(options) {}

    /// Counts `note` for its source and writes its line when the limits allow. Safe from any thread.
    void note(const RefusalNote& note, std::int64_t nowMs);

    std::int64_t count(std::string_view source, Refusal why) const;
    /// Lines held back so far (the rate limits), for tests and the summary lines.
    std::int64_t heldBack() const;
    /// Prometheus text: touchpoint_hub_http_refusals_by_source_total{source=...,reason=...}.
    std::string render() const;

    /// The network an address is logged as: "203.0.113.0/24", "2001:db8:1::/48", "-" when not an address.
    static std::string network(std::string_view address);

private:
    struct Window {
        std::int64_t startMs = 0;
        int lines = 0;
        std::int64_t heldBack = 0;
        std::string source, network;  ///< what the key's lines say
    };
    /// A line saying how many were held back: for one key (source and network set) or in all.
    struct HeldBackLine {
        std::string source, network;
        std::int64_t count = 0;
    };

    /// Whether one more line may be written for `key` now. Under the lock.
    bool admitLine(const std::string& key, const std::string& source, const std::string& network, std::int64_t nowMs);
    /// Starts a new overall minute: each key whose minute ended says what it held back (while the new
    /// minute's lines allow; the rest go into one total) and is forgotten. Under the lock.
    void rollMinute(std::int64_t nowMs, std::vector<HeldBackLine>& say);
    /// Takes one of this minute's lines for a held-back line, or adds `count` to the minute's total.
    void sayHeldBack(HeldBackLine line, std::vector<HeldBackLine>& say);

    Options m_options;
    mutable std::mutex m_mutex;
    std::map<std::pair<std::string, Refusal>, std::int64_t, std::less<>> m_counts;
    std::map<std::string, Window, std::less<>> m_windows;
    Window m_all;
    std::int64_t m_unsaid = 0;  ///< held back and not yet said, for the next minute's total line
    std::int64_t m_heldBackTotal = 0;
};

}  // namespace touchpoint::hub::http
