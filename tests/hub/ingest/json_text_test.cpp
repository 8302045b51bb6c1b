// compactJson and appendJsonString against nlohmann's dump(-1, ' ', false, replace): the same bytes for every
// kind of value, for text that needs escapes, and for text that is not UTF-8.

#include "hub/ingest/json_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace touchpoint::hub {
namespace {

using nlohmann::json;

std::string nlohmannText(const json& j) {
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

TEST(JsonText, WritesEveryKindOfValueAsNlohmannDoes) {
    const json message =
        json::parse(R"({"type":"track","messageId":"m1","anonymousId":"s","event":"Feedback Submitted",
        "properties":{"nps":9,"reasons":["staff","queue"],"comment":"très bien ✓ 😀","score":-3,"ratio":0.25,
        "big":18446744073709551615,"min":-9223372036854775808,"whole":1.0,"exp":1E300,"tiny":5e-324,"negzero":-0.0,
        "t":true,"f":false,"n":null,"empty":{},"none":[],"nested":[[{"a":[1,[2,{"b":null}]]}]]}})");
    EXPECT_EQ(compactJson(message), nlohmannText(message));
    for (const json& scalar :
         {json(0), json(-0), json(0u), json(1.5), json(-1e-7), json(nullptr), json(true), json("")}) {
        EXPECT_EQ(compactJson(scalar), nlohmannText(scalar)) << nlohmannText(scalar);
    }
}

TEST(JsonText, EscapesAndRepairsTextAsNlohmannDoes) {
    const std::vector<std::string> texts = {
        "plain ascii",
        "quote \" and backslash \\",
        "controls \b\f\n\r\t \x01 \x1f end",
        std::string("nul \0 inside", 12),
        "delete \x7f kept",
        "two-byte é, three-byte ✓, four-byte 😀",
        "half a character \xC3",
        "lone continuation \x80 byte",
        "overlong \xC0\xAF slash",
        "surrogate \xED\xA0\x80 half",
        "past U+10FFFF \xF4\x90\x80\x80",
        "\xF4\x8F\xBF\xBF last code point",
        "cut four-byte \xF0\x9F\x98",
    };
    for (const auto& text : texts) {
        std::string ours;
        appendJsonString(ours, text);
        EXPECT_EQ(ours, nlohmannText(json(text))) << text;
        // As a key too.
        const json object = {{text, text}};
        EXPECT_EQ(compactJson(object), nlohmannText(object)) << text;
    }
}

TEST(JsonText, FindsASpecialByteAtEveryPlaceInALongText) {
    // Plain text is checked eight bytes at a time: each kind of byte that needs care, at each offset.
    for (const std::string special :
         {"\"", "\\", "\n", "\x01", "\x1f", "\x7f", "\xC3", "\xC3\xA9", "\xF0\x9F\x98\x80", " "}) {
        for (std::size_t at = 0; at <= 24; ++at) {
            std::string text(24, 'a');
            text.insert(at, special);
            std::string ours;
            appendJsonString(ours, text);
            EXPECT_EQ(ours, nlohmannText(json(text))) << at;
        }
    }
}

}  // namespace
}  // namespace touchpoint::hub
