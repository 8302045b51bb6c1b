#pragma once
// The kiosk's own memory from /proc/PID/smaps: every mapping's resident set, with the GL driver's mappings
// (libGL*, Mesa, DRI drivers, LLVM, the X shared-memory images a software driver presents through) taken out
// and listed, and with them the libraries only the driver needs (LLVM's libz3 and libxml2, libsensors, …: the
// driver's dependencies that this program does not link). Those depend on the machine's GL stack, not on this
// program: on a kiosk with a GPU driver they are a different size again, so the target is on what remains
// (heap, stacks, our code and data).

#include <istream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace touchpoint::kiosk {

struct MappingRss {
    std::string name;  ///< the mapping's path (file name only) or "[SYSV shared memory]"
    double mb = 0;
};

struct MemoryFigure {
    double totalRssMb = 0;   ///< every mapping (what VmRSS says)
    double ownMb = 0;        ///< total minus the GL driver's mappings
    double glDriverMb = 0;
    std::vector<MappingRss> glDriver;  ///< resident size per excluded file, largest first
};

/// True for a mapping path that belongs to the GL driver stack.
bool isGlDriverMapping(std::string_view path);

/// Sums "Rss:" per mapping of an smaps text. Lines it does not understand are skipped. A mapping whose file
/// name is in `driverOnlyFiles` counts as the driver's too (see driverOnlyLibraries).
MemoryFigure memoryFromSmaps(std::istream& smaps, const std::set<std::string>& driverOnlyFiles = {});

/// The paths `ldd FILE` prints, one per library ("libz3.so.4 => /lib/…/libz3.so.4 (0x…)", or a path alone for
/// the dynamic loader); the vDSO and libraries it could not find are left out.
std::vector<std::string> libraryPathsFromLdd(std::string_view lddOutput);

/// The file names of the libraries the driver files need (their ldd closures, `driverNeeds`) that the program
/// itself does not (its closure, `programNeeds`): loaded into the process only because the GL driver was.
/// Names are the files' own (symbolic links resolved by the caller), as smaps shows them.
std::set<std::string> driverOnlyLibraries(const std::set<std::string>& driverNeeds,
                                          const std::set<std::string>& programNeeds);

}  // namespace touchpoint::kiosk
