#include "hub/store/sqlite_write_strategy.hpp"

#include <sqlite3.h>
#include <time.h>

#include <atomic>
#include <cstring>
#include <exception>
#include <optional>
#include <string>

#include "common/log.hpp"
#include "common/sqlite.hpp"
#include "hub/store/writer_thread.hpp"

namespace touchpoint::hub {

namespace {

/// The writer's time in its transactions, added up as they end (WriterTime): two clock reads a transaction.
class WriterTimer {
public:
    struct Mark {
        std::chrono::steady_clock::time_point wall;
        std::int64_t cpuNs = 0;
    };

    static Mark now() { return {std::chrono::steady_clock::now(), threadCpuNs()}; }

    /// One transaction that began at `from`, on this thread.
    void add(const Mark& from) {
        const Mark to = now();
        m_busyNs.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(to.wall - from.wall).count(),
                           std::memory_order_relaxed);
        m_cpuNs.fetch_add(to.cpuNs - from.cpuNs, std::memory_order_relaxed);
        m_transactions.fetch_add(1, std::memory_order_relaxed);
    }

    WriterTime total() const {
        return {static_cast<double>(m_busyNs.load(std::memory_order_relaxed)) / 1e9,
                static_cast<double>(m_cpuNs.load(std::memory_order_relaxed)) / 1e9,
                m_transactions.load(std::memory_order_relaxed)};
    }

private:
    static std::int64_t threadCpuNs() {
        timespec t{};
        if (::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) != 0) return 0;
        return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
    }

    std::atomic<std::int64_t> m_busyNs{0};
    std::atomic<std::int64_t> m_cpuNs{0};
    std::atomic<std::int64_t> m_transactions{0};
};

class SqliteWrites final : public WriteStrategy {
public:
    SqliteWrites(std::unique_ptr<SqlConnection> writer, std::unique_ptr<WalSync> walSync,
                 std::unique_ptr<WalCheckpointer> checkpointer)
        : m_writer(std::move(writer)), m_walSync(std::move(walSync)), m_checkpointer(std::move(checkpointer)) {}

    StoreResult<void> write(const Work& work) override {
        if (auto r = retrying([&] { return writeOnce(work); }); !r) return r;
        return m_walSync->flush();
    }

    StoreResult<std::vector<ReceiptStatus>> ingest(const std::vector<const IngestMessage*>& messages,
                                                   const std::vector<PreparedMessage>& prepared,
                                                   const IngestWork& work) override;

    std::optional<WriterTime> writerTime() const override { return m_time.total(); }

    StoreResult<void> truncateLog() override {
        StoreResult<void> r = Fail(StoreError{"not run", false});
        m_thread.run([&] {
            const auto started = WriterTimer::now();
            r = truncateLogLocked();
            m_time.add(started);
        });
        return r;
    }

private:
    /// On the writer, between transactions: no ingest writes meanwhile. TRUNCATE waits (busy timeout) for
    /// readers still on the log, copies every frame into the database, syncs it and cuts the log to zero bytes;
    /// the next commit starts a new log in the same file, which WalSync's connection keeps open. The
    /// checkpointer thread's own PASSIVE checkpoints hold the checkpoint lock for a moment, and SQLite answers
    /// "busy" then without waiting: try again a little later, for up to about a second.
    StoreResult<void> truncateLogLocked() {
        for (int attempt = 0; attempt < 20; ++attempt) {
            if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
            auto rows = m_writer->query("PRAGMA wal_checkpoint(TRUNCATE)");
            if (!rows) return Fail(rows.error());
            if (rows->size() == 1 && rows->integer(0, 0) == 0) return {};
        }
        return Fail(StoreError{"the write-ahead log stayed in use (a long read or checkpoint); not truncated", true});
    }

    /// One transaction, on the writer thread, which goes on to the next before anything waits for the disk.
    StoreResult<void> writeOnce(const Work& work) {
        StoreResult<void> r = Fail(StoreError{"not run", false});
        m_thread.run([&] {
            const auto started = WriterTimer::now();
            restartLogIfDue();
            r = transactOnce(*m_writer, work);
            m_time.add(started);
        });
        return r;
    }

    /// Lets the log start again from its beginning once the checkpointer has copied most of it: the writer
    /// copies what the checkpointer's last pass could not (the transactions committed during it), and its next
    /// transaction then writes from the log's start. SQLite's own automatic checkpoint on the writer is only a
    /// far backstop (openSqlite): it would copy the whole log and wait for the database file's sync inside an
    /// ingest, every 8192 pages, which cost a tenth of the ingest rate.
    void restartLogIfDue() {
        if (!m_checkpointer->takeRestartCue()) return;
        auto rows = m_writer->query("PRAGMA wal_checkpoint(PASSIVE)");
        if (!rows) log::warn("hub", "wal checkpoint before restarting the log failed", {{"error", rows.error().message}});
    }

    struct GroupJob {
        const std::vector<const IngestMessage*>* messages = nullptr;
        const std::vector<PreparedMessage>* prepared = nullptr;  ///< one per message
        bool taken = false;  ///< a leader is storing it
        bool done = false;
        std::optional<StoreResult<std::vector<ReceiptStatus>>> result;
    };

