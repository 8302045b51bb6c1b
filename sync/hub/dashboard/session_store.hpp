#pragma once
// Server-side sessions for people signed in to the dashboard. The browser holds only a random 256-bit id in
// an HttpOnly, Secure, SameSite=Strict cookie; the hub keeps a hash of that id with its times, so a memory or
// log leak of the table does not hand out working cookies. Sessions end after a stretch of inactivity, after
// an absolute lifetime whatever the activity, and at sign-out.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "common/clock.hpp"

namespace touchpoint::hub::dashboard {

struct SessionPolicy {
    std::chrono::seconds idleTimeout{std::chrono::minutes(30)};
    std::chrono::seconds absoluteLifetime{std::chrono::hours(12)};
    /// Above this many live sessions the least recently used one is dropped, so a flood of sign-ins cannot
    /// grow memory without bound.
    std::size_t maxSessions = 10'000;
};

class SessionStore {
public:
    SessionStore(const Clock& clock, SessionPolicy policy);

    /// Starts a session and returns the id to put in the cookie (64 hex digits).
    std::string create();
    /// True when the id names a live session; extends its idle timeout.
    bool touch(std::string_view id);
    /// Ends a session (sign-out). Unknown ids are ignored.
    void remove(std::string_view id);
    /// Live sessions (expired ones are swept first).
    std::size_t size();
    const SessionPolicy& policy() const { return m_policy; }

private:
    struct Entry {
        std::int64_t createdMs = 0;
        std::int64_t lastUsedMs = 0;
    };
    static std::string key(std::string_view id);
    bool expired(const Entry& entry, std::int64_t nowMs) const;
    void sweepLocked(std::int64_t nowMs);

    const Clock& m_clock;
    SessionPolicy m_policy;
    std::mutex m_mutex;
    std::map<std::string, Entry> m_sessions;  // by hash of the id
};

}  // namespace touchpoint::hub::dashboard
