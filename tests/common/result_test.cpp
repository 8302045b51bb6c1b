#include <gtest/gtest.h>

#include <string>

#include "common/result.hpp"

namespace touchpoint {
namespace {

Result<int, std::string> half(int n) {
    if (n % 2 != 0) return Fail(std::string("odd"));
    return n / 2;
}

TEST(Result, CarriesValueOrError) {
    auto a = half(4);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(*a, 2);
    auto b = half(3);
    ASSERT_FALSE(b);
    EXPECT_EQ(b.error(), "odd");
}

TEST(Result, VoidSpecialisation) {
    Result<void, std::string> ok;
    EXPECT_TRUE(ok.ok());
    Result<void, std::string> bad = Fail(std::string("nope"));
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error(), "nope");
}

}  // namespace
}  // namespace touchpoint
