#pragma once
// The kiosk's own memory from /proc/PID/smaps: every mapping's resident set, with the GL driver's mappings
// (libGL*, Mesa, DRI drivers, LLVM, the X shared-memory images a software driver presents through) taken out
// and listed. Those depend on the machine's GL stack, not on this program: on a kiosk with a GPU driver they
// are a different size again, so the target is on what remains (heap, stacks, our code and data).

#include <istream>
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

/// Sums "Rss:" per mapping of an smaps text. Lines it does not understand are skipped.
MemoryFigure memoryFromSmaps(std::istream& smaps);

}  // namespace touchpoint::kiosk
