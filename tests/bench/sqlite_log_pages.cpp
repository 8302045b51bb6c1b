#include "sqlite_log_pages.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <unordered_map>

#include "common/sqlite.hpp"

namespace touchpoint::bench {

namespace {

std::uint32_t bigEndian32(const unsigned char* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

constexpr std::size_t kLogHeader = 32;  // https://www.sqlite.org/fileformat2.html#walformat
constexpr std::size_t kFrameHeader = 24;

}  // namespace

std::variant<LogPages, std::string> readLogPages(const std::filesystem::path& db) {
    auto open = sqlite::Database::open(db, false, true);
    if (!open) return "cannot open " + db.string() + ": " + open.error().message;
    auto stmt = open->prepare("SELECT pageno, name FROM dbstat");
    if (!stmt) return "dbstat: " + stmt.error().message;
    std::unordered_map<std::uint32_t, std::string> owner;
    for (;;) {
        auto row = stmt->step();
        if (!row) return "dbstat: " + row.error().message;
        if (!*row) break;
        owner.emplace(static_cast<std::uint32_t>(stmt->columnInt64(0)), stmt->columnText(1));
    }

    std::ifstream wal(db.string() + "-wal", std::ios::binary);
    unsigned char header[kLogHeader];
    if (!wal.read(reinterpret_cast<char*>(header), kLogHeader))
        return "no write-ahead log beside " + db.string();
    const std::uint32_t magic = bigEndian32(header);
    if (magic != 0x377f0682 && magic != 0x377f0683) return "not a SQLite write-ahead log";
    const std::uint32_t pageSize = bigEndian32(header + 8);
    if (pageSize < 512 || pageSize > 65536) return "not a SQLite write-ahead log (page size)";
    const std::uint32_t salt1 = bigEndian32(header + 16), salt2 = bigEndian32(header + 20);

    // Frames of the current run carry the header's salts; those after the last commit were never committed.
    LogPages pages;
    std::map<std::string, std::int64_t> byName, sinceCommit;
    std::int64_t framesSinceCommit = 0;
    std::vector<char> page(pageSize);
    for (unsigned char frame[kFrameHeader]; wal.read(reinterpret_cast<char*>(frame), kFrameHeader);) {
        if (!wal.read(page.data(), pageSize)) break;
        if (bigEndian32(frame + 8) != salt1 || bigEndian32(frame + 12) != salt2) break;
        const auto it = owner.find(bigEndian32(frame));
        ++sinceCommit[it == owner.end() ? std::string("(other)") : it->second];
        ++framesSinceCommit;
        if (bigEndian32(frame + 4) != 0) {  // a commit frame: the database size after the transaction
            for (const auto& [name, n] : sinceCommit) byName[name] += n;
            sinceCommit.clear();
            pages.frames += framesSinceCommit;
            framesSinceCommit = 0;
            ++pages.commits;
        }
    }
    for (const auto& [name, n] : byName) pages.byTree.push_back({name, n});
    std::sort(pages.byTree.begin(), pages.byTree.end(),
              [](const LogPages::Tree& a, const LogPages::Tree& b) { return a.frames > b.frames; });
    return pages;
}

}  // namespace touchpoint::bench