    std::unique_ptr<SqlConnection> m_writer;  ///< used only on m_thread, one transaction after another
    WriterTimer m_time;                       ///< the writer thread's time in transactions
    std::unique_ptr<WalSync> m_walSync;
    std::unique_ptr<WalCheckpointer> m_checkpointer;
    std::mutex m_groupMutex;
    std::condition_variable m_groupCv;
    std::vector<GroupJob*> m_groupQueue;
    bool m_groupLeaderActive = false;
    /// Runs every transaction on m_writer; declared last, so it stops before anything it uses goes away.
    WriterThread m_thread{"tp-writer"};
};

StoreResult<std::vector<ReceiptStatus>> SqliteWrites::ingest(const std::vector<const IngestMessage*>& messages,
                                                             const std::vector<PreparedMessage>& prepared,
                                                             const IngestWork& work) {
    GroupJob mine;
    mine.messages = &messages;
    mine.prepared = &prepared;
    std::vector<GroupJob*> group;
    {
        std::unique_lock<std::mutex> lock(m_groupMutex);
        m_groupQueue.push_back(&mine);
        // Wait until a leader has stored our messages, or until no leader runs and we lead the next group.
        m_groupCv.wait(lock, [&] { return mine.done || (!mine.taken && !m_groupLeaderActive); });
        if (mine.done) return std::move(*mine.result);
        m_groupLeaderActive = true;
        group.swap(m_groupQueue);
        for (GroupJob* job : group) job->taken = true;
    }
    std::vector<const IngestMessage*> all;
    std::vector<const PreparedMessage*> allPrepared;
    for (const GroupJob* job : group) {
        all.insert(all.end(), job->messages->begin(), job->messages->end());
        for (const auto& p : *job->prepared) allPrepared.push_back(&p);
    }
    std::vector<ReceiptStatus> statuses;
    StoreResult<std::vector<ReceiptStatus>> stored = Fail(StoreError{"not stored", false});
    StoreResult<void> written = Fail(StoreError{"not stored", false});
    try {
        written = retrying([&] {
            return writeOnce([&](SqlConnection& c) -> StoreResult<void> {
                auto r = work(c, all, allPrepared);
                if (!r) return Fail(r.error());
                statuses = std::move(r).value();
                return {};
            });
        });
    } catch (const std::exception& e) {
        // Rolled back (transactOnce); every request of the group gets the failure, and the next group a
        // leader.
        written = Fail(StoreError{std::string("the write failed: ") + e.what(), false});
    } catch (...) {
        written = Fail(StoreError{"the write failed: an exception that is not a std::exception", false});
    }
    if (written) {
        stored = std::move(statuses);
    } else {
        stored = Fail(written.error());
    }
    {
        std::lock_guard<std::mutex> lock(m_groupMutex);
        m_groupLeaderActive = false;
    }
    // The next group's transaction is written while this one's log reaches the disk; no receipt is given
    // before it has.
    m_groupCv.notify_all();
    if (stored) {
        if (auto d = m_walSync->flush(); !d) stored = Fail(d.error());
    }
    {
        std::lock_guard<std::mutex> lock(m_groupMutex);
        std::size_t offset = 0;
        for (GroupJob* job : group) {
            const auto n = job->messages->size();
            if (stored) {
                job->result.emplace(std::vector<ReceiptStatus>(stored->begin() + static_cast<std::ptrdiff_t>(offset),
                                                               stored->begin() + static_cast<std::ptrdiff_t>(offset + n)));
            } else {
                job->result.emplace(Fail(stored.error()));
            }
            offset += n;
            job->done = true;
        }
    }
    m_groupCv.notify_all();
    return std::move(*mine.result);
}

}  // namespace

StoreResult<std::unique_ptr<WriteStrategy>> openSqliteWrites(const std::string& path, SqliteLogPolicy policy) {
    auto writer = openSqlite(path, SqliteCommitSync::ByCaller);
    if (!writer) return Fail(writer.error());
    if (policy.restartFrames > 0) {
        // journal_size_limit is the writer's own: it is the connection that restarts the log. Each page in the
        // log has a 24-byte header.
        auto pageSize = (*writer)->query("PRAGMA page_size");
        if (!pageSize) return Fail(pageSize.error());
        const std::int64_t frameBytes = pageSize->integer(0, 0) + 24;
        const std::int64_t kept = frameBytes * policy.restartFrames * policy.keptLogPercent / 100;
        auto limited = (*writer)->script("PRAGMA journal_size_limit=" + std::to_string(kept));
        if (!limited) return Fail(limited.error());
    }
    auto checkpointer = WalCheckpointer::start(path, policy.checkpointInterval, policy.restartFrames);
    if (!checkpointer) return Fail(checkpointer.error());
    return std::unique_ptr<WriteStrategy>(new SqliteWrites(std::move(writer).value(), std::make_unique<WalSync>(path),
                                                           std::move(checkpointer).value()));
}

WalSync::WalSync(std::string databasePath) : m_path(std::move(databasePath)) {}

