#include "hub/privacy/data_key.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/text.hpp"
#include "common/tls_cert.hpp"
#include "event/sealing.hpp"

namespace touchpoint::hub::privacy {

namespace {

// crypto_kdf contexts are 8 bytes; one subkey per use, so a value keyed for one use says nothing about another.
constexpr char kIdentifierContext[crypto_kdf_CONTEXTBYTES + 1] = "tp-ident";
constexpr std::uint64_t kIdentifierSubkey = 1;

std::string hex(const unsigned char* data, std::size_t n) {
    std::string out(n * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), data, n);
    out.pop_back();
    return out;
}

void deriveSubkeys(DataKey& key) {
    static_assert(crypto_generichash_KEYBYTES == kDataKeyBytes);
    crypto_kdf_derive_from_key(key.identifierSubkey.data(), key.identifierSubkey.size(), kIdentifierSubkey,
                               kIdentifierContext, key.bytes.data());
}

bool validKeyId(std::string_view id) {
    if (id.empty() || id.size() > 32) return false;
    for (const char c : id) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

}  // namespace

Result<DataKeys, std::string> DataKeys::parse(std::string_view text, const std::string& name) {
    event::ensureSodium();
    DataKeys keys;
    std::istringstream in{std::string(text)};
    int lineNo = 0;
    for (std::string line; std::getline(in, line);) {
        ++lineNo;
        const auto t = trim(line);
        if (t.empty() || t.front() == '#') continue;
        const std::string where = name + ":" + std::to_string(lineNo) + ": ";
        const auto space = t.find_first_of(" \t");
        if (space == std::string_view::npos) return Fail(where + "expected \"<key id> <base64 key>\"");
        const auto id = t.substr(0, space);
        const auto b64 = trim(t.substr(space + 1));
        if (!validKeyId(id)) return Fail(where + "the key id must be 1..32 letters, digits, '-' or '_'");
        DataKey key;
        key.id = std::string(id);
        std::size_t length = 0;
        if (sodium_base642bin(key.bytes.data(), key.bytes.size(), b64.data(), b64.size(), nullptr, &length, nullptr,
                              sodium_base64_VARIANT_ORIGINAL) != 0 ||
            length != kDataKeyBytes) {
            return Fail(where + "the key must be " + std::to_string(kDataKeyBytes) + " bytes in base64");
        }
        for (const auto& other : keys.m_keys) {
            if (other.id == key.id) return Fail(where + "key id " + key.id + " appears twice");
        }
        deriveSubkeys(key);
        keys.m_keys.push_back(std::move(key));
    }
    if (keys.m_keys.empty()) return Fail(name + ": no key in the file");
    return keys;
}

Result<DataKeys, std::string> DataKeys::readFile(const std::string& path) {
    auto resolved = resolveDataKeyPath(path);
    if (!resolved) return Fail(resolved.error());
    std::ifstream in(*resolved, std::ios::binary);
    if (!in) return Fail("data key file " + *resolved + ": cannot open (" + dataKeyHelp(*resolved) + ")");
    std::stringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return Fail("data key file " + *resolved + ": cannot read");
    auto keys = parse(ss.str(), *resolved);
    if (!keys) return Fail("data key file " + keys.error());
    return keys;
}

const DataKeys& DataKeys::processLocal() {
    static const DataKeys keys = [] {
        event::ensureSodium();
        DataKeys k;
        DataKey key;
        key.id = "process-local";
        randombytes_buf(key.bytes.data(), key.bytes.size());
        deriveSubkeys(key);
        k.m_keys.push_back(key);
        return k;
    }();
    return keys;
}

std::string DataKeys::identifierTag(const DataKey& key, std::string_view kind, std::string_view value) {
    crypto_generichash_state state;
    crypto_generichash_init(&state, key.identifierSubkey.data(), key.identifierSubkey.size(), crypto_generichash_BYTES);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kind.data()), kind.size());
    const unsigned char colon = ':';
    crypto_generichash_update(&state, &colon, 1);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(value.data()), value.size());
    unsigned char out[crypto_generichash_BYTES];
    crypto_generichash_final(&state, out, sizeof out);
    return key.id + ":" + hex(out, sizeof out);
}

std::vector<std::string> DataKeys::identifierTags(std::string_view kind, std::string_view value) const {
    std::vector<std::string> tags;
    tags.reserve(m_keys.size());
    for (const auto& key : m_keys) tags.push_back(identifierTag(key, kind, value));
    return tags;
}

Result<std::string, std::string> resolveDataKeyPath(const std::string& path) {
    if (path.rfind(kCredentialsPrefix, 0) != 0) return path;
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (dir == nullptr || *dir == '\0') {
        return Fail("data key file " + path +
                    ": CREDENTIALS_DIRECTORY is not set (run the hub from its systemd unit, which loads the "
                    "credential with LoadCredential=, or name the key file by its path)");
    }
    return std::string(dir) + "/" + path.substr(kCredentialsPrefix.size());
}

Result<std::string, std::string> createDataKeyFile(const std::filesystem::path& file) {
    event::ensureSodium();
    std::error_code ec;
    if (std::filesystem::exists(file, ec)) return Fail(file.string() + " exists; not overwriting a data key");
    const auto dir = file.parent_path();
    if (!dir.empty() && !std::filesystem::exists(dir, ec)) {
        std::filesystem::create_directories(dir, ec);
        if (ec) return Fail("create " + dir.string() + ": " + ec.message());
        ::chmod(dir.c_str(), 0700);
    }
    DataKey key;
    unsigned char idBytes[4];
    randombytes_buf(idBytes, sizeof idBytes);
    key.id = "dk" + hex(idBytes, sizeof idBytes);
    randombytes_buf(key.bytes.data(), key.bytes.size());
    std::string b64(sodium_base64_ENCODED_LEN(kDataKeyBytes, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(b64.data(), b64.size(), key.bytes.data(), key.bytes.size(), sodium_base64_VARIANT_ORIGINAL);
    b64.resize(std::char_traits<char>::length(b64.c_str()));
    const std::string text = "# touchpoint-hub data key: keep it apart from the database and its backups.\n" + key.id +
                             " " + b64 + "\n";
    sodium_memzero(key.bytes.data(), key.bytes.size());
    if (auto r = tls::writeFileAtomically(file.string(), text, 0600); !r) return Fail(r.error());
    return key.id;
}

std::string dataKeyHelp(const std::string& path) {
    return "make one with `touchpoint-hub keys create --file " + path +
           "`, in a folder apart from the database's, and name it in [privacy] data_key_file";
}

}  // namespace touchpoint::hub::privacy
