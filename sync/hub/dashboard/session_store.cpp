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

SessionStore::SessionStore(const Clock& clock, SessionPolicy policy) : m_clock(clock), m_policy(policy) {
    event::ensureSodium();
}

std::string SessionStore::key(std::string_view id) {
    std::array<unsigned char, crypto_generichash_BYTES> digest{};
    crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const unsigned char*>(id.data()), id.size(),
                       nullptr, 0);
    return toHex(digest.data(), digest.size());
}

bool SessionStore::expired(const Entry& entry, std::int64_t nowMs) const {
    const auto idleMs = std::chrono::duration_cast<std::chrono::milliseconds>(m_policy.idleTimeout).count();
    const auto lifeMs = std::chrono::duration_cast<std::chrono::milliseconds>(m_policy.absoluteLifetime).count();
    return nowMs - entry.lastUsedMs >= idleMs || nowMs - entry.createdMs >= lifeMs;
}

void SessionStore::sweepLocked(std::int64_t nowMs) {
    std::erase_if(m_sessions, [&](const auto& item) { return expired(item.second, nowMs); });
}

std::string SessionStore::create() {
    std::array<unsigned char, 32> id{};
    randombytes_buf(id.data(), id.size());
    std::string text = toHex(id.data(), id.size());
    const std::int64_t now = m_clock.utcMs();

    std::lock_guard lock(m_mutex);
    sweepLocked(now);
    while (!m_sessions.empty() && m_sessions.size() >= m_policy.maxSessions) {
        auto oldest = std::min_element(m_sessions.begin(), m_sessions.end(), [](const auto& a, const auto& b) {
            return a.second.lastUsedMs < b.second.lastUsedMs;
        });
        m_sessions.erase(oldest);
    }
    m_sessions[key(text)] = Entry{now, now};
    return text;
}

bool SessionStore::touch(std::string_view id) {
    // Ids we hand out are exactly 64 hex digits; anything else cannot be a session and is not hashed.
    if (id.size() != 64 || !std::all_of(id.begin(), id.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }))
        return false;
    const std::int64_t now = m_clock.utcMs();
    const std::string k = key(id);
    std::lock_guard lock(m_mutex);
    auto it = m_sessions.find(k);
    if (it == m_sessions.end()) return false;
    if (expired(it->second, now)) {
        m_sessions.erase(it);
        return false;
    }
    it->second.lastUsedMs = now;
    return true;
}

void SessionStore::remove(std::string_view id) {
    const std::string k = key(id);
    std::lock_guard lock(m_mutex);
    m_sessions.erase(k);
}

std::size_t SessionStore::size() {
    std::lock_guard lock(m_mutex);
    sweepLocked(m_clock.utcMs());
    return m_sessions.size();
}

}  // namespace touchpoint::hub::dashboard
