// parseWellFormedJson (simdjson) against nlohmann::json::parse on the same text: the same tree, the same
// number kinds, the same bytes written back; and nothing at all for text it must leave to nlohmann.

#include "hub/ingest/json_fast_path.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace touchpoint::hub {
namespace {

using nlohmann::json;

constexpr std::size_t kLevels = 18;
constexpr std::size_t kBytes = 512 * 1024;

/// Every value in `a` and `b` has the same kind (unsigned, signed, float, ...) at the same place.
void expectSameKinds(const json& a, const json& b, const std::string& where) {
    ASSERT_EQ(a.type(), b.type()) << where;
    if (a.is_object()) {
        for (auto it = a.begin(); it != a.end(); ++it)
            expectSameKinds(it.value(), b.at(it.key()), where + "." + it.key());
    } else if (a.is_array()) {
        for (std::size_t i = 0; i < a.size(); ++i)
            expectSameKinds(a[i], b[i], where + "[" + std::to_string(i) + "]");
    }
}

void expectSameAsNlohmann(const std::string& text) {
    const auto fast = parseWellFormedJson(text, kLevels, kBytes);
    ASSERT_TRUE(fast.has_value()) << text;
    const json slow = json::parse(text);
    EXPECT_EQ(*fast, slow) << text;
    EXPECT_EQ(fast->dump(), slow.dump()) << text;
    expectSameKinds(*fast, slow, "$");
}

TEST(JsonFastPath, ReadsWhatNlohmannReads) {
    const std::vector<std::string> texts = {
        R"({"batch":[{"type":"track","messageId":"m1","anonymousId":"s","event":"Feedback Submitted",
            "properties":{"nps":9,"reasons":["staff","queue"],"comment":"très bien \u00e9 \"quoted\" \\ \n tab\t",
            "score":-3,"ratio":0.25,"big":18446744073709551615,"min":-9223372036854775808,"max":9223372036854775807,
            "exp":1E2,"tiny":5e-324,"neg":-1.5e300,"negzero":-0.0,"t":true,"f":false,"n":null,"nul":"a\u0000b",
            "pair":"\ud83d\ude00","empty":{},"none":[]}}],"sentAt":"2026-11-19T10:00:00Z"})",
        R"([1,2,3])",
        R"("just a string")",
        R"(42)",
        R"(  {"a" : [ 1 , { "b" : null } ] }  )",
        "\xEF\xBB\xBF{\"bom\":1}",
    };
    for (const auto& text : texts) {
        // A byte-order mark is skipped by nlohmann; simdjson may refuse it, which leaves it to nlohmann.
        if (text.rfind("\xEF\xBB\xBF", 0) == 0 && !parseWellFormedJson(text, kLevels, kBytes)) continue;
        expectSameAsNlohmann(text);
    }
}

TEST(JsonFastPath, TheLastOfARepeatedKeyWinsAsInNlohmann) {
    expectSameAsNlohmann(R"({"a":1,"b":2,"a":{"c":3}})");
    EXPECT_EQ(parseWellFormedJson(R"({"a":1,"a":"two"})", kLevels, kBytes)->at("a"), "two");
}

TEST(JsonFastPath, MinusZeroIsTheOneIntegerWhoseKindDiffersAndNoReaderSeesIt) {
    const auto fast = parseWellFormedJson(R"({"z":-0})", kLevels, kBytes);
    ASSERT_TRUE(fast.has_value());
    const json slow = json::parse(R"({"z":-0})");
    EXPECT_EQ(*fast, slow);
    EXPECT_EQ(fast->dump(), slow.dump());
    EXPECT_EQ(fast->at("z").get<std::int64_t>(), 0);
}

TEST(JsonFastPath, LeavesEverythingElseToNlohmann) {
    const std::vector<std::string> texts = {
        "",
        "{",
        R"({"a":1,})",
        R"({"a":01})",
        R"({"a":1.})",
        R"({"a":tru})",
        R"({"a":"\ud800"})",              // a lone surrogate
        "{\"a\":\"\x01\"}",               // an unescaped control character
        R"({"a":18446744073709551616})",  // past 64 bits: nlohmann makes it a double
        R"({"a":-9223372036854775809})",
        R"({"a":1e400})",
        R"({"a":1} {"b":2})",
        R"({"a":1} x)",
        "{\"a\":\"\xC3\x28\"}",  // invalid UTF-8
        "// comment\n{}",
    };
    for (const auto& text : texts)
        EXPECT_FALSE(parseWellFormedJson(text, kLevels, kBytes).has_value()) << text;
}

TEST(JsonFastPath, NestingUpToTheGivenLevelsIsReadAndOneMoreIsNot) {
    const auto nested = [](std::size_t levels) {
        return std::string(levels, '[') + "1" + std::string(levels, ']');
    };
    expectSameAsNlohmann(nested(kLevels));
    EXPECT_FALSE(parseWellFormedJson(nested(kLevels + 1), kLevels, kBytes).has_value());
    EXPECT_FALSE(parseWellFormedJson(nested(200), kLevels, kBytes).has_value());
    // Objects count as levels too.
    std::string objects = "1";
    for (std::size_t i = 0; i < kLevels + 1; ++i) objects = R"({"k":)" + objects + "}";
    EXPECT_FALSE(parseWellFormedJson(objects, kLevels, kBytes).has_value());
    EXPECT_TRUE(parseWellFormedJson(objects.substr(5, objects.size() - 6), kLevels, kBytes).has_value());
}

TEST(JsonFastPath, TextLongerThanTheLimitIsNotRead) {
    const std::string text = "[\"" + std::string(1000, 'x') + "\"]";
    EXPECT_FALSE(parseWellFormedJson(text, kLevels, text.size() - 1).has_value());
    EXPECT_TRUE(parseWellFormedJson(text, kLevels, text.size()).has_value());
}

TEST(JsonFastPath, OneReaderServesBodiesOfEverySizeInTurn) {
    // The thread's reader grows for a large body and still reads small ones after it.
    std::string large = "[";
    for (int i = 0; i < 20'000; ++i) large += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
    large += "]";
    for (const std::string& text : {std::string("[1]"), large, std::string(R"({"a":[true]})"), large}) {
        expectSameAsNlohmann(text);
    }
}

}  // namespace
}  // namespace touchpoint::hub
