// What the outbox does to and with its file: schema and migrations, sealing at rest (raw .db and -wal bytes),
// corrupt-file recovery that keeps the evidence, disk full and read-only.

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "common/sqlite.hpp"
#include "outbox/schema.hpp"
#include "outbox_fixture.hpp"
#include "temp_dir.hpp"

namespace touchpoint::outbox {
namespace {

using touchpoint::testing::readFile;
using touchpoint::testing::TempDir;
using testing::EventKit;
using testing::openOutbox;

void writeFile(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
}

TEST(OutboxSchema, FreshFileIsAtTheLatestVersionWithWalAndFullSync) {
    TempDir dir;
    OpenReport report;
    auto box = openOutbox(dir / "outbox.db", nullptr, 1 << 20, &report);
    EXPECT_EQ(report.migratedFromVersion, 0);
    EXPECT_FALSE(report.recovered);
    auto db = sqlite::Database::open(dir / "outbox.db", false);
    ASSERT_TRUE(db);
    EXPECT_EQ(*db->queryInt("PRAGMA user_version"), latestSchemaVersion());
    EXPECT_EQ(*db->queryText("PRAGMA journal_mode"), "wal");
    for (const char* table : {"pending", "identity_extra", "dead_letters", "counters", "meta", "recent_signins"}) {
        EXPECT_EQ(*db->queryInt(std::string("SELECT COUNT(*) FROM sqlite_schema WHERE type='table' AND name='") +
                                table + "'"),
                  1)
            << table;
    }
}

TEST(OutboxSchema, MigrationRunnerAppliesOnlyNewerStepsInOrder) {
    TempDir dir;
    const Migration steps[] = {
        {1, "CREATE TABLE t (a INTEGER NOT NULL);"},
        {2, "ALTER TABLE t ADD COLUMN b TEXT NOT NULL DEFAULT 'x';"},
        {3, "CREATE INDEX t_b ON t (b);"},
    };
    auto db = sqlite::Database::open(dir / "m.db");
    ASSERT_TRUE(db);
    auto v1 = migrate(*db, std::span(steps, 1));
    ASSERT_TRUE(v1) << v1.error().message;
    EXPECT_EQ(v1->fromVersion, 0);
    EXPECT_EQ(v1->toVersion, 1);
    ASSERT_TRUE(db->exec("INSERT INTO t (a) VALUES (42)"));
    auto all = migrate(*db, steps);
    ASSERT_TRUE(all) << all.error().message;
    EXPECT_EQ(all->fromVersion, 1);
    EXPECT_EQ(all->toVersion, 3);
    EXPECT_EQ(*db->queryText("SELECT b FROM t WHERE a = 42"), "x");
    EXPECT_EQ(*db->queryInt("PRAGMA user_version"), 3);
    auto again = migrate(*db, steps);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->fromVersion, 3);
    EXPECT_EQ(again->toVersion, 3);
}

TEST(OutboxSchema, AFailingStepLeavesTheFileAtThePreviousVersion) {
    TempDir dir;
    const Migration steps[] = {{1, "CREATE TABLE t (a INTEGER);"}, {2, "ALTER TABLE nope ADD COLUMN b TEXT;"}};
    auto db = sqlite::Database::open(dir / "m.db");
    ASSERT_TRUE(db);
    ASSERT_FALSE(migrate(*db, steps));
    EXPECT_EQ(*db->queryInt("PRAGMA user_version"), 1);
}

TEST(OutboxSchema, AVersionOneFileWrittenByRawSqlOpensAndKeepsItsRows) {
    TempDir dir;
    {
        auto db = sqlite::Database::open(dir / "outbox.db");
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec("PRAGMA journal_mode = WAL"));
        ASSERT_TRUE(db->exec(migrations()[0].sql));
        ASSERT_TRUE(db->exec("PRAGMA user_version = 1"));
        ASSERT_TRUE(db->exec("UPDATE meta SET sequence_floor = 40"));
        ASSERT_TRUE(db->exec("INSERT INTO pending (row_id, message_id, kind, priority, payload, bytes, total_bytes, "
                             "total_count, created_ms) VALUES (41, 'm-41', 'feedback', 2, '{}', 2, 2, 1, 1)"));
    }
    EventKit kit;
    OpenReport report;
    auto box = openOutbox(dir / "outbox.db", &kit.clock, 1 << 20, &report);
    EXPECT_EQ(report.migratedFromVersion, 1);
    auto s = box->stats();
    EXPECT_EQ(s->pendingCount, 1);
    EXPECT_EQ(s->pendingBytes, 2);
    auto m = kit.feedback(6);
    EXPECT_EQ(box->enqueue(m)->sequence, 42);
}

