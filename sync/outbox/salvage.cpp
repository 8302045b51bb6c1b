// Salvage works around damaged b-tree pages: a range scan stops at the first page it cannot read, but a
// lookup of one row id only walks the pages on that row's path. So scan while the scan works; when it fails,
// probe the following row ids one at a time (row ids are the outbox's dense per-device sequence) and resume a
// scan after each row that could be read. The highest row id bounds the probing; when even that cannot be
// read, probing stops after a long run of ids with no readable row.

#include "outbox/salvage.hpp"

#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/clock.hpp"
#include "common/sqlite.hpp"
#include "common/tls_cert.hpp"
#include "common/uuid.hpp"

namespace touchpoint::outbox {

namespace {

constexpr std::size_t kMaxProblems = 50;
constexpr std::string_view kRecoveredSuffix = ".recovered";

std::filesystem::path recoveredRecord(const std::filesystem::path& file) {
    return std::filesystem::path(file.string() + std::string(kRecoveredSuffix));
}
constexpr std::int64_t kMaxBlindProbes = 100'000;  // ids probed past the last readable row when the end is unknown

class TempCopy {
public:
    explicit TempCopy(const std::filesystem::path& source) {
        m_dir = std::filesystem::temp_directory_path() / ("touchpoint-salvage-" + newUuidV4());
        std::filesystem::create_directories(m_dir);
        m_file = m_dir / "outbox.db";
        std::filesystem::copy_file(source, m_file);
        const std::filesystem::path wal = source.string() + "-wal";
        if (std::filesystem::exists(wal)) std::filesystem::copy_file(wal, m_file.string() + "-wal");
    }
    ~TempCopy() {
        std::error_code ec;
        std::filesystem::remove_all(m_dir, ec);
    }
    TempCopy(const TempCopy&) = delete;
    TempCopy& operator=(const TempCopy&) = delete;
    const std::filesystem::path& file() const { return m_file; }

private:
    std::filesystem::path m_dir;
    std::filesystem::path m_file;
};

class Salvager {
public:
    explicit Salvager(sqlite::Database& db) : m_db(db) {}

    Result<SalvageReport, std::string> run() {
        auto scan = m_db.prepare(
            "SELECT row_id, message_id, kind, priority, payload, identity_hash, created_ms, total_count FROM pending "
            "WHERE row_id > ?1 ORDER BY row_id");
        auto one = m_db.prepare(
            "SELECT row_id, message_id, kind, priority, payload, identity_hash, created_ms, total_count FROM pending "
            "WHERE row_id = ?1");
        if (!scan || !one) {
            return Fail("the outbox schema cannot be read: " + (scan ? one.error() : scan.error()).message);
        }
        if (auto extra = m_db.prepare("SELECT hash FROM identity_extra WHERE message_id = ?1")) {
            m_extra.emplace(std::move(extra.value()));
        } else {
            note("further identity hashes cannot be read (" + extra.error().message + ")");
        }
        const std::optional<std::int64_t> last = highestRowId();
        std::int64_t cursor = 0;  // every id <= cursor has been read or accounted for
        for (;;) {
            if (scanFrom(*scan, cursor)) break;  // reached the end of the table
            // The scan failed after `cursor`: probe the ids that follow, one by one.
            const std::int64_t limit = last ? *last : cursor + kMaxBlindProbes;
            std::int64_t id = cursor + 1;
            bool resumed = false;
            for (; id <= limit; ++id) {
                const auto read = readOne(*one, id);
                if (read == Read::Failed) {
                    noteUnreadable(id);
                    continue;
                }
                if (read == Read::Found) {
                    cursor = id;
                    resumed = true;
                    break;
                }
            }
            if (!resumed) {
                if (!last) note("the end of the pending table could not be read; probing stopped at row id " +
                                std::to_string(limit));
                break;
            }
        }
        closeRange();
        accountForSilentLosses();
        if (auto n = m_db.queryInt("SELECT COUNT(*) FROM dead_letters")) m_report.deadLetters = *n;
        else note("dead letters could not be counted: " + n.error().message);
        return std::move(m_report);
    }

private:
    enum class Read { Found, Absent, Failed };

