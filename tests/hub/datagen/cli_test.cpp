// touchpoint-datagen's command line, run as a process: refused arguments never send anything.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <string>
#include <vector>

#include "child_process.hpp"

namespace {

struct Exit {
    int code = -1;
    std::string out;
};

Exit datagen(const std::vector<std::string>& rest) {
    std::vector<std::string> args{TOUCHPOINT_DATAGEN_EXE};
    args.insert(args.end(), rest.begin(), rest.end());
    touchpoint::testing::ChildProcess child(args);  // stderr stays the test's
    Exit e;
    child.readAll(e.out);
    const int status = child.wait();
    e.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return e;
}

TEST(DatagenCli, UnknownOptionsAndBadValuesAreRefusedWithExitCode2) {
    const std::string key = "--sealing-key=AAAA";
    for (const auto& args : std::vector<std::vector<std::string>>{
             {key, "--dry-run", "--no-such-option"},
             {key, "--dry-run", "--stores"},
             {key, "--dry-run", "--stores", "many"},
             {key, "--dry-run", "--stores", "0"},
             {key, "--dry-run", "--live", "1"},
             {key, "--dry-run", "--duplicates", "2"},
             {key, "--dry-run", "--now", "yesterday"},
             {"--sealing-key-file", "/nonexistent", "--dry-run"},
             {key, "--sealing-key-file", "/dev/null", "--dry-run"},
             {"--dry-run", "extra-word"},
         }) {
        const Exit e = datagen(args);
        EXPECT_EQ(e.code, 2) << args.back();
        EXPECT_EQ(e.out, "") << args.back();
    }
    const Exit help = datagen({"--help"});
    EXPECT_EQ(help.code, 0);
    EXPECT_NE(help.out.find("--sealing-key-file"), std::string::npos) << help.out;
}

}  // namespace
