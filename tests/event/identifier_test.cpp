// One table of identifiers, run through every program's entry point: the shared module, the kiosk's sign-in
// validation, staff lookup, touchpointctl and the hub. Each must give the same answer, because the answer is
// the join key: a number the kiosk records must be the number staff look up and the hub stores and erases.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ctl/identity_input.hpp"
#include "event/identifier.hpp"
#include "hub/ingest/identity.hpp"
#ifdef TOUCHPOINT_TEST_KIOSK_CALLERS
#include "core/validation.hpp"
#include "staff/identifier.hpp"
#endif

namespace touchpoint::event {
namespace {

using Type = Identity::Type;

/// What one caller answered: the normalised value, or refused (and, where the caller tells, whether as empty).
struct Answer {
    std::optional<std::string> value;
    std::optional<bool> empty;  ///< set by callers that report "empty" apart from "invalid"
};

struct Caller {
    std::string name;
    std::vector<Type> types;  ///< the identifier kinds this caller normalises
    std::function<Answer(Type, const std::string& text, const std::string& region)> run;
};

template <class R>
Answer fromResult(const R& r, std::optional<bool> empty) {
    if (r) return {*r, std::nullopt};
    return {std::nullopt, empty};
}

std::vector<Caller> callers() {
    std::vector<Caller> all;
    all.push_back({"event::normalizeIdentifier", {Type::Phone, Type::Email, Type::Member},
                   [](Type t, const std::string& text, const std::string& region) {
                       auto r = normalizeIdentifier(t, text, region);
                       return fromResult(r, r ? std::nullopt : std::optional(r.error() == IdentifierError::Empty));
                   }});
    all.push_back({"event::PhoneMemo (twice)", {Type::Phone},
                   [](Type, const std::string& text, const std::string& region) {
                       PhoneMemo memo(4);
                       auto first = memo.normalize(text, region);
                       auto second = memo.normalize(text, region);  // the remembered answer
                       EXPECT_EQ(first.ok(), second.ok()) << text;
                       if (first && second) {
                           EXPECT_EQ(*first, *second) << text;
                       }
                       return fromResult(second, second ? std::nullopt
                                                        : std::optional(second.error() == IdentifierError::Empty));
                   }});
    all.push_back({"touchpointctl", {Type::Phone, Type::Email, Type::Member},
                   [](Type t, const std::string& text, const std::string& region) {
                       switch (t) {
                           case Type::Phone: return fromResult(ctl::normalizePhone(text, region), std::nullopt);
                           case Type::Email: return fromResult(ctl::normalizeEmail(text), std::nullopt);
                           case Type::Member: break;
                       }
                       return fromResult(ctl::normalizeMember(text), std::nullopt);
                   }});
    all.push_back({"touchpointctl --identity", {Type::Phone, Type::Email, Type::Member},
                   [](Type t, const std::string& text, const std::string& region) {
                       auto r = ctl::parseIdentityArg(std::string(toString(t)) + ":" + text, region);
                       if (r) {
                           EXPECT_EQ(r->type, t);
                       }
                       return r ? Answer{r->value, std::nullopt} : Answer{};
                   }});
    all.push_back({"hub", {Type::Phone, Type::Email, Type::Member},
                   [](Type t, const std::string& text, const std::string& region) {
                       auto r = t == Type::Phone   ? hub::normalizePhone(text, region)
                                : t == Type::Email ? hub::normalizeEmail(text)
                                                   : hub::normalizeMemberCode(text);
                       return Answer{r, std::nullopt};
                   }});
#ifdef TOUCHPOINT_TEST_KIOSK_CALLERS
    all.push_back({"kiosk sign-in", {Type::Phone, Type::Email, Type::Member},
                   [](Type t, const std::string& text, const std::string& region) {
                       using kiosk::InputError;
                       auto r = t == Type::Phone   ? kiosk::PhoneValidator(region).normalize(text)
                                : t == Type::Email ? kiosk::normalizeEmail(text)
                                                   : kiosk::normalizeMemberCode(text);
                       return fromResult(r, r ? std::nullopt : std::optional(r.error() == InputError::Empty));
                   }});
    all.push_back({"staff lookup", {Type::Phone, Type::Email, Type::Member},
                   [](Type t, const std::string& text, const std::string& region) {
                       using kiosk::staff::LookupMode;
                       const LookupMode mode =
                           t == Type::Phone ? LookupMode::Phone : t == Type::Email ? LookupMode::Email : LookupMode::Card;
                       auto r = kiosk::staff::normalizeIdentifier(mode, text, region);
                       if (!r) return Answer{std::nullopt, r.error() == kiosk::staff::IdentifierError::Empty};
                       EXPECT_EQ(r->type, t);
                       return Answer{r->value, std::nullopt};
                   }});
#endif
    return all;
}

struct Row {
    Type type;
    std::string text;
    std::optional<std::string> expected;  ///< nullopt: refused
    std::string region = "US";
    bool empty = false;                   ///< refused as empty (callers that tell say so)
};

std::vector<Row> table() {
    const auto refused = std::nullopt;
    const std::string kLongDomain =
        "a@" + std::string(63, 'b') + "." + std::string(63, 'c') + "." + std::string(63, 'd') + ".";
    return {
        // Phones: possible for the region (full length), written in E.164.
        {Type::Phone, "(202) 555-0143", "+12025550143"},
        {Type::Phone, " 2025550143 ", "+12025550143"},
        {Type::Phone, "+1 (202) 555-0143", "+12025550143"},
        {Type::Phone, "0049 30 901820", "+4930901820", "DE"},  // the region's international prefix
        {Type::Phone, "011 49 30 901820", "+4930901820"},
        {Type::Phone, "+49 30 901820", "+4930901820"},
        {Type::Phone, "+44 20 7946 0958", "+442079460958"},
        {Type::Phone, "030 901820", "+4930901820", "DE"},
        {Type::Phone, "020 7946 0018", "+442079460018", "GB"},
        {Type::Phone, "020 7946 0958", "+492079460958", "DE"},  // possible in DE, not allocated
        {Type::Phone, "+1 555 555 0123", "+15555550123"},       // fiction range: possible, not valid
        {Type::Phone, "5555550123", "+15555550123"},
        {Type::Phone, "1111111111", "+11111111111"},            // right length, unallocated area code
        {Type::Phone, "555-0143", refused},                     // local-only length: no area code
        {Type::Phone, "12", refused},
        {Type::Phone, "12345", refused},
        {Type::Phone, "abc", refused},
        {Type::Phone, "call me maybe", refused},
        {Type::Phone, "(202) 555-0123", refused, "ZZ"},         // no region and no country code
        {Type::Phone, std::string(41, '9'), refused},
        {Type::Phone, std::string(200, '9'), refused},
        {Type::Phone, "", refused, "US", true},
        {Type::Phone, " \t ", refused, "US", true},
        // Emails: shape and RFC 5321 lengths, lower-cased.
        {Type::Email, " Ana.Silva+kiosk@Example.PT ", "ana.silva+kiosk@example.pt"},
        {Type::Email, "a@b.co", "a@b.co"},
        {Type::Email, "Ann.B@example.co.uk", "ann.b@example.co.uk"},
        {Type::Email, "o'neil@my-shop.example", "o'neil@my-shop.example"},
        {Type::Email, std::string(64, 'a') + "@example.com", std::string(64, 'a') + "@example.com"},
        {Type::Email, std::string(65, 'a') + "@example.com", refused},
        {Type::Email, "a@" + std::string(63, 'b') + ".com", "a@" + std::string(63, 'b') + ".com"},
        {Type::Email, "a@" + std::string(64, 'b') + ".com", refused},
        {Type::Email, kLongDomain + std::string(56, 'e') + ".com", kLongDomain + std::string(56, 'e') + ".com"},  // 254
        {Type::Email, kLongDomain + std::string(57, 'e') + ".com", refused},  // 255 characters
        {Type::Email, "ana", refused},
        {Type::Email, "no-at-sign", refused},
        {Type::Email, "@example.com", refused},
        {Type::Email, "ana@", refused},
        {Type::Email, "ana@example", refused},
        {Type::Email, "a@b", refused},
        {Type::Email, "a@b.c", refused},
        {Type::Email, "ana@@example.com", refused},
        {Type::Email, "ana@exa mple.com", refused},
        {Type::Email, "a b@c.de", refused},
        {Type::Email, "ana..b@example.com", refused},
        {Type::Email, ".ana@example.com", refused},
        {Type::Email, "ana.@example.com", refused},
        {Type::Email, "ana@example..com", refused},
        {Type::Email, "ana@-example.com", refused},
        {Type::Email, "ana@example-.com", refused},
        {Type::Email, "ana@example.c0m", refused},
        {Type::Email, "\xc3\xa1na@example.com", refused},  // "ána": ASCII only
        {Type::Email, "", refused, "US", true},
        {Type::Email, "  ", refused, "US", true},
        // Member codes: 4..64 visible ASCII characters except " ' < > ` \, kept as scanned.
        {Type::Member, " 400012345678 ", "400012345678"},
        {Type::Member, "M-000123\n", "M-000123"},
        {Type::Member, "TP:M-000123", "TP:M-000123"},
        {Type::Member, "AB/12", "AB/12"},
        {Type::Member, "M_12", "M_12"},
        {Type::Member, "abcD", "abcD"},
        {Type::Member, std::string(64, '7'), std::string(64, '7')},
        {Type::Member, std::string(65, '7'), refused},
        {Type::Member, "12", refused},
        {Type::Member, "M99", refused},
        {Type::Member, "12 34 56", refused},
        {Type::Member, "bad id!", refused},
        {Type::Member, "<script>", refused},
        {Type::Member, "ab\"cd", refused},
        {Type::Member, "ab'cd", refused},
        {Type::Member, "ab`cd", refused},
        {Type::Member, "ab\\cd", refused},
        {Type::Member, "ab\x01" "cd", refused},
        {Type::Member, "\xc3\x84" "BCD", refused},  // "ÄBCD": ASCII only
        {Type::Member, "", refused, "US", true},
        {Type::Member, "\t\n", refused, "US", true},
    };
}

TEST(Identifier, EveryCallerGivesTheSameAnswerForEveryRow) {
    const auto all = callers();
#ifdef TOUCHPOINT_TEST_KIOSK_CALLERS
    ASSERT_EQ(all.size(), 7u);
#else
    ASSERT_EQ(all.size(), 5u);
#endif
    int checked = 0;
    for (const Row& row : table()) {
        for (const Caller& caller : all) {
            if (std::find(caller.types.begin(), caller.types.end(), row.type) == caller.types.end()) continue;
            const Answer answer = caller.run(row.type, row.text, row.region);
            SCOPED_TRACE(caller.name + " on " + std::string(toString(row.type)) + " '" + row.text + "' (" + row.region + ")");
            EXPECT_EQ(answer.value, row.expected);
            if (!row.expected && answer.empty) {
                EXPECT_EQ(*answer.empty, row.empty);
            }
            ++checked;
        }
    }
    EXPECT_GT(checked, 300);
}

TEST(Identifier, TrimIsAsciiWhitespaceOnly) {
    EXPECT_EQ(trim(" \t\r\n\v\fx y\r\n"), "x y");
    EXPECT_EQ(trim("   "), "");
    EXPECT_EQ(trim("\xc2\xa0x"), "\xc2\xa0x");  // a UTF-8 no-break space is text, not padding
    EXPECT_EQ(asciiLower("AbC-\xc3\x84"), "abc-\xc3\x84");
}

TEST(Identifier, PhoneMemoForgetsAtItsBoundAndStillAnswers) {
    PhoneMemo memo(2);
    for (int round = 0; round < 3; ++round) {
        for (const char* typed : {"2025550143", "2025550144", "2025550145", "12"}) {
            EXPECT_EQ(memo.normalize(typed, "US").ok(), std::string(typed) != "12") << typed;
        }
    }
    EXPECT_EQ(*memo.normalize("2025550143", "US"), "+12025550143");
    EXPECT_EQ(*memo.normalize("2025550143", "GB"), "+442025550143");  // the region is part of the key
}

}  // namespace
}  // namespace touchpoint::event
