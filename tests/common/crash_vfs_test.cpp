// The crash VFS itself: a synced write survives a power cut, an unsynced one does not, torn writes keep
// whole sectors, directory entries follow the model in crash_vfs.hpp, and every call fails after the cut.

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "common/sqlite.hpp"
#include "crash_vfs.hpp"
#include "temp_dir.hpp"

namespace touchpoint::testing {
namespace {

/// A file opened straight through the VFS's xOpen, for byte-level checks. Closes on scope exit.
class RawFile {
public:
    RawFile(sqlite3_vfs* vfs, const std::string& path, int flags) : m_buf(static_cast<std::size_t>(vfs->szOsFile)) {
        m_file = reinterpret_cast<sqlite3_file*>(m_buf.data());
        int out = 0;
        m_rc = vfs->xOpen(vfs, path.c_str(), m_file, flags | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &out);
    }
    ~RawFile() { close(); }
    RawFile(const RawFile&) = delete;
    RawFile& operator=(const RawFile&) = delete;
    int openRc() const { return m_rc; }
    int write(const std::string& data, sqlite3_int64 offset) {
        return m_file->pMethods->xWrite(m_file, data.data(), static_cast<int>(data.size()), offset);
    }
    int sync() { return m_file->pMethods->xSync(m_file, SQLITE_SYNC_NORMAL); }
    void close() {
        if (m_rc == SQLITE_OK && m_file->pMethods != nullptr) m_file->pMethods->xClose(m_file);
        m_rc = SQLITE_CANTOPEN;
    }

private:
    std::vector<std::uint64_t> m_buf;  // 8-byte aligned storage of szOsFile bytes (rounded up)
    sqlite3_file* m_file = nullptr;
    int m_rc = SQLITE_CANTOPEN;
};

constexpr int kDb = SQLITE_OPEN_MAIN_DB;
constexpr int kWal = SQLITE_OPEN_WAL;

class CrashVfsTest : public ::testing::Test {
protected:
    CrashVfs crash{"crash-unit"};
    sqlite3_vfs* vfs = sqlite3_vfs_find("crash-unit");
    TempDir dir;

