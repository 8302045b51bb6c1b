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

}  // namespace
}  // namespace touchpoint
