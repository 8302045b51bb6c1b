#pragma once
// Personal data (phone, email, free text) is sealed to head office's public key before it reaches the kiosk's
// disk; only the hub, holding the secret key, can open it. keyId names head office's public key, so the hub
// can hold several key pairs while a sealing key is rotated and still open data queued under the old one.
//
// Two forms, both opened by the hub:
// - "<keyId>:<base64 box>": a libsodium sealed box (crypto_box_seal), a fresh ephemeral key per value. What
//   kiosks before session sealing sent; still accepted so their queued data opens.
// - "<keyId>:<base64 session key>:<base64 nonce|box>": crypto_box with a session key pair the sealing process
//   makes in memory (never on disk) and replaces every hour, and a random 24-byte nonce per value. The hub
//   does the X25519 agreement once per session key instead of once per value (it was a third of the ingest
//   route's instructions). A running kiosk's memory could open what it sealed in the current hour; its disk,
//   like before, opens nothing.
//
// Beside each sealed identifier the kiosk keeps a keyed hash (BLAKE2b with a key from the kiosk config), so
// it can find an identity's events (erasure, cooldown) without being able to read them.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace touchpoint::event {

/// Calls sodium_init() once; safe from any thread. Throws if libsodium cannot initialise.
void ensureSodium();

std::string toBase64(const std::uint8_t* data, std::size_t size);
bool fromBase64(std::string_view text, std::string& out);

struct KeyPair {
    std::string publicKeyB64;
    std::string secretKeyB64;
};
/// A fresh X25519 key pair for sealing (crypto_box_keypair).
KeyPair generateSealingKeyPair();
/// Short id of a public key: the first 8 hex digits of BLAKE2b(publicKey).
std::string sealingKeyId(const std::array<std::uint8_t, 32>& publicKey);

/// Seals values to one public key under a session key pair it replaces every `sessionLifetime`. Copies share
/// the session (a kiosk's event factories seal under one); thread-safe.
class Sealer {
public:
    static constexpr std::chrono::seconds kSessionLifetime{3600};

    static Result<Sealer, std::string> fromPublicKeyB64(std::string_view publicKeyB64,
                                                        std::chrono::seconds sessionLifetime = kSessionLifetime);
    /// "<keyId>:<base64 session public key>:<base64 nonce|box>".
    std::string seal(std::string_view plaintext) const;
    /// The one-value sealed box form ("<keyId>:<base64 box>"), as kiosks before session sealing wrote it.
    std::string sealBox(std::string_view plaintext) const;
    const std::string& keyId() const { return m_keyId; }

private:
    Sealer() = default;  // made only by fromPublicKeyB64, so a session always exists
    struct Session;
    std::array<std::uint8_t, 32> m_publicKey{};
    std::string m_keyId;
    std::shared_ptr<Session> m_session;
};

/// Opens sealed values (either form) with any of the key pairs it holds (current and retired ones). Keeps the
/// agreed keys of recent session keys (bounded: two generations of `kSessionCacheSize`), shared by copies;
/// thread-safe. A value under a session key it has not seen costs one X25519, as a sealed box does.
class Unsealer {
public:
    static constexpr std::size_t kSessionCacheSize = 4096;

    Unsealer();
    /// Adds a key pair; the public key is derived from the secret key. Returns an error for a malformed key.
    Result<void, std::string> addSecretKeyB64(std::string_view secretKeyB64);
    /// Opens a sealed value; an error names why (unknown key, not base64, wrong key or tampered).
    Result<std::string, std::string> open(std::string_view sealed) const;
    bool empty() const { return m_keys.empty(); }
    /// Session keys agreed so far (X25519 operations spent on session-sealed values); the hub's /metrics.
    std::uint64_t sessionAgreements() const;

private:
    struct Keys {
        std::array<std::uint8_t, 32> pub{};
        std::array<std::uint8_t, 32> sec{};
    };
    struct SessionCache;
    Result<std::string, std::string> openBox(const Keys& keys, std::string_view boxB64) const;
    Result<std::string, std::string> openSession(std::string_view keyId, const Keys& keys,
                                                 std::string_view sessionKeyB64, std::string_view boxB64) const;
    std::map<std::string, Keys> m_keys;  // by key id
    std::shared_ptr<SessionCache> m_cache;
};

/// Keyed hash of an identifier ("phone:+15555550123"), hex. The key is 32 bytes, base64 in the config.
class IdentityHasher {
public:
    static Result<IdentityHasher, std::string> fromKeyB64(std::string_view keyB64);
    /// A fresh random key for `touchpointctl`/`touchpoint-hub init`, base64.
    static std::string generateKeyB64();
    std::string hash(std::string_view identityType, std::string_view normalizedValue) const;

private:
    std::array<std::uint8_t, 32> m_key{};
};

}  // namespace touchpoint::event
