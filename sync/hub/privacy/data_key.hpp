#pragma once
// The hub's data key: a secret kept outside the database folder (a key file given by path, or a systemd
// credential), so that a copied database or backup does not carry what it takes to read or link it. Every
// key has an id; the first key of the file is the current one, the others are retired ones kept so that
// what was made under them can still be recognised (docs/OPERATIONS.md "Personal data: keys, erasure,
// retention").
//
// Key file: one key a line, "<id> <base64 of 32 random bytes>"; blank lines and lines starting with '#' are
// skipped. Made by `touchpoint-hub keys create` (mode 0600).

#include <array>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace touchpoint::hub::privacy {

inline constexpr std::size_t kDataKeyBytes = 32;
/// What a config's data_key_file may start with to name a systemd credential (LoadCredential=).
inline constexpr std::string_view kCredentialsPrefix = "${CREDENTIALS_DIRECTORY}/";

struct DataKey {
    std::string id;  ///< "dk" + 8 hex digits: short, random, printable
    std::array<unsigned char, kDataKeyBytes> bytes{};
    /// The subkey identifier tags are keyed with, derived once when the key is read (tags are made for every
    /// identifier of every ingested message).
    std::array<unsigned char, kDataKeyBytes> identifierSubkey{};
};

class DataKeys {
public:
    /// Reads a key file; the error says which file and what is wrong with it (never the key).
    static Result<DataKeys, std::string> readFile(const std::string& path);
    /// From key file text (tests); `name` stands in for the file in messages.
    static Result<DataKeys, std::string> parse(std::string_view text, const std::string& name);
    /// A key made once per process and kept only in memory: for configs built in code (tests, benches), which
    /// name no key file. Keyed values made under it mean nothing to another process.
    static const DataKeys& processLocal();

    const DataKey& current() const { return m_keys.front(); }
    const std::vector<DataKey>& all() const { return m_keys; }

    /// The keyed tag of an identifier under `key`: "<key id>:" + hex of BLAKE2b-256 keyed with a subkey
    /// derived for identifiers, over "kind:value". Without the key it cannot be recomputed, so a table of
    /// tags does not say whose they are (tombstones, staff lookups).
    static std::string identifierTag(const DataKey& key, std::string_view kind, std::string_view value);
    /// The tag under the current key (what is written).
    std::string identifierTag(std::string_view kind, std::string_view value) const {
        return identifierTag(current(), kind, value);
    }
    /// The tags under every key, current first (what is looked for).
    std::vector<std::string> identifierTags(std::string_view kind, std::string_view value) const;

private:
    DataKeys() = default;  // only through readFile, parse or processLocal: never without a key
    std::vector<DataKey> m_keys;  ///< never empty
};

/// `path` with a leading ${CREDENTIALS_DIRECTORY}/ replaced by that environment variable (systemd sets it
/// for a unit with LoadCredential=); an error when the variable is needed and unset.
Result<std::string, std::string> resolveDataKeyPath(const std::string& path);

/// Writes a new key file (its folder made 0700 when missing, the file 0600) and returns the key's id.
/// Refuses to overwrite an existing file.
Result<std::string, std::string> createDataKeyFile(const std::filesystem::path& file);

/// The line to give someone whose hub names no usable data key.
std::string dataKeyHelp(const std::string& path);

}  // namespace touchpoint::hub::privacy
