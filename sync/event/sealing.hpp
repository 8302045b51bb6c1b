#pragma once
// Personal data (phone, email, free text) is sealed to head office's public key with a libsodium sealed box
// before it reaches the kiosk's disk; only the hub, holding the secret key, can open it. A sealed value is
// "<keyId>:<base64 ciphertext>", where keyId names the public key, so the hub can hold several key pairs
// while a sealing key is rotated and still open data queued under the old one.
//
// Beside each sealed identifier the kiosk keeps a keyed hash (BLAKE2b with a key from the kiosk config), so
// it can find an identity's events (erasure, cooldown) without being able to read them.

#include <array>
#include <cstdint>
#include <map>
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

/// Seals values to one public key. Cheap to copy; thread-safe (libsodium is).
class Sealer {
public:
    static Result<Sealer, std::string> fromPublicKeyB64(std::string_view publicKeyB64);
    std::string seal(std::string_view plaintext) const;
    const std::string& keyId() const { return m_keyId; }

private:
    std::array<std::uint8_t, 32> m_publicKey{};
    std::string m_keyId;
};

/// Opens sealed values with any of the key pairs it holds (current and retired ones).
class Unsealer {
public:
    /// Adds a key pair; the public key is derived from the secret key. Returns an error for a malformed key.
    Result<void, std::string> addSecretKeyB64(std::string_view secretKeyB64);
    /// Opens "<keyId>:<base64>"; an error names why (unknown key, not base64, wrong key or tampered).
    Result<std::string, std::string> open(std::string_view sealed) const;
    bool empty() const { return m_keys.empty(); }

private:
    struct Keys {
        std::array<std::uint8_t, 32> pub{};
        std::array<std::uint8_t, 32> sec{};
    };
    std::map<std::string, Keys> m_keys;  // by key id
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