TEST(OutboxSchema, AFileFromANewerVersionIsRefusedNotMovedAside) {
    TempDir dir;
    {
        auto db = sqlite::Database::open(dir / "outbox.db");
        ASSERT_TRUE(db);
        ASSERT_TRUE(db->exec("CREATE TABLE future (x INTEGER); PRAGMA user_version = 99"));
    }
    OutboxOptions o;
    o.path = dir / "outbox.db";
    auto r = Outbox::open(o);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("newer"), std::string::npos) << r.error().message;
    EXPECT_TRUE(std::filesystem::exists(dir / "outbox.db"));
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
        EXPECT_EQ(e.path().filename().string().find("corrupt"), std::string::npos);
    }
}

TEST(OutboxSealing, PlaintextPersonalDataNeverReachesTheDatabaseOrWal) {
    TempDir dir;
    EventKit kit;
    const std::string phone = "+15555550123";
    const std::string email = "jane.shopper@example.com";
    const std::string comment = "The fitting room attendant Marguerite was wonderful";
    auto box = openOutbox(dir / "outbox.db", &kit.clock);
    auto a = kit.phoneSignin(phone);
    auto b = kit.emailSignin(email);
    auto c = kit.feedback(10, comment, event::Identity{event::Identity::Type::Phone, phone});
    for (auto* m : {&a, &b, &c}) ASSERT_TRUE(box->enqueue(*m));
    ASSERT_TRUE(box->deadLetter({b.messageId}, "bad", 400));
    // Read the files while the outbox is open: the rows are in the WAL, not yet checkpointed.
    const std::string db = readFile(dir / "outbox.db");
    const std::string wal = readFile(dir / "outbox.db-wal");
    ASSERT_FALSE(wal.empty());
    const std::string both = db + wal;
    ASSERT_NE(both.find(a.messageId), std::string::npos) << "the rows must be in the bytes we search";
    ASSERT_NE(both.find(c.messageId), std::string::npos);
    for (const std::string& secret : {phone, std::string("5555550123"), email, std::string("jane.shopper"), comment,
                                      std::string("Marguerite")}) {
        EXPECT_EQ(db.find(secret), std::string::npos) << "in .db: " << secret;
        EXPECT_EQ(wal.find(secret), std::string::npos) << "in -wal: " << secret;
    }
    // And after a checkpoint moves everything into the main file.
    box.reset();
    const std::string after = readFile(dir / "outbox.db");
    ASSERT_NE(after.find(a.messageId), std::string::npos);
    for (const std::string& secret : {phone, email, comment}) EXPECT_EQ(after.find(secret), std::string::npos);
}

TEST(OutboxRecovery, GarbageFileIsMovedAsideAndAFreshOneStarted) {
    TempDir dir;
    std::string garbage = "this is not an SQLite database, it is what a broken SD card returned. ";
    while (garbage.size() < 8192) garbage += garbage;
    writeFile(dir / "outbox.db", garbage);
    EventKit kit;
    OpenReport report;
    auto box = openOutbox(dir / "outbox.db", &kit.clock, 1 << 20, &report);
    ASSERT_TRUE(report.recovered);
    EXPECT_FALSE(report.recoveryReason.empty());
    ASSERT_TRUE(std::filesystem::exists(report.movedAsideTo));
    EXPECT_NE(report.movedAsideTo.filename().string().find("outbox.db.corrupt-"), std::string::npos);
    EXPECT_EQ(readFile(report.movedAsideTo), garbage) << "the evidence is kept byte for byte";
    EXPECT_EQ(box->stats()->counters["recovered_corrupt"], 1);
    auto m = kit.feedback(8);
    ASSERT_TRUE(box->enqueue(m));
    EXPECT_EQ(box->stats()->pendingCount, 1);
}

