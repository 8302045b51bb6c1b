#include "event/sealing.hpp"

#include <sodium.h>

#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <vector>

namespace touchpoint::event {

void ensureSodium() {
    static const int rc = sodium_init();  // thread-safe static init; sodium_init is idempotent
    if (rc < 0) throw std::runtime_error("libsodium failed to initialise");
}

std::string toBase64(const std::uint8_t* data, std::size_t size) {
    ensureSodium();
    std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
    out.resize(out.size() - 1);  // drop the terminating NUL
    return out;
}

bool fromBase64(std::string_view text, std::string& out) {
    ensureSodium();
    out.assign(text.size(), '\0');
    std::size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                          &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
        return false;
    }
    out.resize(len);
    return true;
}

KeyPair generateSealingKeyPair() {
    ensureSodium();
    std::array<std::uint8_t, crypto_box_PUBLICKEYBYTES> pk{};
    std::array<std::uint8_t, crypto_box_SECRETKEYBYTES> sk{};
    crypto_box_keypair(pk.data(), sk.data());
    KeyPair kp{toBase64(pk.data(), pk.size()), toBase64(sk.data(), sk.size())};
    sodium_memzero(sk.data(), sk.size());
    return kp;
}

std::string sealingKeyId(const std::array<std::uint8_t, 32>& publicKey) {
    ensureSodium();
    std::array<std::uint8_t, 16> h{};
    crypto_generichash(h.data(), h.size(), publicKey.data(), publicKey.size(), nullptr, 0);
    std::array<char, 33> hex{};
    sodium_bin2hex(hex.data(), hex.size(), h.data(), h.size());
    return std::string(hex.data(), 8);
}

namespace {

using Key32 = std::array<std::uint8_t, 32>;

std::string sealedBytes(const std::vector<std::uint8_t>& bytes) { return toBase64(bytes.data(), bytes.size()); }

}  // namespace

struct Sealer::Session {
    std::mutex mutex;
    std::chrono::seconds lifetime{};
    std::chrono::steady_clock::time_point madeAt{};
    Key32 agreed{};         // crypto_box_beforenm(head office's public key, session secret key)
    std::string publicB64;  // the session public key, as every value sealed under it names it

    ~Session() { sodium_memzero(agreed.data(), agreed.size()); }

    /// A new session key pair; its secret key lives only for the agreement. False if `hubPublicKey` is unusable.
    bool renew(const Key32& hubPublicKey) {
        Key32 pub{};
        Key32 sec{};
        crypto_box_keypair(pub.data(), sec.data());
        const bool ok = crypto_box_beforenm(agreed.data(), hubPublicKey.data(), sec.data()) == 0;
        sodium_memzero(sec.data(), sec.size());
        publicB64 = toBase64(pub.data(), pub.size());
        madeAt = std::chrono::steady_clock::now();
        return ok;
    }
};

Result<Sealer, std::string> Sealer::fromPublicKeyB64(std::string_view publicKeyB64,
                                                     std::chrono::seconds sessionLifetime) {
    ensureSodium();
    std::string raw;
    if (!fromBase64(publicKeyB64, raw) || raw.size() != crypto_box_PUBLICKEYBYTES) {
        return Fail(std::string("sealing public key must be 32 bytes in base64"));
    }
    Sealer s;
    std::copy(raw.begin(), raw.end(), s.m_publicKey.begin());
    s.m_keyId = sealingKeyId(s.m_publicKey);
    s.m_session = std::make_shared<Session>();
    s.m_session->lifetime = sessionLifetime;
    if (!s.m_session->renew(s.m_publicKey)) {
        return Fail(std::string("sealing public key is not a usable X25519 key"));
    }
    return s;
}

