#pragma once
// Server-side sessions for people signed in to the dashboard. The browser holds only a random 256-bit id in
// an HttpOnly, Secure, SameSite=Strict cookie; the hub keeps a hash of that id with its times, so a memory or
// log leak of the table does not hand out working cookies. Sessions end after a stretch of inactivity, after
// an absolute lifetime whatever the activity, and at sign-out. Where they are kept is a SessionBackend: the
// hub's store in production (several hub processes share them, and a session ends the moment the token that
// opened it is revoked or its role changes), memory otherwise.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
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

/// Where sessions live. Keys are hashes of session ids; times are UTC milliseconds.
class SessionBackend {
public:
    virtual ~SessionBackend() = default;
    /// Keeps a new session bound to the token that opened it; above maxSessions the least recently used go.
    virtual void add(const std::string& key, std::string_view token, std::int64_t nowMs, std::size_t maxSessions) = 0;
    /// True when the session is live (idle < idleMs, age < lifeMs) and its token still holds what it held at
    /// sign-in; its last use becomes nowMs. A session that is not is removed.
    virtual bool touch(const std::string& key, std::int64_t nowMs, std::int64_t idleMs, std::int64_t lifeMs) = 0;
    virtual void remove(const std::string& key) = 0;
    /// Live sessions (expired ones are removed first).
    virtual std::size_t size(std::int64_t nowMs, std::int64_t idleMs, std::int64_t lifeMs) = 0;
    /// The hash of the token that opened the session; none when unknown or when this backend does not keep
    /// tokens (memory), so nothing that needs the person's role can be served from it.
    virtual std::optional<std::string> tokenHashOf(const std::string& /*key*/) { return std::nullopt; }
};

/// Sessions in this process only (one hub, tests). It cannot see tokens: revocation is the store's part.
class MemorySessions final : public SessionBackend {
public:
    void add(const std::string& key, std::string_view token, std::int64_t nowMs, std::size_t maxSessions) override;
    bool touch(const std::string& key, std::int64_t nowMs, std::int64_t idleMs, std::int64_t lifeMs) override;
    void remove(const std::string& key) override;
    std::size_t size(std::int64_t nowMs, std::int64_t idleMs, std::int64_t lifeMs) override;

private:
    struct Entry {
        std::int64_t createdMs = 0;
        std::int64_t lastUsedMs = 0;
    };
    static bool expired(const Entry& entry, std::int64_t nowMs, std::int64_t idleMs, std::int64_t lifeMs);

    std::mutex m_mutex;
    std::map<std::string, Entry> m_sessions;  // by hash of the id
};

class SessionStore {
public:
    /// `backend` null: MemorySessions.
    SessionStore(const Clock& clock, SessionPolicy policy, std::shared_ptr<SessionBackend> backend = nullptr);

    /// Starts a session for the (already checked) token and returns the id to put in the cookie (64 hex digits).
    std::string create(std::string_view token = {});
    /// True when the id names a live session; extends its idle timeout.
    bool touch(std::string_view id);
    /// The hash of the token behind a live session (call touch() first); none when the backend cannot say.
    std::optional<std::string> tokenHash(std::string_view id);
    /// Ends a session (sign-out). Unknown ids are ignored.
    void remove(std::string_view id);
    /// Live sessions (expired ones are swept first).
    std::size_t size();
    const SessionPolicy& policy() const { return m_policy; }

private:
    static std::string key(std::string_view id);
    std::int64_t idleMs() const;
    std::int64_t lifeMs() const;

    const Clock& m_clock;
    SessionPolicy m_policy;
    std::shared_ptr<SessionBackend> m_backend;
};

}  // namespace touchpoint::hub::dashboard
