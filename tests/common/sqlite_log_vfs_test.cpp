// The gathered-log VFS (common/sqlite_log_vfs.hpp): a commit's frames reach the log file in few writes, every
// commit is in the file before another connection can see it, and the bytes are exactly SQLite's own — a copy
// of the files, recovered from the log by a fresh connection, holds every commit (recovery stops at the first
// frame whose checksum is wrong), including transactions that spilled pages, wrote a page twice or rolled
// back.

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "common/sqlite.hpp"
#include "crash_vfs.hpp"
#include "temp_dir.hpp"

namespace touchpoint::sqlite {
namespace {

using testing::TempDir;

Database openOrDie(const std::filesystem::path& path, LogWrites logWrites) {
    auto db = Database::open(path, true, false, logWrites);
    if (!db) ADD_FAILURE() << db.error().message;
    return std::move(db).value();
}

void execOrFail(Database& db, const std::string& sql) {
    auto r = db.exec(sql);
    ASSERT_TRUE(r) << r.error().message;
}

/// WAL, commits unsynced as on the hub's writer, and no checkpoints: every commit stays in the log.
void writerPragmas(Database& db) {
    execOrFail(db, "PRAGMA journal_mode=WAL");
    execOrFail(db, "PRAGMA synchronous=NORMAL");
    execOrFail(db, "PRAGMA wal_autocheckpoint=0");
    execOrFail(db, "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, b BLOB NOT NULL)");
}

/// The rows' content follows from their ids, so any reader can check each byte it reads.
std::vector<std::uint8_t> contentOf(std::int64_t id) {
    std::mt19937 gen(static_cast<std::uint32_t>(id));
    std::vector<std::uint8_t> b(200 + static_cast<std::size_t>(id % 1300));
    for (auto& byte : b) byte = static_cast<std::uint8_t>(gen());
    return b;
}

void insertRows(Database& db, std::int64_t from, std::int64_t count) {
    auto ins = db.prepare("INSERT INTO t(id, b) VALUES (?1, ?2)");
    ASSERT_TRUE(ins) << ins.error().message;
    for (std::int64_t id = from; id < from + count; ++id) {
        const auto b = contentOf(id);
        ins->bind(1, id).bindBlob(2, b.data(), b.size());
        auto r = ins->run();
        ASSERT_TRUE(r) << r.error().message;
        ins->reset();
    }
}

/// How many rows `db` holds from id `from` on, each checked against contentOf (a wrong byte is a failure).
std::int64_t checkedRows(Database& db, std::int64_t from = 0) {
    auto sel = db.prepare("SELECT id, b FROM t WHERE id >= ?1 ORDER BY id");
    EXPECT_TRUE(sel) << sel.error().message;
    if (!sel) return -1;
    sel->bind(1, from);
    std::int64_t n = 0;
    for (;;) {
        auto row = sel->step();
        EXPECT_TRUE(row) << row.error().message;
        if (!row || !*row) break;
        const auto id = sel->columnInt64(0);
        EXPECT_EQ(sel->columnBlob(1), contentOf(id)) << "row " << id;
        ++n;
    }
    return n;
}

std::uint64_t logWrites(const testing::CrashVfs& vfs) {
    const auto counts = vfs.opCounts();
    const auto it = counts.find("xWrite(wal)");
    return it == counts.end() ? 0 : it->second;
}

TEST(GatheredLogVfs, ACommitOfManyPagesReachesTheLogInFewWrites) {
    // The crash VFS is the default, so it is underneath both connections and counts their calls.
    testing::CrashVfs crash("crash-gathered-count", /*makeDefault=*/true);
    TempDir dir;
    std::uint64_t writes[2] = {};
    for (const auto mode : {LogWrites::PerFrame, LogWrites::Gathered}) {
        auto db = openOrDie(dir / (mode == LogWrites::Gathered ? "gathered.db" : "per-frame.db"), mode);
        writerPragmas(db);
        const auto before = logWrites(crash);
        execOrFail(db, "BEGIN");
        insertRows(db, 1, 2000);  // about 400 pages of 4 KiB
        execOrFail(db, "COMMIT");
        writes[mode == LogWrites::Gathered ? 1 : 0] = logWrites(crash) - before;
        EXPECT_EQ(checkedRows(db), 2000);
    }
    EXPECT_GE(writes[0], 800U) << "SQLite writes each frame's header and page apart";
    EXPECT_LE(writes[1], writes[0] / 20) << "per frame: " << writes[0] << ", gathered: " << writes[1];
}

TEST(GatheredLogVfs, EveryCommitIsInTheFileBeforeAnotherConnectionSeesIt) {
    TempDir dir;
    auto writer = openOrDie(dir / "hub.db", LogWrites::Gathered);
    writerPragmas(writer);
    auto reader = openOrDie(dir / "hub.db", LogWrites::PerFrame);
    std::int64_t rows = 0;
    for (int round = 0; round < 120; ++round) {
        const std::int64_t count = 1 + (round * 37) % 300;
        execOrFail(writer, "BEGIN");
        insertRows(writer, rows + 1, count);
        execOrFail(writer, "COMMIT");
        // The reader's next transaction sees the commit: it reads the frames from the file, not from the
        // writer.
        ASSERT_EQ(checkedRows(reader, rows + 1), count) << "round " << round;
        rows += count;
        auto total = reader.queryInt("SELECT count(*) FROM t");
        ASSERT_TRUE(total) << total.error().message;
        ASSERT_EQ(*total, rows) << "round " << round;
    }
}

TEST(GatheredLogVfs, ACopyOfTheFilesRecoversEveryCommitFromTheLog) {
    TempDir dir;
    auto writer = openOrDie(dir / "hub.db", LogWrites::Gathered);
    writerPragmas(writer);
    // A cache of 20 pages: large transactions spill frames into the log before their commit, and pages
    // spilled and then changed again are written over in place (their checksums rewritten at the commit).
    execOrFail(writer, "PRAGMA cache_size=20");
    std::int64_t rows = 0;
    for (int round = 0; round < 13; ++round) {  // the last one commits
        execOrFail(writer, "BEGIN");
        insertRows(writer, rows + 1, 400);
        execOrFail(writer, "UPDATE t SET b = b WHERE id % 7 = 0");
        if (round % 3 == 2) {
            execOrFail(writer,
                       "ROLLBACK");  // its spilled frames are garbage past the log's end, written over next
            continue;
        }
        execOrFail(writer, "COMMIT");
        rows += 400;
    }
    const auto copy = dir / "copy";
    std::filesystem::create_directory(copy);
    std::filesystem::copy_file(dir / "hub.db", copy / "hub.db");
    std::filesystem::copy_file(dir / "hub.db-wal", copy / "hub.db-wal");
    ASSERT_GT(std::filesystem::file_size(copy / "hub.db-wal"), 1'000'000U) << "the commits are in the log";

    auto recovered = openOrDie(copy / "hub.db", LogWrites::PerFrame);
    auto check = recovered.queryText("PRAGMA integrity_check");
    ASSERT_TRUE(check) << check.error().message;
    EXPECT_EQ(*check, "ok");
    EXPECT_EQ(checkedRows(recovered), rows);
    EXPECT_EQ(rows, 9 * 400);
}

}  // namespace
}  // namespace touchpoint::sqlite
