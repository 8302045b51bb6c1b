// The gathered-log VFS (common/sqlite_log_vfs.hpp): a commit's frames reach the log file in few writes, every
// commit is in the file before another connection can see it, and the bytes are exactly SQLite's own — a copy
// of the files, recovered from the log by a fresh connection, holds every commit (recovery stops at the first
// frame whose checksum is wrong), including transactions that spilled pages, wrote a page twice or rolled
// back.

#include "common/sqlite_log_vfs.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
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
    execOrFail(db,
               "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, b BLOB NOT NULL, v INTEGER NOT NULL "
               "DEFAULT 0)");
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

/// A log frame's 24-byte header: page number, then the database size in pages for a commit frame (0 for
/// others), then salts and checksums (`salt` here, so two versions of one header differ).
std::string frameHeader(std::uint32_t page, std::uint32_t commitSize, char salt) {
    std::string h(24, salt);
    for (int i = 0; i < 4; ++i) {
        h[static_cast<std::size_t>(i)] = static_cast<char>(page >> (24 - 8 * i));
        h[static_cast<std::size_t>(4 + i)] = static_cast<char>(commitSize >> (24 - 8 * i));
    }
    return h;
}

TEST(GatheredLogVfs, WhatACommitFrameWritesIsInTheFileWhenTheWriteReturns) {
    TempDir dir;
    std::ofstream(dir / "raw.db") << "";  // a log's file mode comes from its database file
    const auto logPath = dir / "raw.db-wal";
    sqlite3_vfs* vfs = sqlite3_vfs_find(gatheredLogVfs());
    ASSERT_NE(vfs, nullptr);
    std::vector<std::uint64_t> storage(static_cast<std::size_t>(vfs->szOsFile) / 8 + 1);
    auto* file = reinterpret_cast<sqlite3_file*>(storage.data());
    int outFlags = 0;
    ASSERT_EQ(vfs->xOpen(vfs, logPath.c_str(), file,
                         SQLITE_OPEN_WAL | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &outFlags),
              SQLITE_OK);
    const auto write = [&](const std::string& bytes, sqlite3_int64 at) {
        return file->pMethods->xWrite(file, bytes.data(), static_cast<int>(bytes.size()), at);
    };
    const auto onDisk = [&] { return testing::readFile(logPath); };
    const std::string pageA(4096, 'a'), pageB(4096, 'b'), pageC(4096, 'c');
    constexpr sqlite3_int64 kFrame = 24 + 4096;

    ASSERT_EQ(write(frameHeader(1, 0, 'x'), 32), SQLITE_OK);
    ASSERT_EQ(write(pageA, 32 + 24), SQLITE_OK);
    EXPECT_EQ(onDisk().size(), 0U) << "a frame that does not end a transaction is gathered";

    ASSERT_EQ(write(frameHeader(2, 2, 'x'), 32 + kFrame), SQLITE_OK);
    EXPECT_EQ(onDisk(), std::string(32, '\0') + frameHeader(1, 0, 'x') + pageA + frameHeader(2, 2, 'x'))
        << "a commit frame's header goes out with everything gathered before it";
    ASSERT_EQ(write(pageB, 32 + kFrame + 24), SQLITE_OK);
    EXPECT_EQ(onDisk().size(), static_cast<std::size_t>(32 + 2 * kFrame));
    EXPECT_EQ(onDisk().substr(32 + kFrame + 24), pageB);

    // The commit's checksums rewritten (SQLite wrote over a frame it had spilled): each header alone, the
    // commit frame's last.
    ASSERT_EQ(write(frameHeader(1, 0, 'y'), 32), SQLITE_OK);
    char byte = 0;
    ASSERT_EQ(file->pMethods->xRead(file, &byte, 1, 32 + kFrame), SQLITE_OK);
    ASSERT_EQ(write(frameHeader(2, 2, 'y'), 32 + kFrame), SQLITE_OK);
    EXPECT_EQ(onDisk().substr(32, 24), frameHeader(1, 0, 'y'));
    EXPECT_EQ(onDisk().substr(32 + kFrame, 24), frameHeader(2, 2, 'y'))
        << "a rewritten commit header must not wait in memory for a page that never comes";

    // A spilled frame waits; a read of the log writes it out first.
    ASSERT_EQ(write(frameHeader(3, 0, 'x'), 32 + 2 * kFrame), SQLITE_OK);
    ASSERT_EQ(write(pageC, 32 + 2 * kFrame + 24), SQLITE_OK);
    EXPECT_EQ(onDisk().size(), static_cast<std::size_t>(32 + 2 * kFrame));
    ASSERT_EQ(file->pMethods->xRead(file, &byte, 1, 32 + 2 * kFrame + 24), SQLITE_OK);
    EXPECT_EQ(byte, 'c');
    EXPECT_EQ(onDisk().size(), static_cast<std::size_t>(32 + 3 * kFrame));

    // A long run of spilled frames: what waits in memory stays under about 1 MiB and a frame.
    constexpr int kRun = 300;  // 1.2 MB of frames
    for (int i = 0; i < kRun; ++i) {
        const sqlite3_int64 at = 32 + (3 + i) * kFrame;
        ASSERT_EQ(write(frameHeader(static_cast<std::uint32_t>(4 + i), 0, 'x'), at), SQLITE_OK);
        ASSERT_EQ(write(pageC, at + 24), SQLITE_OK);
    }
    const auto written = onDisk().size();
    const auto appended = static_cast<std::size_t>(32 + (3 + kRun) * kFrame);
    EXPECT_GT(written, static_cast<std::size_t>(32 + 3 * kFrame)) << "frames went out with no commit or read";
    EXPECT_LE(appended - written, static_cast<std::size_t>((1 << 20) + kFrame)) << "waiting in memory";
    EXPECT_EQ(file->pMethods->xClose(file), SQLITE_OK);
    EXPECT_EQ(onDisk().size(), appended) << "closing writes out the rest";
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
        // Changes pages spilled before (an update that changes nothing leaves its page clean).
        execOrFail(writer, "UPDATE t SET v = v + 1 WHERE id % 7 = 0");
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
