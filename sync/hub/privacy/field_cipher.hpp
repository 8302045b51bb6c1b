#pragma once
// Personal fields sealed at rest: each value the hub keeps about a person (a stored message, a comment, a
// contact, an account's traits, a case note or outcome, an identifier's display value) is encrypted with
// libsodium's XChaCha20-Poly1305 (IETF) under a subkey of the data key derived for fields, never the raw key.
// The nonce
// is random per value and the associated data is the column's name, so a value copied into another column
// does not open. Stored as text:
//
//     "tpf1:" <key id> ":" base64(nonce || ciphertext)
//
// The prefix tells a sealed value from a plaintext one written before encryption (the schema step that seals
// them, store/sql_schema.cpp); the key id picks the key that opens it, so values made under a retired key
// still open (docs/OPERATIONS.md "Personal data: keys, erasure, retention").

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "hub/privacy/data_key.hpp"

namespace touchpoint::hub::privacy {

/// What every sealed value starts with.
inline constexpr std::string_view kSealedPrefix = "tpf1:";

/// The columns whose values are sealed; each is the associated data of its values.
namespace columns {
inline constexpr std::string_view kEventPayload = "events.payload";
inline constexpr std::string_view kFeedbackComment = "feedback.comment";
inline constexpr std::string_view kContactValue = "feedback_contacts.value";
inline constexpr std::string_view kGroupTraits = "account_groups.traits";
inline constexpr std::string_view kCaseNoteText = "case_notes.text";
inline constexpr std::string_view kCaseOutcome = "cases.outcome";
inline constexpr std::string_view kIdentifierValue = "identifiers.sealed_value";
inline constexpr std::string_view kProfileMemberId = "profiles.member_id";
inline constexpr std::string_view kMergeWinnerBefore = "merges.winner_before";
inline constexpr std::string_view kMergeLoserBefore = "merges.loser_before";
}  // namespace columns

class FieldCipher {
  public:
    /// Derives one field subkey per key of `keys` (current first); the raw keys are not kept.
    explicit FieldCipher(const DataKeys& keys);
    ~FieldCipher();
    FieldCipher(const FieldCipher&) = default;
    FieldCipher& operator=(const FieldCipher&) = default;

    /// `plaintext` sealed under the current key for `column`.
    std::string seal(std::string_view column, std::string_view plaintext) const;
    /// The plaintext of a sealed value of `column`. An error (never the value) when it is not sealed, is
    /// malformed, names a key this hub does not hold, or does not authenticate (tampered, or from another
    /// column).
    Result<std::string, std::string> open(std::string_view column, std::string_view stored) const;
    /// open() for a sealed value; a value without the prefix (written before encryption) as it is.
    Result<std::string, std::string> reveal(std::string_view column, std::string_view stored) const;

    /// Whether `stored` carries the sealed prefix (it may still fail to open).
    static bool looksSealed(std::string_view stored) {
        return stored.substr(0, kSealedPrefix.size()) == kSealedPrefix;
    }
    /// The id of the key that sealed `stored`, or "" when it is not sealed.
    static std::string_view keyIdOf(std::string_view stored);
    const std::string& currentKeyId() const { return m_keys.front().id; }

  private:
    struct FieldKey {
        std::string id;
        std::array<unsigned char, 32> bytes{};
    };
    const FieldKey* find(std::string_view id) const;
    std::vector<FieldKey> m_keys;  ///< never empty; current first
};

}  // namespace touchpoint::hub::privacy