    /// A file that exists before the VFS sees it (so its directory entry is durable).
    std::string existing(const std::string& name, const std::string& content) {
        const std::string path = (dir / name).string();
        std::FILE* f = std::fopen(path.c_str(), "wb");
        std::fwrite(content.data(), 1, content.size(), f);
        std::fclose(f);
        return path;
    }
};

TEST_F(CrashVfsTest, SyncedWriteSurvivesAndUnsyncedWriteIsLost) {
    const std::string path = existing("a.bin", std::string(1024, 'o'));
    {
        RawFile f(vfs, path, kDb);
        ASSERT_EQ(f.openRc(), SQLITE_OK);
        ASSERT_EQ(f.write(std::string(100, 's'), 0), SQLITE_OK);
        ASSERT_EQ(f.sync(), SQLITE_OK);
        ASSERT_EQ(f.write(std::string(100, 'u'), 512), SQLITE_OK);
        ASSERT_EQ(f.write(std::string(100, 'u'), 1024), SQLITE_OK);  // grows the file; not synced
        EXPECT_EQ(readFile(path).size(), 1124u) << "before the cut, reads see the page cache";
    }
    auto report = crash.reboot(1, CrashVfs::Tear::None);
    ASSERT_TRUE(report) << report.error();
    EXPECT_EQ(report->unsyncedOps, 2u);
    const std::string after = readFile(path);
    ASSERT_EQ(after.size(), 1024u);
    EXPECT_EQ(after.substr(0, 100), std::string(100, 's'));
    EXPECT_EQ(after.substr(100), std::string(924, 'o'));
}

TEST_F(CrashVfsTest, TornWritesKeepOrLoseWholeSectors) {
    constexpr int kSectors = 64;
    const std::string path = existing("torn.bin", std::string(kSectors * 512, 'o'));
    {
        RawFile f(vfs, path, kDb);
        ASSERT_EQ(f.openRc(), SQLITE_OK);
        ASSERT_EQ(f.write(std::string(kSectors * 512, 'n'), 0), SQLITE_OK);
    }
    auto report = crash.reboot(42, CrashVfs::Tear::Sectors);
    ASSERT_TRUE(report) << report.error();
    const std::string after = readFile(path);
    ASSERT_EQ(after.size(), static_cast<std::size_t>(kSectors * 512));
    int kept = 0;
    for (int s = 0; s < kSectors; ++s) {
        const std::string sector = after.substr(static_cast<std::size_t>(s) * 512, 512);
        const bool isNew = sector == std::string(512, 'n');
        EXPECT_TRUE(isNew || sector == std::string(512, 'o')) << "sector " << s << " is mixed";
        kept += isNew ? 1 : 0;
    }
    EXPECT_GT(kept, 0);
    EXPECT_LT(kept, kSectors);
    EXPECT_EQ(report->sectorsSurvived, static_cast<std::uint64_t>(kept));
    EXPECT_EQ(report->sectorsLost, static_cast<std::uint64_t>(kSectors - kept));
}

TEST_F(CrashVfsTest, EveryCallFailsAfterTheCutAndArmedCutsHitTheChosenCall) {
    const std::string path = existing("c.bin", "");
    RawFile f(vfs, path, kDb);
    ASSERT_EQ(f.openRc(), SQLITE_OK);
    crash.armCut(3);
    EXPECT_EQ(f.write("a", 0), SQLITE_OK);
    EXPECT_EQ(f.sync(), SQLITE_OK);
    EXPECT_EQ(f.write("b", 1), SQLITE_IOERR_WRITE) << "the third durability call is the cut";
    EXPECT_TRUE(crash.isDown());
    EXPECT_EQ(crash.cutPoint().call, 3u);
    EXPECT_EQ(crash.cutPoint().op, "xWrite(db)");
    EXPECT_EQ(f.sync(), SQLITE_IOERR_FSYNC);
    RawFile other(vfs, (dir / "d.bin").string(), kDb);
    EXPECT_NE(other.openRc(), SQLITE_OK);
    f.close();
    ASSERT_TRUE(crash.reboot(1, CrashVfs::Tear::None));
    EXPECT_EQ(readFile(path), "a");
}

TEST_F(CrashVfsTest, ACutAfterASyncKeepsItsDataButFailsTheCaller) {
    const std::string path = existing("e.bin", "");
    {
        RawFile f(vfs, path, kDb);
        ASSERT_EQ(f.openRc(), SQLITE_OK);
        crash.armCut(2, /*afterCall=*/true);
        ASSERT_EQ(f.write("data", 0), SQLITE_OK);
        EXPECT_EQ(f.sync(), SQLITE_IOERR_FSYNC);
        EXPECT_TRUE(crash.cutPoint().afterCall);
    }
    ASSERT_TRUE(crash.reboot(1, CrashVfs::Tear::None));
    EXPECT_EQ(readFile(path), "data");
}

TEST_F(CrashVfsTest, ANewFileNeedsADirectorySync) {
    const std::string db = (dir / "new.db").string();
    const std::string wal = (dir / "new.db-wal").string();
    {
        RawFile f(vfs, db, kDb);
        ASSERT_EQ(f.openRc(), SQLITE_OK);
        ASSERT_EQ(f.write("db", 0), SQLITE_OK);
        ASSERT_EQ(f.sync(), SQLITE_OK);  // the unix VFS never syncs the directory for a main database
    }
    ASSERT_TRUE(crash.reboot(1, CrashVfs::Tear::None));
    EXPECT_FALSE(std::filesystem::exists(db)) << "its directory entry never reached the disk";

    {
        RawFile f(vfs, db, kDb);
        ASSERT_EQ(f.write("db", 0), SQLITE_OK);
        ASSERT_EQ(f.sync(), SQLITE_OK);
        RawFile w(vfs, wal, kWal);  // opened with CREATE: its first sync syncs the directory too
        ASSERT_EQ(w.openRc(), SQLITE_OK);
        ASSERT_EQ(w.write("wal", 0), SQLITE_OK);
        ASSERT_EQ(w.sync(), SQLITE_OK);
    }
    ASSERT_TRUE(crash.reboot(1, CrashVfs::Tear::None));
    EXPECT_EQ(readFile(wal), "wal");
    EXPECT_EQ(readFile(db), "db") << "the directory sync made every entry in it durable";
}

TEST_F(CrashVfsTest, AnUnlinkWithoutDirectorySyncIsUndone) {
    // b lives in another directory: syncing a directory makes every unlink in it durable.
    std::filesystem::create_directory(dir / "other");
    existing("a.db", "");  // the unix VFS takes a WAL's permissions from its database file
    existing("other/b.db", "");
    const std::string a = existing("a.db-wal", "old");
    const std::string b = existing("other/b.db-wal", "old");
    {
        RawFile f(vfs, a, kWal);
        ASSERT_EQ(f.openRc(), SQLITE_OK);
        ASSERT_EQ(f.write("NEW", 0), SQLITE_OK);  // unsynced, then unlinked
    }
    ASSERT_EQ(vfs->xDelete(vfs, a.c_str(), 0), SQLITE_OK);
    ASSERT_EQ(vfs->xDelete(vfs, b.c_str(), 1), SQLITE_OK);
    EXPECT_FALSE(std::filesystem::exists(a));
    ASSERT_TRUE(crash.reboot(1, CrashVfs::Tear::None));
    EXPECT_EQ(readFile(a), "old") << "the unlink was not durable: the file is back with its synced content";
    EXPECT_FALSE(std::filesystem::exists(b));
}

TEST_F(CrashVfsTest, SqliteSeesTheCrashAndRecoversCommittedRows) {
    const std::string path = (dir / "t.db").string();
    {
        auto db = sqlite::Database::open(path);  // created outside the crash VFS: durable
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec("PRAGMA journal_mode=WAL; CREATE TABLE t (v INTEGER)"));
    }
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, "crash-unit"), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "PRAGMA synchronous=FULL; INSERT INTO t VALUES (1)", nullptr, nullptr, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw, "PRAGMA synchronous=OFF; INSERT INTO t VALUES (2)", nullptr, nullptr, nullptr), SQLITE_OK);
    crash.cut();
    const int rc = sqlite3_exec(raw, "INSERT INTO t VALUES (3)", nullptr, nullptr, nullptr);
    EXPECT_EQ(rc & 0xFF, SQLITE_IOERR);
    sqlite3_close_v2(raw);
    ASSERT_TRUE(crash.reboot(7, CrashVfs::Tear::None));

    auto db = sqlite::Database::open(path, false);
    ASSERT_TRUE(db);
    EXPECT_EQ(*db->queryText("PRAGMA integrity_check"), "ok");
    EXPECT_EQ(*db->queryInt("SELECT group_concat(v) = '1' FROM t"), 1) << "the FULL commit survives, the OFF one not";
}

}  // namespace
}  // namespace touchpoint::testing
