#include <gtest/gtest.h>

#include "common/sqlite.hpp"
#include "temp_dir.hpp"

namespace touchpoint::sqlite {
namespace {

TEST(Sqlite, RoundTripsValuesThroughPreparedStatements) {
    auto db = Database::open(":memory:");
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE(db->exec("CREATE TABLE t(i INTEGER NOT NULL, s TEXT NOT NULL, b BLOB)"));
    auto ins = db->prepare("INSERT INTO t(i, s, b) VALUES (?1, ?2, ?3)");
    ASSERT_TRUE(ins);
    const char blob[] = {1, 0, 2};
    ins->bind(1, std::int64_t{42}).bind(2, "héllo").bindBlob(3, blob, sizeof blob);
    ASSERT_TRUE(ins->run());
    auto sel = db->prepare("SELECT i, s, b FROM t");
    ASSERT_TRUE(sel);
    auto row = sel->step();
    ASSERT_TRUE(row && *row);
    EXPECT_EQ(sel->columnInt64(0), 42);
    EXPECT_EQ(sel->columnText(1), "héllo");
    EXPECT_EQ(sel->columnBlob(2).size(), 3U);
}

TEST(Sqlite, ConnectionsKeepNoProcessWideAllocationCounts) {
    // Counting takes one mutex in every allocation of every connection (common/sqlite.cpp).
    auto db = Database::open(":memory:");
    ASSERT_TRUE(db) << db.error().message;
    ASSERT_TRUE(db->exec("CREATE TABLE t(s TEXT NOT NULL)"));
    ASSERT_TRUE(db->exec("INSERT INTO t(s) SELECT printf('%.*c', 1000, 'x') FROM (SELECT 1 UNION SELECT 2)"));
    EXPECT_EQ(sqlite3_memory_used(), 0);
    EXPECT_EQ(sqlite3_memory_highwater(0), 0);
}

TEST(Sqlite, ErrorsAreTypedNotPrinted) {
    auto db = Database::open(":memory:");
    ASSERT_TRUE(db);
    auto bad = db->prepare("SELEC nonsense");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, SQLITE_ERROR);
    EXPECT_NE(bad.error().message.find("prepare"), std::string::npos);
    ASSERT_TRUE(db->exec("CREATE TABLE u(x INTEGER PRIMARY KEY)"));
    ASSERT_TRUE(db->exec("INSERT INTO u VALUES (1)"));
    auto dup = db->exec("INSERT INTO u VALUES (1)");
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().code, SQLITE_CONSTRAINT);
}

TEST(Sqlite, TransactionRollsBackUnlessCommitted) {
    testing::TempDir dir;
    auto db = Database::open(dir / "t.db");
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->exec("CREATE TABLE t(x INTEGER)"));
    {
        auto tx = Transaction::begin(*db);
        ASSERT_TRUE(tx);
        ASSERT_TRUE(db->exec("INSERT INTO t VALUES (1)"));
    }
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM t"), 0);
    {
        auto tx = Transaction::begin(*db);
        ASSERT_TRUE(tx);
        ASSERT_TRUE(db->exec("INSERT INTO t VALUES (2)"));
        ASSERT_TRUE(tx->commit());
    }
    EXPECT_EQ(*db->queryInt("SELECT COUNT(*) FROM t"), 1);
}

TEST(Sqlite, OpeningANonDatabaseFileReportsNotADb) {
    testing::TempDir dir;
    {
        std::FILE* f = std::fopen((dir / "junk.db").c_str(), "wb");
        ASSERT_NE(f, nullptr);
        std::fputs("this is not a database, just some text that is long enough to have a header........", f);
        std::fclose(f);
    }
    auto db = Database::open(dir / "junk.db");
    ASSERT_TRUE(db);  // SQLite opens lazily
    auto r = db->queryInt("PRAGMA user_version");
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().isCorrupt()) << r.error().message;
}

}  // namespace
}  // namespace touchpoint::sqlite