std::string Sealer::seal(std::string_view plaintext) const {
    ensureSodium();
    Key32 agreed{};
    std::string sessionB64;
    {
        std::lock_guard lock(m_session->mutex);
        if (std::chrono::steady_clock::now() - m_session->madeAt >= m_session->lifetime &&
            !m_session->renew(m_publicKey)) {
            throw std::runtime_error("sealing session key agreement failed");  // the key was usable at start
        }
        agreed = m_session->agreed;
        sessionB64 = m_session->publicB64;
    }
    std::vector<std::uint8_t> out(crypto_box_NONCEBYTES + crypto_box_MACBYTES + plaintext.size());
    randombytes_buf(out.data(), crypto_box_NONCEBYTES);
    crypto_box_easy_afternm(out.data() + crypto_box_NONCEBYTES, reinterpret_cast<const unsigned char*>(plaintext.data()),
                            plaintext.size(), out.data(), agreed.data());
    sodium_memzero(agreed.data(), agreed.size());
    return m_keyId + ":" + sessionB64 + ":" + sealedBytes(out);
}

std::string Sealer::sealBox(std::string_view plaintext) const {
    ensureSodium();
    std::vector<std::uint8_t> out(plaintext.size() + crypto_box_SEALBYTES);
    crypto_box_seal(out.data(), reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                    m_publicKey.data());
    return m_keyId + ":" + sealedBytes(out);
}

struct Unsealer::SessionCache {
    using Generation = std::unordered_map<std::string, Key32>;  // "<keyId>:<session public key b64>" -> agreed key
    std::mutex mutex;
    Generation current;
    Generation previous;
    std::uint64_t agreements = 0;

    static void wipe(Generation& g) {
        for (auto& [id, key] : g) sodium_memzero(key.data(), key.size());
        g.clear();
    }
    ~SessionCache() {
        wipe(current);
        wipe(previous);
    }
    bool find(const std::string& id, Key32& out) {
        std::lock_guard lock(mutex);
        if (auto it = current.find(id); it != current.end()) {
            out = it->second;
            return true;
        }
        auto it = previous.find(id);
        if (it == previous.end()) return false;
        out = it->second;
        sodium_memzero(it->second.data(), it->second.size());
        previous.erase(it);
        insertLocked(id, out);
        return true;
    }
    void insert(const std::string& id, const Key32& key) {
        std::lock_guard lock(mutex);
        ++agreements;
        insertLocked(id, key);
    }
    void insertLocked(const std::string& id, const Key32& key) {
        if (current.size() >= kSessionCacheSize) {  // the older generation goes; recently used entries moved up
            wipe(previous);
            previous.swap(current);
        }
        current[id] = key;
    }
};

Unsealer::Unsealer() : m_cache(std::make_shared<SessionCache>()) {}

Result<void, std::string> Unsealer::addSecretKeyB64(std::string_view secretKeyB64) {
    ensureSodium();
    std::string raw;
    if (!fromBase64(secretKeyB64, raw) || raw.size() != crypto_box_SECRETKEYBYTES) {
        return Fail(std::string("sealing secret key must be 32 bytes in base64"));
    }
    Keys k;
    std::copy(raw.begin(), raw.end(), k.sec.begin());
    sodium_memzero(raw.data(), raw.size());
    crypto_scalarmult_base(k.pub.data(), k.sec.data());
    m_keys[sealingKeyId(k.pub)] = k;
    return {};
}

std::uint64_t Unsealer::sessionAgreements() const {
    std::lock_guard lock(m_cache->mutex);
    return m_cache->agreements;
}

Result<std::string, std::string> Unsealer::open(std::string_view sealed) const {
    const auto colon = sealed.find(':');
    if (colon == std::string_view::npos) return Fail(std::string("sealed value has no key id"));
    const std::string_view keyId = sealed.substr(0, colon);
    const auto it = m_keys.find(std::string(keyId));
    if (it == m_keys.end()) return Fail("sealed to unknown key " + std::string(keyId));
    const std::string_view rest = sealed.substr(colon + 1);
    const auto second = rest.find(':');
    if (second == std::string_view::npos) return openBox(it->second, rest);
    return openSession(keyId, it->second, rest.substr(0, second), rest.substr(second + 1));
}

