#pragma once
// The one place that decides what a phone number, an email address and a member code are, and how each is
// written once normalised. The kiosk's sign-in, staff lookup, touchpointctl and the hub all call these, so the
// same person typed anywhere becomes the same string and therefore the same keyed hash and the same profile.
// docs/JOURNEY_RULES.md ("Identifiers") states the same rules for people.
//
// Every function trims ASCII whitespace first (common/text.hpp) and refuses text that is empty after that.
//
// Phone: parsed by libphonenumber with `region` (ISO 3166-1 alpha-2, "US") for numbers typed without a
//   country code ("+", or the region's international prefix such as "00" or "011", selects another country),
//   at most kMaxPhoneText characters, then accepted when
//   it is a POSSIBLE number of full length for its country (IsPossibleNumberWithReason == IS_POSSIBLE; a
//   local-only length such as a US number without its area code is refused, since its E.164 form would be
//   wrong), and written in E.164 ("+12025550143"). Possible, not valid, because this is a join key:
//   - "valid" also checks the number blocks a country has allocated, and that list changes with every
//     libphonenumber release. A kiosk, touchpointctl and the hub built against different releases would then
//     disagree on the same number, and a shopper with a newly allocated number could not sign in. Lengths
//     per country change rarely, so "possible" gives every program the same answer.
//   - the hub must still look up and erase every phone it has stored, and it has always stored possible
//     numbers (web and app traffic, the 555-01xx fiction ranges in training and test data).
//   The cost: a number of the right length in an unallocated block (US "111 111 1111") is accepted.
// Email: local@domain with RFC 5321 lengths (at most 254 in all, 64 in the local part, 63 per domain label),
//   a local part of letters, digits and !#$%&'*+/=?^_`{|}~-. without a leading, trailing or doubled dot, a
//   domain of two or more labels of letters, digits and inner hyphens, a top-level label of two or more
//   letters; ASCII only; written lower-cased.
// Member code (a card number typed or scanned, a QR payload): kMinMemberCode..kMaxMemberCode visible ASCII
//   characters (no space) except " ' < > ` \ , which no card or QR payload we issue carries and which only
//   turn an identifier into markup or a quoting escape where it is shown; written as is (case kept).

#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.hpp"
#include "common/text.hpp"
#include "event/kiosk_events.hpp"

namespace touchpoint::event {

inline constexpr std::size_t kMaxPhoneText = 40;   ///< typed text, formatting included
inline constexpr std::size_t kMaxEmail = 254;      ///< RFC 5321 path (256) without its angle brackets
inline constexpr std::size_t kMaxEmailLocal = 64;  ///< RFC 5321 local part
inline constexpr std::size_t kMaxDomainLabel = 63; ///< RFC 1035 label
inline constexpr std::size_t kMinMemberCode = 4;
inline constexpr std::size_t kMaxMemberCode = 64;

/// Why a text is not an identifier. Callers map it to their own error (a translation key, a CLI message).
enum class IdentifierError {
    Empty,    ///< nothing but whitespace
    Length,   ///< too long (or, for a member code, too short)
    Invalid,  ///< not that kind of identifier (no number, not possible, not an address, a forbidden character)
};
std::string_view toString(IdentifierError error);

/// "(202) 555-0143" with region "US" -> "+12025550143".
Result<std::string, IdentifierError> normalizePhone(std::string_view text, const std::string& region);
/// " Ana@Example.PT " -> "ana@example.pt".
Result<std::string, IdentifierError> normalizeEmail(std::string_view text);
/// " AB/12 " -> "AB/12".
Result<std::string, IdentifierError> normalizeMemberCode(std::string_view text);
/// The one of the three that `type` names; `region` is used for phones only.
Result<std::string, IdentifierError> normalizeIdentifier(Identity::Type type, std::string_view text,
                                                         const std::string& region);

/// normalizePhone with its answers remembered, up to a bound, then forgotten all at once. libphonenumber's
/// parse (a pipeline of ICU regular expressions, about 10 us) is the dearest step of hub ingest after opening
/// sealed fields, and loyalty shoppers come back. The answer depends only on the text and the region, so
/// remembering changes nothing. Thread-safe.
class PhoneMemo {
public:
    explicit PhoneMemo(std::size_t capacity = 65'536) : m_capacity(capacity) {}  // ~8 MB at most
    Result<std::string, IdentifierError> normalize(std::string_view text, const std::string& region);

private:
    std::size_t m_capacity;
    std::mutex m_mutex;
    std::unordered_map<std::string, Result<std::string, IdentifierError>> m_answers;
};

}  // namespace touchpoint::event
