// The bench's memory figure: GL driver mappings out of the kiosk's own memory, every byte counted once.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "core/memory_figure.hpp"

namespace touchpoint::kiosk {
namespace {

TEST(MemoryFigure, GlDriverMappingsAreListedAndLeftOutOfOwnMemory) {
    std::istringstream smaps(R"(55d0c8a00000-55d0c8a21000 r-xp 00000000 08:01 1234                       /usr/bin/touchpoint-kiosk
Size:                132 kB
Rss:                 100 kB
Pss:                 100 kB
55d0c9000000-55d0c9400000 rw-p 00000000 00:00 0                          [heap]
Rss:                2048 kB
7f0000000000-7f0003000000 r-xp 00000000 08:01 99                         /usr/lib/x86_64-linux-gnu/libLLVM-15.so.1
Rss:               30720 kB
7f0003000000-7f0003100000 r--p 00100000 08:01 99                         /usr/lib/x86_64-linux-gnu/libLLVM-15.so.1
Rss:                1024 kB
7f0004000000-7f0004800000 r-xp 00000000 08:01 77                         /usr/lib/x86_64-linux-gnu/dri/swrast_dri.so
Rss:                4096 kB
7f0005000000-7f0005100000 r-xp 00000000 08:01 78                         /usr/lib/x86_64-linux-gnu/libGLX_mesa.so.0.0.0
Rss:                 512 kB
7f0006000000-7f0006800000 rw-s 00000000 00:01 32769                      /SYSV00000000 (deleted)
Rss:                8192 kB
7f0007000000-7f0007100000 r-xp 00000000 08:01 80                         /usr/lib/x86_64-linux-gnu/libX11.so.6.4.0
Rss:                 256 kB
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
Rss:                 132 kB
VmFlags: rd wr mr mw me gd ac
)");
    const auto m = memoryFromSmaps(smaps);
    const double totalKb = 100 + 2048 + 30720 + 1024 + 4096 + 512 + 8192 + 256 + 132;
    EXPECT_DOUBLE_EQ(m.totalRssMb, totalKb / 1024.0);
    EXPECT_DOUBLE_EQ(m.ownMb, (100 + 2048 + 256 + 132) / 1024.0);
    EXPECT_DOUBLE_EQ(m.glDriverMb, m.totalRssMb - m.ownMb);
    ASSERT_EQ(m.glDriver.size(), 4u);
    EXPECT_EQ(m.glDriver[0].name, "libLLVM-15.so.1");  // both of its mappings, summed, largest first
    EXPECT_DOUBLE_EQ(m.glDriver[0].mb, 31.0);
    EXPECT_EQ(m.glDriver[1].name, "[SYSV shared memory]");
    EXPECT_EQ(m.glDriver[2].name, "swrast_dri.so");
    EXPECT_EQ(m.glDriver[3].name, "libGLX_mesa.so.0.0.0");
}

TEST(MemoryFigure, OnlyTheDriverStackIsExcluded) {
    for (const char* driver : {"/usr/lib/x86_64-linux-gnu/libGL.so.1", "/usr/lib/x86_64-linux-gnu/libEGL_mesa.so.0",
                               "/usr/lib/x86_64-linux-gnu/libglapi.so.0", "/usr/lib/x86_64-linux-gnu/dri/iris_dri.so",
                               "/dev/dri/renderD128", "/usr/lib/x86_64-linux-gnu/libLLVM-15.so.1",
                               "/usr/lib/x86_64-linux-gnu/libgbm.so.1"}) {
        EXPECT_TRUE(isGlDriverMapping(driver)) << driver;
    }
    for (const char* own : {"", "[heap]", "[stack]", "/usr/bin/touchpoint-kiosk", "/usr/lib/x86_64-linux-gnu/libc.so.6",
                            "/usr/lib/x86_64-linux-gnu/libglfw.so.3.3", "/usr/lib/x86_64-linux-gnu/libsqlite3.so.0.8.6",
                            "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"}) {
        EXPECT_FALSE(isGlDriverMapping(own)) << own;
    }
}

TEST(MemoryFigure, LibrariesOnlyTheDriverNeedsCountAsTheDriver) {
    std::istringstream smaps(
        R"(55d0c8a00000-55d0c8a21000 r-xp 00000000 08:01 1234                       /usr/bin/touchpoint-kiosk
Rss:                 100 kB
7f0000000000-7f0000100000 r-xp 00000000 08:01 99                         /usr/lib/x86_64-linux-gnu/libz3.so.4
Rss:                 900 kB
7f0000100000-7f0000200000 r--p 00100000 08:01 99                         /usr/lib/x86_64-linux-gnu/libz3.so.4
Rss:                 100 kB
7f0001000000-7f0001100000 r-xp 00000000 08:01 98                         /usr/lib/x86_64-linux-gnu/libzstd.so.1.5.4
Rss:                 200 kB
7f0002000000-7f0002100000 rw-p 00000000 00:00 0                          libz3.so.4
Rss:                  50 kB
)");
    const auto m = memoryFromSmaps(smaps, {"libz3.so.4"});
    EXPECT_DOUBLE_EQ(m.glDriverMb, 1000 / 1024.0);
    EXPECT_DOUBLE_EQ(m.ownMb,
                     (100 + 200 + 50) / 1024.0);  // a name that is not a file path stays the program's
    ASSERT_EQ(m.glDriver.size(), 1u);
    EXPECT_EQ(m.glDriver[0].name, "libz3.so.4");
}

TEST(MemoryFigure, ReadsLddAndKeepsWhatOnlyTheDriverNeeds) {
    const std::string ldd =
        "\tlinux-vdso.so.1 (0x00007ffc5a3f2000)\n"
        "\tlibLLVM-15.so.1 => /lib/x86_64-linux-gnu/libLLVM-15.so.1 (0x00007f0c8a000000)\n"
        "\tlibz3.so.4 => /lib/x86_64-linux-gnu/libz3.so.4 (0x00007f0c89000000)\n"
        "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0c88e1f000)\n"
        "\tlibmissing.so.1 => not found\n"
        "\t/lib64/ld-linux-x86-64.so.2 (0x00007f0c8f7a5000)\n";
    EXPECT_EQ(
        libraryPathsFromLdd(ldd),
        (std::vector<std::string>{"/lib/x86_64-linux-gnu/libLLVM-15.so.1", "/lib/x86_64-linux-gnu/libz3.so.4",
                                  "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"}));
    EXPECT_TRUE(libraryPathsFromLdd("\tstatically linked\n").empty());
    EXPECT_EQ(driverOnlyLibraries({"libLLVM-15.so.1", "libz3.so.4", "libc.so.6", "libzstd.so.1.5.4"},
                                  {"libc.so.6", "libzstd.so.1.5.4", "libglfw.so.3.3"}),
              (std::set<std::string>{"libLLVM-15.so.1", "libz3.so.4"}));
}

TEST(MemoryFigure, ThisProcessAddsUpToItsVmRss) {
    std::ifstream smaps("/proc/self/smaps");
    ASSERT_TRUE(smaps);
    const auto m = memoryFromSmaps(smaps);
    std::ifstream status("/proc/self/status");
    double vmRssMb = 0;
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0) vmRssMb = std::stod(line.substr(6)) / 1024.0;
    }
    ASSERT_GT(vmRssMb, 0);
    EXPECT_GT(m.totalRssMb, 0);
    // Not exactly equal: the two files are read moments apart while this process runs.
    EXPECT_NEAR(m.totalRssMb, vmRssMb, vmRssMb * 0.25 + 1.0);
    EXPECT_LE(m.ownMb, m.totalRssMb);
}

}  // namespace
}  // namespace touchpoint::kiosk
