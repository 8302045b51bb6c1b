#include "event/sealing.hpp"

#include <sodium.h>

#include <stdexcept>
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

Result<Sealer, std::string> Sealer::fromPublicKeyB64(std::string_view publicKeyB64) {
    std::string raw;
    if (!fromBase64(publicKeyB64, raw) || raw.size() != crypto_box_PUBLICKEYBYTES) {
        return Fail(std::string("sealing public key must be 32 bytes in base64"));
    }
    Sealer s;
    std::copy(raw.begin(), raw.end(), s.m_publicKey.begin());
    s.m_keyId = sealingKeyId(s.m_publicKey);
    return s;
}

std::string Sealer::seal(std::string_view plaintext) const {
    ensureSodium();
    std::vector<std::uint8_t> out(plaintext.size() + crypto_box_SEALBYTES);
    crypto_box_seal(out.data(), reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                    m_publicKey.data());
    return m_keyId + ":" + toBase64(out.data(), out.size());
}

Result<void, std::string> Unsealer::addSecretKeyB64(std::string_view secretKeyB64) {
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

Result<std::string, std::string> Unsealer::open(std::string_view sealed) const {
    const auto colon = sealed.find(':');
    if (colon == std::string_view::npos) return Fail(std::string("sealed value has no key id"));
    const auto it = m_keys.find(std::string(sealed.substr(0, colon)));
    if (it == m_keys.end()) return Fail("sealed to unknown key " + std::string(sealed.substr(0, colon)));
    std::string box;
    if (!fromBase64(sealed.substr(colon + 1), box)) return Fail(std::string("sealed value is not base64"));
    if (box.size() < crypto_box_SEALBYTES) return Fail(std::string("sealed value is too short"));
    std::string plain(box.size() - crypto_box_SEALBYTES, '\0');
    if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(plain.data()),
                             reinterpret_cast<const unsigned char*>(box.data()), box.size(), it->second.pub.data(),
                             it->second.sec.data()) != 0) {
        return Fail(std::string("sealed value does not open with its key (tampered or wrong key)"));
    }
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
