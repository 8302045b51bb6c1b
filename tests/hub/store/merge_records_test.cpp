// A merge record keeps both profile rows as they were, as JSON text (merges.winner_before, loser_before), and
// an undo reads them back: every field must come back as it went in, whatever the text fields hold.

#include "hub/store/merge_records.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace touchpoint::hub {
namespace {

ProfileRow fullRow() {
    ProfileRow p;
    p.id = "018f3a2b-7c4d-7e5f-8a6b-1c2d3e4f5a6b";
    p.createdMs = 1'760'000'000'123;
    p.memberId = "700012345678";
    p.firstInitial = "A";
    p.stage = "loyalty";
    p.points = 250;
    p.latestNps = 9;
    p.latestNpsAtMs = 1'760'000'100'000;
    p.lastCheckinMs = 1'760'000'200'000;
    p.velocityFlag = true;
    p.facts.isMember = true;
    p.facts.visitDays = 12;
    p.facts.latestNps = p.latestNps;
    p.facts.referrals = 2;
    p.facts.orders = 5;
    p.facts.considered = std::numeric_limits<std::int64_t>::max();
    return p;
}

TEST(MergeRecordRow, EveryFieldComesBack) {
    const ProfileRow p = fullRow();
    const auto back = profileRowFromJson(profileRowJson(p));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, p);
}

TEST(MergeRecordRow, AnAnonymousRowWithoutOptionalFieldsComesBack) {
    ProfileRow p;
    p.id = "018f3a2b-0000-7000-8000-000000000001";
    p.createdMs = -5;  // a clock before 1970 is kept as it was
    p.stage = "awareness";
    const std::string text = profileRowJson(p);
    const auto j = nlohmann::json::parse(text);
    EXPECT_TRUE(j.at("latestNps").is_null());
    EXPECT_TRUE(j.at("lastCheckinMs").is_null());
    EXPECT_EQ(j.at("memberId"), "");
    const auto back = profileRowFromJson(text);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, p);
}

TEST(MergeRecordRow, TextThatNeedsEscapingComesBackAsItWas) {
    for (const std::string& initial : std::vector<std::string>{"\"", "\\", "\n", std::string(1, '\x01'),
                                                               "\xC3\x89" /* É */, "\xF0\x9F\x98\x80"}) {
        ProfileRow p = fullRow();
        p.firstInitial = initial;
        p.memberId = "M\"" + initial;
        const std::string text = profileRowJson(p);
        ASSERT_TRUE(nlohmann::json::accept(text)) << text;
        const auto back = profileRowFromJson(text);
        ASSERT_TRUE(back.has_value()) << text;
        EXPECT_EQ(*back, p) << text;
    }
}

TEST(MergeRecordRow, HoldsTheFieldsOfAProfileRowAndNoOthers) {
    const auto j = nlohmann::json::parse(profileRowJson(fullRow()));
    std::set<std::string> keys;
    for (const auto& [key, value] : j.items()) keys.insert(key);
    EXPECT_EQ(keys, (std::set<std::string>{"id", "createdMs", "memberId", "firstInitial", "stage", "points",
                                           "latestNps", "latestNpsAtMs", "lastCheckinMs", "velocityFlag",
                                           "isMember", "visitDays", "referrals", "orders", "considered"}));
}

TEST(MergeRecordRow, HalfACharacterStoredBeforeBecomesAReplacementCharacter) {
    ProfileRow p = fullRow();
    p.firstInitial =
        "\xC3";  // what names starting with É left in first_initial before whole characters were kept
    const std::string text = profileRowJson(p);
    ASSERT_TRUE(nlohmann::json::accept(text)) << text;
    const auto back = profileRowFromJson(text);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->firstInitial, "\xEF\xBF\xBD");
    p.firstInitial = back->firstInitial;
    EXPECT_EQ(*back, p);
}

}  // namespace
}  // namespace touchpoint::hub
