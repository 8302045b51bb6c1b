// Percent-decoding of paths and queries (libcurl's decoder with the hub's rules around it): '+' is a space
// only in a query and an encoded one stays a '+'; a malformed escape is refused, never passed through.

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "hub/http/http_message.hpp"

namespace touchpoint::hub::http {
namespace {

TEST(PercentDecode, DecodesEscapesInEitherCase) {
    EXPECT_EQ(percentDecode("a%20b%21", false), std::optional<std::string>("a b!"));
    EXPECT_EQ(percentDecode("%2b%2B%c3%A9", false), std::optional<std::string>("++\xc3\xa9"));
    EXPECT_EQ(percentDecode("plain/path-1", false), std::optional<std::string>("plain/path-1"));
    EXPECT_EQ(percentDecode("", true), std::optional<std::string>(""));
    EXPECT_EQ(percentDecode("a%00b", false), std::optional<std::string>(std::string("a\0b", 3)));
}

TEST(PercentDecode, PlusIsASpaceOnlyInAQuery) {
    EXPECT_EQ(percentDecode("a+b", true), std::optional<std::string>("a b"));
    EXPECT_EQ(percentDecode("a+b", false), std::optional<std::string>("a+b"));
    EXPECT_EQ(percentDecode("%2B12025550166+x", true), std::optional<std::string>("+12025550166 x"));
}

TEST(PercentDecode, RefusesAMalformedEscape) {
    for (const char* bad : {"%", "%4", "a%zz", "%G1", "%1G", "ok%2", "%%41", "%4%41"}) {
        EXPECT_EQ(percentDecode(bad, true), std::nullopt) << bad;
        EXPECT_EQ(percentDecode(bad, false), std::nullopt) << bad;
    }
}

TEST(ParseQuery, DecodesPairsAndRefusesABadEscape) {
    Params params;
    ASSERT_TRUE(parseQuery("phone=%2B1202+555&name=a+b&&flag", params));
    EXPECT_EQ(params.find("phone")->second, "+1202 555");
    EXPECT_EQ(params.find("name")->second, "a b");
    EXPECT_EQ(params.find("flag")->second, "");
    Params refused;
    EXPECT_FALSE(parseQuery("a=1&b=%zz", refused));
    EXPECT_FALSE(parseQuery("a%=1", refused));
}

TEST(ParseQuery, RefusesMorePairsThanAllowed) {
    Params params;
    EXPECT_TRUE(parseQuery("a=1&b=2", params, 2));
    EXPECT_FALSE(parseQuery("a=1&b=2&c=3", params, 2));
}

}  // namespace
}  // namespace touchpoint::hub::http
