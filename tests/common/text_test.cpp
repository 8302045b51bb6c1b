#include "common/text.hpp"

#include <gtest/gtest.h>

namespace touchpoint {
namespace {

TEST(ClosestMatch, SuggestsOnlyAKeyWithinAFewEdits) {
    const std::vector<std::string> keys{"per_token_per_second", "per_token_burst", "points", "stores", "to"};
    EXPECT_EQ(closestMatch("per_token_brust", keys), "per_token_burst");  // two letters swapped
    EXPECT_EQ(closestMatch("pionts", keys), "points");
    EXPECT_EQ(closestMatch("store", keys), "stores");                     // one letter missing
    EXPECT_EQ(closestMatch("bcc", keys), "");                             // three edits from "to": too far
    EXPECT_EQ(closestMatch("workers", {"worker_threads", "listen", "port"}), "");
    EXPECT_EQ(closestMatch("anything", {}), "");
}

TEST(Utf8SequenceLength, CountsAWellFormedSequenceAndNothingElse) {
    EXPECT_EQ(utf8SequenceLength("a", 0), 1u);
    EXPECT_EQ(utf8SequenceLength("x\xC3\xA9", 1), 2u);         // é, not at the start
    EXPECT_EQ(utf8SequenceLength("\xE5\xBC\xA0", 0), 3u);      // 张
    EXPECT_EQ(utf8SequenceLength("\xF0\x9F\x98\x80", 0), 4u);  // an emoji
    EXPECT_EQ(utf8SequenceLength("\xF4\x8F\xBF\xBF", 0), 4u);  // U+10FFFF, the last
    EXPECT_EQ(utf8SequenceLength("\xA9", 0), 0u);              // a continuation byte
    EXPECT_EQ(utf8SequenceLength("\xE5\xBC", 0), 0u);          // cut short at the end
    EXPECT_EQ(utf8SequenceLength("\xC1\xBF", 0), 0u);          // overlong
    EXPECT_EQ(utf8SequenceLength("\xE0\x9F\xBF", 0), 0u);      // overlong
    EXPECT_EQ(utf8SequenceLength("\xED\xB0\x80", 0), 0u);      // a UTF-16 surrogate
    EXPECT_EQ(utf8SequenceLength("\xF4\x90\x80\x80", 0), 0u);  // past U+10FFFF
    EXPECT_EQ(utf8SequenceLength("\xF5\x80\x80\x80", 0), 0u);
}

TEST(FirstInitial, IsAWholeCharacterInCapitalsWhereLatin) {
    EXPECT_EQ(firstInitial("zoe"), "Z");
    EXPECT_EQ(firstInitial("Ann"), "A");
    EXPECT_EQ(firstInitial("9lives"), "9");
    EXPECT_EQ(firstInitial("\xC3\xA9mile"), "\xC3\x89");                  // émile: É
    EXPECT_EQ(firstInitial("\xC3\x89mile"), "\xC3\x89");                  // Émile
    EXPECT_EQ(firstInitial("\xC3\xB7"), "\xC3\xB7");                      // ÷ has no capital
    EXPECT_EQ(firstInitial("\xC5\x82ukasz"), "\xC5\x82");                 // łukasz: kept as it is
    EXPECT_EQ(firstInitial("\xE5\xBC\xA0\xE4\xBC\x9F"), "\xE5\xBC\xA0");  // 张伟: 张
    EXPECT_EQ(firstInitial("\xF0\x9F\x98\x80!"), "\xF0\x9F\x98\x80");     // an emoji, all four bytes
    EXPECT_EQ(firstInitial(""), "");
}

TEST(FirstInitial, IsNothingRatherThanPartOfACharacter) {
    EXPECT_EQ(firstInitial("\xC3"), "");  // cut short
    EXPECT_EQ(firstInitial("\xE5\xBC"), "");
    EXPECT_EQ(firstInitial("\xA9mile"), "");          // a continuation byte first
    EXPECT_EQ(firstInitial("\xC3(x"), "");            // not followed by a continuation byte
    EXPECT_EQ(firstInitial("\xC0\xAF"), "");          // overlong
    EXPECT_EQ(firstInitial("\xED\xA0\x80"), "");      // a UTF-16 surrogate
    EXPECT_EQ(firstInitial("\xF4\x90\x80\x80"), "");  // past U+10FFFF
    EXPECT_EQ(firstInitial("\xFF"), "");
}

}  // namespace
}  // namespace touchpoint
