#pragma once
// Token buckets by key (a client address or a token's name). The table is bounded: when it is full, buckets
// that have refilled completely carry no information and are dropped first; if none has, the table is
// cleared rather than grown (a scan of many addresses must not exhaust memory).

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "hub/config/server_limits.hpp"

namespace touchpoint::hub::http {

class RateLimiter {
public:
    using Clock = std::chrono::steady_clock;

    explicit RateLimiter(RateLimit limit, std::size_t maxKeys = 100'000) : m_limit(limit), m_maxKeys(maxKeys) {}

    /// Takes one token for `key`. 0 when allowed, else the whole seconds to wait (>= 1) for Retry-After.
    int take(const std::string& key, Clock::time_point now = Clock::now());
    bool enabled() const { return m_limit.perSecond > 0; }

private:
    struct Bucket {
        double tokens = 0;
        Clock::time_point at;
    };
    void evict(Clock::time_point now);

    RateLimit m_limit;
    std::size_t m_maxKeys;
    std::mutex m_mutex;
    std::unordered_map<std::string, Bucket> m_buckets;
};

}  // namespace touchpoint::hub::http
