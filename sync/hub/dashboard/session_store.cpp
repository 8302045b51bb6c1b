#include "hub/dashboard/session_store.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "event/sealing.hpp"

namespace touchpoint::hub::dashboard {

namespace {

std::string toHex(const unsigned char* data, std::size_t size) {
    std::string out(size * 2, '\0');
    sodium_bin2hex(out.data(), out.size() + 1, data, size);
    return out;
}

}  // namespace

bool MemorySessions::expired(const Entry& entry, std::int64_t nowMs, std::int64_t idleMs, std::int64_t lifeMs) {
    return nowMs - entry.lastUsedMs >= idleMs || nowMs - entry.createdMs >= lifeMs;
}

void MemorySessions::add(const std::string& key, std::string_view, std::int64_t nowMs, std::size_t maxSessions) {
    std::lock_guard lock(m_mutex);
    while (!m_sessions.empty() && m_sessions.size() >= maxSessions) {
        auto oldest = std::min_element(m_sessions.begin(), m_sessions.end(), [](const auto& a, const auto& b) {
            return a.second.lastUsedMs < b.second.lastUsedMs;
        });
        m_sessions.erase(oldest);
    }
    m_sessions[key] = Entry{nowMs, nowMs};
}

bool MemorySessions::touch(const std::string& key, std::int64_t nowMs, std::int64_t idleMs, std::int64_t lifeMs) {
    std::lock_guard lock(m_mutex);
    auto it = m_sessions.find(key);
    if (it == m_sessions.end()) return false;
    if (expired(it->second, nowMs, idleMs, lifeMs)) {
        m_sessions.erase(it);
        return false;
    }
    it->second.lastUsedMs = nowMs;
    return true;
}

void MemorySessions::remove(const std::string& key) {
    std::lock_guard lock(m_mutex);
    m_sessions.erase(key);
}

std::size_t MemorySessions::size(std::int64_t nowMs, std::int64_t idleMs, std::int64_t lifeMs) {
    std::lock_guard lock(m_mutex);
    std::erase_if(m_sessions, [&](const auto& item) { return expired(item.second, nowMs, idleMs, lifeMs); });
    return m_sessions.size();
}

SessionStore::SessionStore(const Clock& clock, SessionPolicy policy, std::shared_ptr<SessionBackend> backend)
    : m_clock(clock), m_policy(policy), m_backend(backend ? std::move(backend) : std::make_shared<MemorySessions>()) {
    event::ensureSodium();
}

std::string SessionStore::key(std::string_view id) {
    std::array<unsigned char, crypto_generichash_BYTES> digest{};
    crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const unsigned char*>(id.data()), id.size(),
                       nullptr, 0);
    return toHex(digest.data(), digest.size());
}

std::int64_t SessionStore::idleMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(m_policy.idleTimeout).count();
}

std::int64_t SessionStore::lifeMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(m_policy.absoluteLifetime).count();
}

std::string SessionStore::create(std::string_view token) {
    std::array<unsigned char, 32> id{};
    randombytes_buf(id.data(), id.size());
    std::string text = toHex(id.data(), id.size());
    const std::int64_t now = m_clock.utcMs();
    m_backend->size(now, idleMs(), lifeMs());  // sweeps expired sessions before counting towards the cap
    m_backend->add(key(text), token, now, m_policy.maxSessions);
    return text;
}

bool SessionStore::touch(std::string_view id) {
    // Ids we hand out are exactly 64 hex digits; anything else cannot be a session and is not hashed.
    if (id.size() != 64 || !std::all_of(id.begin(), id.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }))
        return false;
    return m_backend->touch(key(id), m_clock.utcMs(), idleMs(), lifeMs());
}

std::optional<std::string> SessionStore::tokenHash(std::string_view id) {
    return m_backend->tokenHashOf(key(id));
}

void SessionStore::remove(std::string_view id) { m_backend->remove(key(id)); }

std::size_t SessionStore::size() { return m_backend->size(m_clock.utcMs(), idleMs(), lifeMs()); }

}  // namespace touchpoint::hub::dashboard
