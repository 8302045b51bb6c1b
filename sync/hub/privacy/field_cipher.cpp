#include "hub/privacy/field_cipher.hpp"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstring>

#include "event/sealing.hpp"

namespace touchpoint::hub::privacy {

namespace {

// crypto_kdf contexts are 8 bytes; "tp-field" is used for nothing else (identifier tags use "tp-ident").
constexpr char kFieldContext[crypto_kdf_CONTEXTBYTES + 1] = "tp-field";
constexpr std::uint64_t kFieldSubkey = 1;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr int kBase64 = sodium_base64_VARIANT_ORIGINAL;

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

/// A random nonce from a per-thread pool of the system's randomness, refilled 4 KB at a time: one system call
/// per ~170 values instead of one each (ingest seals several values per message).
void randomNonce(unsigned char* out) {
    constexpr std::size_t kPool = 4096 / kNonceBytes * kNonceBytes;
    thread_local std::array<unsigned char, kPool> pool{};
    thread_local std::size_t used = kPool;
    if (used == kPool) {
        randombytes_buf(pool.data(), pool.size());
        used = 0;
    }
    std::memcpy(out, pool.data() + used, kNonceBytes);
    sodium_memzero(pool.data() + used, kNonceBytes);  // a nonce is never handed out twice
    used += kNonceBytes;
}

}  // namespace

FieldCipher::FieldCipher(const DataKeys& keys) {
    static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == 32);
    event::ensureSodium();
    m_keys.reserve(keys.all().size());
    for (const auto& key : keys.all()) {
        FieldKey k;
        k.id = key.id;
        crypto_kdf_derive_from_key(k.bytes.data(), k.bytes.size(), kFieldSubkey, kFieldContext,
                                   key.bytes.data());
        m_keys.push_back(std::move(k));
    }
}

FieldCipher::~FieldCipher() {
    for (auto& k : m_keys) sodium_memzero(k.bytes.data(), k.bytes.size());
}

const FieldCipher::FieldKey* FieldCipher::find(std::string_view id) const {
    for (const auto& k : m_keys) {
        if (k.id == id) return &k;
    }
    return nullptr;
}

std::string_view FieldCipher::keyIdOf(std::string_view stored) {
    if (!looksSealed(stored)) return {};
    const auto rest = stored.substr(kSealedPrefix.size());
    const auto colon = rest.find(':');
    return colon == std::string_view::npos ? std::string_view{} : rest.substr(0, colon);
}

std::string FieldCipher::seal(std::string_view column, std::string_view plaintext) const {
    const FieldKey& key = m_keys.front();
    std::string raw(kNonceBytes + plaintext.size() + kTagBytes, '\0');
    auto* nonce = reinterpret_cast<unsigned char*>(raw.data());
    randomNonce(nonce);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonceBytes, &written, bytes(plaintext),
                                               plaintext.size(), bytes(column), column.size(), nullptr, nonce,
                                               key.bytes.data());
    const std::size_t rawSize = kNonceBytes + static_cast<std::size_t>(written);
    const std::size_t head = kSealedPrefix.size() + key.id.size() + 1;
    // Base64 by OpenSSL's table encoder: several times faster than libsodium's constant-time one, which
    // protects secrets; a ciphertext is not one (it is what the database shows anyway). Decoding stays strict.
    const std::size_t encoded = 4 * ((rawSize + 2) / 3);
    std::string out(head + encoded + 1, '\0');  // EVP_EncodeBlock writes a terminating NUL
    out.replace(0, head, std::string(kSealedPrefix) + key.id + ":");
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + head), nonce, static_cast<int>(rawSize));
    out.resize(head + static_cast<std::size_t>(n));
    return out;
}

Result<std::string, std::string> FieldCipher::open(std::string_view column, std::string_view stored) const {
    const std::string where = std::string(column) + ": ";
    if (!looksSealed(stored)) return Fail(where + "the value is not sealed");
    const auto rest = stored.substr(kSealedPrefix.size());
    const auto colon = rest.find(':');
    if (colon == std::string_view::npos || colon == 0)
        return Fail(where + "a sealed value without its key id");
    const auto id = rest.substr(0, colon);
    const FieldKey* key = find(id);
    if (key == nullptr) {
        return Fail(where + "sealed under key " + std::string(id) +
                    ", which is not in this hub's data key file");
    }
    const auto b64 = rest.substr(colon + 1);
    std::string raw(b64.size() / 4 * 3 + 3, '\0');
    std::size_t rawSize = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), b64.data(), b64.size(),
                          nullptr, &rawSize, nullptr, kBase64) != 0 ||
        rawSize < kNonceBytes + kTagBytes) {
        return Fail(where + "a malformed sealed value");
    }
    const auto* nonce = bytes(raw);
    std::string plain(rawSize - kNonceBytes - kTagBytes, '\0');
    unsigned long long plainSize = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            reinterpret_cast<unsigned char*>(plain.data()), &plainSize, nullptr, nonce + kNonceBytes,
            rawSize - kNonceBytes, bytes(column), column.size(), nonce, key->bytes.data()) != 0) {
        return Fail(where + "a sealed value that does not open under key " + std::string(id) +
                    " (altered, or moved from another column)");
    }
    plain.resize(static_cast<std::size_t>(plainSize));
    return plain;
}

Result<std::string, std::string> FieldCipher::reveal(std::string_view column, std::string_view stored) const {
    if (!looksSealed(stored)) return std::string(stored);
    return open(column, stored);
}

}  // namespace touchpoint::hub::privacy
