#include "memory_figure.hpp"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <map>

namespace touchpoint::kiosk {

namespace {

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

std::string_view fileName(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

/// A mapping header: "55d0c8a00000-55d0c8a21000 r--p 00000000 08:01 1234   /usr/bin/x": the first field is
/// an address range, where a field line starts with "Name:".
bool isHeader(std::string_view line, std::string_view& path) {
    const auto space = line.find(' ');
    if (space == std::string_view::npos) return false;
    const std::string_view range = line.substr(0, space);
    if (range.empty() || range.back() == ':' || range.find('-') == std::string_view::npos) return false;
    // The path is the sixth field, after five space-separated ones; it may itself contain spaces.
    std::size_t at = space;
    for (int field = 1; field < 5; ++field) {
        at = line.find_first_not_of(' ', at);
        if (at == std::string_view::npos) {
            path = {};
            return true;
        }
        at = line.find(' ', at);
        if (at == std::string_view::npos) {
            path = {};
            return true;
        }
    }
    at = line.find_first_not_of(' ', at);
    path = at == std::string_view::npos ? std::string_view() : line.substr(at);
    return true;
}

}  // namespace

bool isGlDriverMapping(std::string_view path) {
    if (path.rfind("/SYSV", 0) == 0) return true;  // XShm images the software driver presents through
    if (path.rfind("/dev/dri/", 0) == 0) return true;
    const std::string_view name = fileName(path);
    for (std::string_view prefix : {"libGL", "libEGL", "libgbm", "libglapi", "libLLVM", "libdrm", "libvulkan"}) {
        if (name.rfind(prefix, 0) == 0) return true;
    }
    return contains(name, "_dri.so") || contains(path, "/dri/") || contains(name, "mesa") || contains(name, "swrast") ||
           contains(name, "llvmpipe");
}

MemoryFigure memoryFromSmaps(std::istream& smaps, const std::set<std::string>& driverOnlyFiles) {
    MemoryFigure figure;
    std::map<std::string, double> excluded;
    bool currentExcluded = false;
    std::string currentName;
    double totalKb = 0;
    double excludedKb = 0;
    for (std::string text; std::getline(smaps, text);) {
        const std::string_view line(text);
        std::string_view path;
        if (isHeader(line, path)) {
            currentName = path.rfind("/SYSV", 0) == 0 ? std::string("[SYSV shared memory]") : std::string(fileName(path));
            currentExcluded = isGlDriverMapping(path) || (!path.empty() && path.front() == '/' &&
                                                          driverOnlyFiles.count(currentName) != 0);
            continue;
        }
        if (line.rfind("Rss:", 0) != 0) continue;
        const auto digits = line.find_first_of("0123456789");
        if (digits == std::string_view::npos) continue;
        long long kb = 0;
        std::from_chars(line.data() + digits, line.data() + line.size(), kb);
        totalKb += static_cast<double>(kb);
        if (currentExcluded) {
            excludedKb += static_cast<double>(kb);
            excluded[currentName] += static_cast<double>(kb);
        }
    }
    figure.totalRssMb = totalKb / 1024.0;
    figure.glDriverMb = excludedKb / 1024.0;
    figure.ownMb = figure.totalRssMb - figure.glDriverMb;
    for (const auto& [name, kb] : excluded) {
        if (kb > 0) figure.glDriver.push_back({name, kb / 1024.0});
    }
    std::sort(figure.glDriver.begin(), figure.glDriver.end(),
              [](const MappingRss& a, const MappingRss& b) { return a.mb > b.mb; });
    return figure;
}

std::vector<std::string> libraryPathsFromLdd(std::string_view lddOutput) {
    std::vector<std::string> paths;
    while (!lddOutput.empty()) {
        const auto eol = lddOutput.find('\n');
        std::string_view line = lddOutput.substr(0, eol);
        lddOutput = eol == std::string_view::npos ? std::string_view() : lddOutput.substr(eol + 1);
        const auto arrow = line.find("=> ");
        std::string_view path = arrow == std::string_view::npos ? line : line.substr(arrow + 3);
        const auto start = path.find_first_not_of(" \t");
        if (start == std::string_view::npos) continue;
        path = path.substr(start);
        path = path.substr(0, path.find(" ("));             // the load address
        if (path.empty() || path.front() != '/') continue;  // "not found", the vDSO, "statically linked"
        paths.emplace_back(path);
    }
    return paths;
}

std::set<std::string> driverOnlyLibraries(const std::set<std::string>& driverNeeds,
                                          const std::set<std::string>& programNeeds) {
    std::set<std::string> only;
    std::set_difference(driverNeeds.begin(), driverNeeds.end(), programNeeds.begin(), programNeeds.end(),
                        std::inserter(only, only.end()));
    return only;
}

}  // namespace touchpoint::kiosk