Result<std::string, std::string> Unsealer::openBox(const Keys& keys, std::string_view boxB64) const {
    std::string box;
    if (!fromBase64(boxB64, box)) return Fail(std::string("sealed value is not base64"));
    if (box.size() < crypto_box_SEALBYTES) return Fail(std::string("sealed value is too short"));
    std::string plain(box.size() - crypto_box_SEALBYTES, '\0');
    if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(plain.data()),
                             reinterpret_cast<const unsigned char*>(box.data()), box.size(), keys.pub.data(),
                             keys.sec.data()) != 0) {
        return Fail(std::string("sealed value does not open with its key (tampered or wrong key)"));
    }
    return plain;
}

Result<std::string, std::string> Unsealer::openSession(std::string_view keyId, const Keys& keys,
                                                       std::string_view sessionKeyB64,
                                                       std::string_view boxB64) const {
    std::string box;
    if (!fromBase64(boxB64, box)) return Fail(std::string("sealed value is not base64"));
    if (box.size() < crypto_box_NONCEBYTES + crypto_box_MACBYTES) {
        return Fail(std::string("sealed value is too short"));
    }
    std::string cacheId;
    cacheId.reserve(keyId.size() + 1 + sessionKeyB64.size());
    cacheId.append(keyId).append(":").append(sessionKeyB64);
    Key32 agreed{};
    const bool known = m_cache->find(cacheId, agreed);
    if (!known) {
        std::string sessionKey;
        if (!fromBase64(sessionKeyB64, sessionKey) || sessionKey.size() != crypto_box_PUBLICKEYBYTES) {
            return Fail(std::string("sealed value's session key is not 32 bytes in base64"));
        }
        if (crypto_box_beforenm(agreed.data(), reinterpret_cast<const unsigned char*>(sessionKey.data()),
                                keys.sec.data()) != 0) {
            return Fail(std::string("sealed value's session key is not a usable X25519 key"));
        }
    }
    const auto* nonce = reinterpret_cast<const unsigned char*>(box.data());
    std::string plain(box.size() - crypto_box_NONCEBYTES - crypto_box_MACBYTES, '\0');
    const bool opened = crypto_box_open_easy_afternm(reinterpret_cast<unsigned char*>(plain.data()),
                                                     nonce + crypto_box_NONCEBYTES,
                                                     box.size() - crypto_box_NONCEBYTES, nonce, agreed.data()) == 0;
    if (opened && !known) m_cache->insert(cacheId, agreed);  // only keys that opened something are kept
    sodium_memzero(agreed.data(), agreed.size());
    if (!opened) return Fail(std::string("sealed value does not open with its key (tampered or wrong key)"));
    return plain;
}

Result<IdentityHasher, std::string> IdentityHasher::fromKeyB64(std::string_view keyB64) {
    std::string raw;
    if (!fromBase64(keyB64, raw) || raw.size() != 32) {
        return Fail(std::string("identity hash key must be 32 bytes in base64"));
    }
    IdentityHasher h;
    std::copy(raw.begin(), raw.end(), h.m_key.begin());
    return h;
}

std::string IdentityHasher::generateKeyB64() {
    ensureSodium();
    std::array<std::uint8_t, 32> key{};
    randombytes_buf(key.data(), key.size());
    return toBase64(key.data(), key.size());
}

std::string IdentityHasher::hash(std::string_view identityType, std::string_view normalizedValue) const {
    ensureSodium();
    std::string input;
    input.reserve(identityType.size() + 1 + normalizedValue.size());
    input.append(identityType).append(":").append(normalizedValue);
    std::array<std::uint8_t, 16> h{};
    crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(input.data()), input.size(),
                       m_key.data(), m_key.size());
    std::array<char, 33> hex{};
    sodium_bin2hex(hex.data(), hex.size(), h.data(), h.size());
    return hex.data();
}

}  // namespace touchpoint::event