WalSync::~WalSync() = default;

StoreResult<void> WalSync::flush() {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_db) {
        auto db = sqlite::Database::open(m_path, /*create=*/false);
        if (!db) return Fail(StoreError{"open " + m_path + " to sync its log: " + db.error().message, false});
        m_db = std::make_unique<sqlite::Database>(std::move(db).value());
    }
    // The log file of this connection: another descriptor on the same file, so syncing it flushes what the
    // writer's connection wrote. SQLite opens it at a connection's first read and keeps it open.
    sqlite3_file* wal = nullptr;
    for (int attempt = 0; attempt < 2; ++attempt) {
        const int rc = sqlite3_file_control(m_db->handle(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal);
        if (rc == SQLITE_OK && wal != nullptr && wal->pMethods != nullptr) break;
        wal = nullptr;
        // A read (and nothing more: no snapshot is kept) makes the connection open the log.
        if (auto r = m_db->queryInt("SELECT COUNT(*) FROM sqlite_master"); !r) {
            return Fail(StoreError{"read " + m_path + " to open its log: " + r.error().message, false});
        }
    }
    if (wal == nullptr) return Fail(StoreError{m_path + " has no write-ahead log to sync", false});
    if (const int rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL); rc != SQLITE_OK) {
        return Fail(StoreError{"sync " + m_path + "-wal: " + sqlite3_errstr(rc), false});
    }
    return {};
}

struct WalCheckpointer::Impl {
    explicit Impl(sqlite::Database d) : db(std::move(d)) {}
    sqlite::Database db;
    std::mutex mutex;
    std::condition_variable cv;
    bool stopping = false;
    std::atomic<std::int64_t> checkpoints{0};
    int restartFrames = 0;
    std::atomic<bool> restartCue{false};
    std::thread thread;

    void checkpointOnce() {
        int logFrames = -1;
        int copied = -1;
        int rc = sqlite3_wal_checkpoint_v2(db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied);
        if (rc == SQLITE_OK && logFrames < 0) {
            // "Not in WAL mode" as far as this connection knows: it finds the log on its first read, and until
            // then a checkpoint silently copies nothing.
            (void)db.queryInt("SELECT COUNT(*) FROM sqlite_master");
            rc = sqlite3_wal_checkpoint_v2(db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied);
        }
        if (rc == SQLITE_OK && restartFrames > 0 && logFrames >= restartFrames) {
            // Time to let the log restart, which needs a checkpoint that copies all of it and syncs the
            // database file. A pass that could not copy the whole log (the writer went on committing) leaves
            // the file unsynced: sync it here, off the write path, so the writer's completing checkpoint
            // waits only for the pages it copies itself.
            syncDatabaseFile();
            restartCue.store(true, std::memory_order_release);
        }
        if (rc == SQLITE_OK) {
            if (copied > 0) checkpoints.fetch_add(1, std::memory_order_relaxed);
        } else if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) {
            log::warn("hub", "wal checkpoint failed", {{"error", sqlite3_errmsg(db.handle())}});
        }
    }

    void syncDatabaseFile() {
        sqlite3_file* file = nullptr;
        if (sqlite3_file_control(db.handle(), "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || file == nullptr ||
            file->pMethods == nullptr) {
            return;
        }
        if (const int rc = file->pMethods->xSync(file, SQLITE_SYNC_NORMAL); rc != SQLITE_OK) {
            log::warn("hub", "syncing the database file after a checkpoint failed", {{"error", sqlite3_errstr(rc)}});
        }
    }

    void loop(std::chrono::milliseconds interval) {
        std::unique_lock<std::mutex> lock(mutex);
        while (!cv.wait_for(lock, interval, [this] { return stopping; })) {
            lock.unlock();
            checkpointOnce();
            lock.lock();
        }
    }
};

WalCheckpointer::WalCheckpointer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

StoreResult<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(const std::string& path,
                                                                     std::chrono::milliseconds interval,
                                                                     int restartFrames) {
    auto db = sqlite::Database::open(path, false);
    if (!db) return Fail(StoreError{"open " + path + " for checkpoints: " + db.error().message, false});
    if (auto r = db->exec("PRAGMA busy_timeout=1000"); !r) return Fail(StoreError{r.error().message, false});
    auto impl = std::make_unique<Impl>(std::move(db).value());
    impl->restartFrames = restartFrames;
    Impl* raw = impl.get();
    raw->thread = std::thread([raw, interval] { raw->loop(interval); });
    return std::unique_ptr<WalCheckpointer>(new WalCheckpointer(std::move(impl)));
}

WalCheckpointer::~WalCheckpointer() {
    {
        std::lock_guard<std::mutex> lock(m_impl->mutex);
        m_impl->stopping = true;
    }
    m_impl->cv.notify_all();
    m_impl->thread.join();
}

std::int64_t WalCheckpointer::checkpoints() const { return m_impl->checkpoints.load(std::memory_order_relaxed); }

bool WalCheckpointer::takeRestartCue() { return m_impl->restartCue.exchange(false, std::memory_order_acq_rel); }

}  // namespace touchpoint::hub
