// The kiosk binary's non-GUI commands, run as a real process.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "staff/pin.hpp"

namespace {

struct ProcessRun {
    int exitCode = -1;
    std::string out;
};

ProcessRun runWithInput(const std::string& input, const std::string& args) {
    const std::string cmd = "printf '%s\\n' '" + input + "' | " TOUCHPOINT_KIOSK_BIN " " + args + " 2>/dev/null";
    ProcessRun r;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return r;
    std::array<char, 256> buf{};
    while (std::fgets(buf.data(), buf.size(), p) != nullptr) r.out += buf.data();
    const int status = pclose(p);
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

TEST(KioskCli, HashPinPrintsAHashThatVerifiesOnlyThatPin) {
    const ProcessRun r = runWithInput("482913", "hash-pin");
    ASSERT_EQ(r.exitCode, 0);
    std::string hash = r.out;
    while (!hash.empty() && hash.back() == '\n') hash.pop_back();
    EXPECT_EQ(hash.find("482913"), std::string::npos);
    ASSERT_TRUE(touchpoint::kiosk::staff::isPinHash(hash)) << hash;
    EXPECT_EQ(touchpoint::kiosk::staff::verifyPin({hash}, "482913"), std::optional<int>(0));
    EXPECT_FALSE(touchpoint::kiosk::staff::verifyPin({hash}, "482914").has_value());
}

TEST(KioskCli, HashPinRefusesWhatIsNotAPin) {
    EXPECT_EQ(runWithInput("12", "hash-pin").exitCode, 2);
    EXPECT_EQ(runWithInput("12ab56", "hash-pin").exitCode, 2);
}

}  // namespace