    /// A damaged leaf can also lose rows without any read failing (its cell pointers scribbled over). Each
    /// row carries the running count of rows ever enqueued and meta the count deleted, so the file itself
    /// says how many pending rows the newest readable one had behind it; the shortfall is unreadable.
    void accountForSilentLosses() {
        auto deleted = m_db.queryInt("SELECT deleted_count FROM meta WHERE id = 1");
        if (!deleted || m_newestTotal == 0) {
            note("the file's row counters cannot be read: rows lost without a read error are not counted");
            return;
        }
        const std::int64_t expected = m_newestTotal - *deleted;
        const std::int64_t missing = expected - static_cast<std::int64_t>(m_report.rows.size()) - m_badRows;
        if (missing <= m_report.unreadable - m_badRows) return;  // probing already counted them
        m_report.unreadable = missing + m_badRows;
        std::string gaps;
        for (std::size_t i = 1, shown = 0; i < m_ids.size() && shown < 20; ++i) {
            if (m_ids[i] == m_ids[i - 1] + 1) continue;
            gaps += (gaps.empty() ? "" : ", ") + std::to_string(m_ids[i - 1] + 1) + "-" + std::to_string(m_ids[i] - 1);
            ++shown;
        }
        note(std::to_string(missing) + " rows the file counts as pending were not found (damaged pages); row ids "
             "missing between readable rows: " + (gaps.empty() ? std::string("none") : gaps) +
             " (some may have been delivered before the damage)");
    }

    std::optional<std::int64_t> highestRowId() {
        auto max = m_db.queryInt("SELECT COALESCE(MAX(row_id), 0) FROM pending");
        if (max) return *max;
        note("the highest pending row id cannot be read (" + max.error().message + ")");
        return std::nullopt;
    }

    /// Scans from `cursor` on; true when the table's end was reached, false when a read failed.
    bool scanFrom(sqlite::Statement& scan, std::int64_t& cursor) {
        scan.reset();
        scan.bind(1, cursor);
        for (;;) {
            auto row = scan.step();
            if (!row) {
                m_lastError = row.error().message;
                return false;
            }
            if (!*row) return true;
            const std::int64_t id = scan.columnInt64(0);
            // Ids the scan skipped over were absent (delivered and deleted before the damage).
            take(scan, id);
            cursor = id;
        }
    }

    Read readOne(sqlite::Statement& one, std::int64_t id) {
        one.reset();
        one.bind(1, id);
        auto row = one.step();
        if (!row) {
            m_lastError = row.error().message;
            return Read::Failed;
        }
        if (!*row) return Read::Absent;
        take(one, id);
        return Read::Found;
    }

    void take(sqlite::Statement& st, std::int64_t id) {
        SalvagedRow r;
        r.messageId = st.columnText(1);
        r.kind = st.columnText(2);
        r.priority = static_cast<int>(st.columnInt64(3));
        r.payload = st.columnText(4);
        const std::string firstHash = st.columnText(5);
        r.createdMs = st.columnInt64(6);
        // A damaged page can still parse as a row; only a payload that is the message its column names counts.
        const auto json = nlohmann::json::parse(r.payload, nullptr, false);
        if (json.is_discarded() || !json.is_object() || !json.contains("messageId") ||
            !json["messageId"].is_string() || json["messageId"].get<std::string>() != r.messageId) {
            m_lastError = "the payload is not the message its row names";
            ++m_badRows;
            noteUnreadable(id);
            return;
        }
        closeRange();
        if (id > m_newestId) {
            m_newestId = id;
            m_newestTotal = st.columnInt64(7);
        }
        m_ids.push_back(id);
        if (!firstHash.empty()) r.identityHashes.push_back(firstHash);
        if (m_extra) {
            m_extra->reset();  // the statement, not the optional
            m_extra->bind(1, r.messageId);
            for (;;) {
                auto h = m_extra->step();
                if (!h) {
                    // Once its index is damaged every lookup fails: say so once and stop asking.
                    note("from row " + std::to_string(id) + " on, further identity hashes cannot be read (" +
                         h.error().message + "); an erasure request may miss events with more than one identity");
                    m_extra.reset();
                    break;
                }
                if (!*h) break;
                r.identityHashes.push_back(m_extra->columnText(0));
            }
        }
        m_report.rows.push_back(std::move(r));
    }