TEST(OutboxRecovery, DamagedPageFailingQuickCheckIsMovedAsideWithItsBytes) {
    TempDir dir;
    EventKit kit;
    {
        auto box = openOutbox(dir / "outbox.db", &kit.clock);
        std::vector<event::Message> many;
        for (int i = 0; i < 400; ++i) many.push_back(kit.feedback(i % 11, i % 3 == 0 ? "a comment" : ""));
        ASSERT_TRUE(box->enqueueBatch(many));
    }
    ASSERT_FALSE(std::filesystem::exists(dir / "outbox.db-wal")) << "closing checkpoints into the main file";
    std::string bytes = readFile(dir / "outbox.db");
    ASSERT_GT(bytes.size(), 20U * 4096);
    // Scribble over a run of b-tree pages in the middle of the file, leaving the header page intact.
    for (std::size_t i = 6 * 4096; i < 12 * 4096; ++i) bytes[i] = static_cast<char>((i * 131) & 0xFF);
    writeFile(dir / "outbox.db", bytes);

    OpenReport report;
    auto box = openOutbox(dir / "outbox.db", &kit.clock, 1 << 20, &report);
    ASSERT_TRUE(report.recovered);
    EXPECT_EQ(readFile(report.movedAsideTo), bytes);
    EXPECT_EQ(box->stats()->pendingCount, 0);
    EXPECT_EQ(box->stats()->counters["recovered_corrupt"], 1);
    // A second recovery in the same second does not overwrite the first piece of evidence.
    box.reset();
    writeFile(dir / "outbox.db", "still garbage, still not a database, padding padding padding padding padding");
    OpenReport second;
    auto box2 = openOutbox(dir / "outbox.db", &kit.clock, 1 << 20, &second);
    ASSERT_TRUE(second.recovered);
    EXPECT_NE(second.movedAsideTo, report.movedAsideTo);
    EXPECT_EQ(readFile(report.movedAsideTo), bytes);
}

TEST(OutboxFaults, DiskFullReturnsDiskFullAndKeepsEarlierRows) {
    TempDir dir;
    EventKit kit;
    OutboxOptions o;
    o.path = dir / "outbox.db";
    o.clock = &kit.clock;
    o.maxPageCount = 24;
    auto opened = Outbox::open(o);
    ASSERT_TRUE(opened) << opened.error().message;
    auto& box = *opened;
    std::vector<std::string> stored;
    OutboxError last;
    for (int i = 0; i < 10000; ++i) {
        auto m = kit.feedback(i % 11, "comment number " + std::to_string(i));
        auto r = box->enqueue(m);
        if (!r) {
            last = r.error();
            break;
        }
        stored.push_back(m.messageId);
    }
    ASSERT_FALSE(stored.empty());
    ASSERT_EQ(last.code, OutboxErrc::DiskFull) << last.message;
    EXPECT_NE(last.message.find("full"), std::string::npos);
    // The same connection keeps working for reads, and nothing earlier is lost.
    auto pending = box->listPending(100000);
    ASSERT_TRUE(pending) << pending.error().message;
    ASSERT_EQ(pending->size(), stored.size());
    for (std::size_t i = 0; i < stored.size(); ++i) EXPECT_EQ((*pending)[i].messageId, stored[i]);
    box.reset();
    auto reopened = openOutbox(dir / "outbox.db", &kit.clock);
    EXPECT_EQ(static_cast<std::size_t>(reopened->stats()->pendingCount), stored.size());
    auto more = kit.feedback(1);
    EXPECT_TRUE(reopened->enqueue(more));
}

