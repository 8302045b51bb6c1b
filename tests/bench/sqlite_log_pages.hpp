#pragma once
// Where a SQLite database's write-ahead log pages go: each frame of the log's current run (since its last
// restart, up to its last commit) attributed to the table or index that owns the page, by SQLite's dbstat
// table. The SQLite writer's commit and the checkpointer copy every such frame, so this is where the
// ingest's write work goes (`touchpoint-bench hub-ingest --log-pages`).

#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

namespace touchpoint::bench {

struct LogPages {
    std::int64_t frames = 0;   ///< committed frames of the log's current run
    std::int64_t commits = 0;  ///< commit frames among them (one per transaction)
    struct Tree {
        std::string name;  ///< table or index; "(other)" for pages dbstat does not list (free list)
        std::int64_t frames = 0;
    };
    std::vector<Tree> byTree;  ///< most frames first
};

/// Reads `db` and `db`-wal. An error text when either cannot be read or the log is not a SQLite log.
std::variant<LogPages, std::string> readLogPages(const std::filesystem::path& db);

}  // namespace touchpoint::bench