    void noteUnreadable(std::int64_t id) {
        ++m_report.unreadable;
        if (!m_rangeStart) m_rangeStart = id;
        m_rangeEnd = id;
    }
    void closeRange() {
        if (!m_rangeStart) return;
        note("row ids " + std::to_string(*m_rangeStart) + "-" + std::to_string(m_rangeEnd) +
             " could not be read: " + m_lastError);
        m_rangeStart.reset();
    }
    void note(std::string line) {
        if (m_report.problems.size() < kMaxProblems) m_report.problems.push_back(std::move(line));
    }

    sqlite::Database& m_db;
    std::optional<sqlite::Statement> m_extra;
    SalvageReport m_report;
    std::optional<std::int64_t> m_rangeStart;
    std::vector<std::int64_t> m_ids;  // row ids read, ascending
    std::int64_t m_newestId = 0;
    std::int64_t m_newestTotal = 0;   // total_count of the newest readable row
    std::int64_t m_badRows = 0;       // read, but not the message their row names
    std::int64_t m_rangeEnd = 0;
    std::string m_lastError;
};

}  // namespace

Result<SalvageReport, std::string> salvageOutbox(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return Fail(path.string() + ": no such file");
    std::optional<TempCopy> copy;
    try {
        copy.emplace(path);
    } catch (const std::filesystem::filesystem_error& e) {
        return Fail(path.string() + ": cannot copy it to read: " + e.what());
    }
    auto db = sqlite::Database::open(copy->file(), /*create=*/false);
    if (!db) return Fail(path.string() + ": " + db.error().message);
    auto report = Salvager(*db).run();
    if (!report) return Fail(path.string() + ": " + report.error());
    return report;
}

Result<RecoverReport, std::string> recoverInto(Outbox& live, const std::filesystem::path& file) {
    std::error_code ec;
    if (std::filesystem::equivalent(file, live.path(), ec)) {
        return Fail(file.string() + " is the live outbox; recover reads a moved-aside copy");
    }
    auto salvaged = salvageOutbox(file);
    if (!salvaged) return Fail(salvaged.error());
    RecoverReport report;
    report.file = file;
    report.read = static_cast<std::int64_t>(salvaged->rows.size());
    report.unreadable = salvaged->unreadable;
    report.deadLetters = salvaged->deadLetters;
    report.problems = std::move(salvaged->problems);
    auto imported = live.importSalvaged(salvaged->rows);
    if (!imported) return Fail("live outbox: " + imported.error().message);
    report.reenqueued = imported->reenqueued;
    report.alreadyPresent = imported->alreadyPresent;
    report.refused = imported->refused;
    for (auto& line : imported->refusals) {
        if (report.problems.size() >= kMaxProblems) break;
        report.problems.push_back("refused: " + line);
    }
    if (report.refused == 0) {
        // Every readable event is in the live outbox now. The record keeps the evidence file itself untouched.
        const nlohmann::json record{{"recoveredAtUtcMs", SystemClock::instance().utcMs()}, {"read", report.read},
                                    {"reenqueued", report.reenqueued}, {"alreadyPresent", report.alreadyPresent},
                                    {"unreadable", report.unreadable}, {"deadLetters", report.deadLetters}};
        auto written = tls::writeFileAtomically(recoveredRecord(file).string(), record.dump() + "\n", 0600);
        if (!written && report.problems.size() < kMaxProblems) {
            report.problems.push_back("could not record the recovery: " + written.error());
        }
    }
    return report;
}

std::vector<std::filesystem::path> findMovedAside(const std::filesystem::path& liveOutbox) {
    std::vector<std::filesystem::path> out;
    const std::string prefix = liveOutbox.filename().string() + ".corrupt-";
    std::error_code ec;
    const auto dir = liveOutbox.has_parent_path() ? liveOutbox.parent_path() : std::filesystem::path(".");
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) != 0) continue;
        if (name.ends_with("-wal") || name.ends_with("-shm") || name.ends_with(kRecoveredSuffix)) continue;
        if (entry.is_regular_file(ec)) out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());  // the UTC stamp in the name sorts by time
    return out;
}

std::vector<std::filesystem::path> pendingRecovery(const std::filesystem::path& liveOutbox) {
    auto files = findMovedAside(liveOutbox);
    std::error_code ec;
    std::erase_if(files, [&](const std::filesystem::path& f) { return std::filesystem::exists(recoveredRecord(f), ec); });
    return files;
}

}  // namespace touchpoint::outbox