/// A tmpfs mounted for the duration of one test (root only); unmounted on scope exit.
class TmpfsMount {
public:
    TmpfsMount(const std::filesystem::path& dir, const std::string& options) : m_dir(dir) {
        std::filesystem::create_directories(dir);
        m_mounted = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) == 0;
    }
    ~TmpfsMount() {
        if (m_mounted) ::umount2(m_dir.c_str(), MNT_DETACH);
    }
    TmpfsMount(const TmpfsMount&) = delete;
    TmpfsMount& operator=(const TmpfsMount&) = delete;
    bool mounted() const { return m_mounted; }
    bool remountReadOnly() {
        return ::mount("tmpfs", m_dir.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr) == 0;
    }
    bool remountReadWrite() { return ::mount("tmpfs", m_dir.c_str(), "tmpfs", MS_REMOUNT, nullptr) == 0; }

private:
    std::filesystem::path m_dir;
    bool m_mounted = false;
};

TEST(OutboxFaults, RealFullFilesystemReturnsDiskFullAndKeepsEarlierRows) {
    TempDir dir;
    TmpfsMount fs(dir / "small", "size=384k");
    if (!fs.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here (needs root); the max_page_count test covers it";
    EventKit kit;
    auto box = openOutbox(dir / "small" / "outbox.db", &kit.clock);
    std::vector<std::string> stored;
    OutboxError last;
    for (int i = 0; i < 100000; ++i) {
        auto m = kit.feedback(i % 11, "comment number " + std::to_string(i));
        auto r = box->enqueue(m);
        if (!r) {
            last = r.error();
            break;
        }
        stored.push_back(m.messageId);
    }
    ASSERT_FALSE(stored.empty());
    EXPECT_EQ(last.code, OutboxErrc::DiskFull) << last.message;
    box.reset();
    // Make room the way an operator would (another file on the same disk), then every earlier row is there.
    auto reopened = openOutbox(dir / "small" / "outbox.db", &kit.clock);
    auto pending = reopened->listPending(1000000);
    ASSERT_TRUE(pending) << pending.error().message;
    ASSERT_EQ(pending->size(), stored.size());
    for (std::size_t i = 0; i < stored.size(); ++i) ASSERT_EQ((*pending)[i].messageId, stored[i]);
}

TEST(OutboxFaults, ReadOnlyFileReturnsReadOnlyAndKeepsRows) {
    TempDir dir;
    EventKit kit;
    const bool root = ::geteuid() == 0;
    TmpfsMount fs(dir / "ro", "size=4m");
    const std::filesystem::path folder = root ? dir / "ro" : dir / "plain";
    if (root && !fs.mounted()) GTEST_SKIP() << "root cannot be refused by permissions and no tmpfs mount is allowed";
    std::filesystem::create_directories(folder);
    const auto path = folder / "outbox.db";
    std::string kept;
    {
        auto box = openOutbox(path, &kit.clock);
        auto m = kit.feedback(9);
        ASSERT_TRUE(box->enqueue(m));
        kept = m.messageId;
    }
    if (root) {
        ASSERT_TRUE(fs.remountReadOnly());
    } else {
        ::chmod(path.c_str(), 0444);
        ::chmod(folder.c_str(), 0555);
    }
    OutboxOptions o;
    o.path = path;
    o.clock = &kit.clock;
    auto opened = Outbox::open(o);
    OutboxError error;
    if (opened) {
        auto m = kit.feedback(1);
        auto r = (*opened)->enqueue(m);
        ASSERT_FALSE(r);
        error = r.error();
    } else {
        error = opened.error();
    }
    EXPECT_EQ(error.code, OutboxErrc::ReadOnly) << error.message;
    EXPECT_FALSE(error.message.empty());
    if (opened) opened.value().reset();
    // Writable again (the operator fixed the mount or the permissions): the earlier row is still there.
    if (root) {
        ASSERT_TRUE(fs.remountReadWrite());
    } else {
        ::chmod(folder.c_str(), 0755);
        ::chmod(path.c_str(), 0644);
    }
    auto box = openOutbox(path, &kit.clock);
    auto pending = box->listPending(10);
    ASSERT_TRUE(pending) << pending.error().message;
    ASSERT_EQ(pending->size(), 1U);
    EXPECT_EQ(pending->front().messageId, kept);
}

}  // namespace
}  // namespace touchpoint::outbox
