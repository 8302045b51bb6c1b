// The kiosk binary's non-GUI commands, run as a real process.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>
#include <utility>

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

TEST(KioskCli, UnknownOptionsAndMissingValuesAreRefusedWithExitCode2) {
    // Refused before any window, config or stdin is touched: the output is empty.
    for (const std::string args : {"--config /nonexistent.toml --no-such-option", "--config", "", "--windowed",
                                   "frobnicate --config /nonexistent.toml", "bench", "bench --config",
                                   "bench --config /nonexistent.toml --idle-seconds -3",
                                   "bench --config /nonexistent.toml --idle-seconds ten", "hash-pin --rounds 3"}) {
        const ProcessRun r = runWithInput("482913", args);
        EXPECT_EQ(r.exitCode, 2) << "touchpoint-kiosk " << args;
        EXPECT_EQ(r.out, "") << "touchpoint-kiosk " << args;
    }
}

TEST(KioskCli, HelpOnTheProgramAndEverySubcommand) {
    for (const auto& [args, own] : {std::pair<std::string, std::string>{"--help", "--script"},
                                    {"bench --help", "--idle-seconds"}, {"hash-pin --help", "hash-pin"}}) {
        const ProcessRun r = runWithInput("", args);
        EXPECT_EQ(r.exitCode, 0) << args;
        EXPECT_NE(r.out.find(own), std::string::npos) << args << ": " << r.out;
    }
}

}  // namespace
