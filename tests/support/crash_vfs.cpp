#include "crash_vfs.hpp"

#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <vector>

#include "crash_vfs_state.hpp"

namespace touchpoint::testing {

namespace crash_vfs_detail {

void applyOp(std::string& image, const Op& op) {
    const auto at = static_cast<std::size_t>(op.offset);
    switch (op.kind) {
        case Op::Kind::Write:
            if (image.size() < at + op.data.size()) image.resize(at + op.data.size(), '\0');
            std::memcpy(image.data() + at, op.data.data(), op.data.size());
            break;
        case Op::Kind::Truncate: image.resize(at, '\0'); break;
        case Op::Kind::Grow:
            if (image.size() < at) image.resize(at, '\0');
            break;
    }
}

std::string readWhole(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) return {};
    std::string out(static_cast<std::size_t>(in.tellg()), '\0');
    in.seekg(0);
    in.read(out.data(), static_cast<std::streamsize>(out.size()));
    return out;
}

bool fileExists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

const char* typeName(int flags) {
    if ((flags & SQLITE_OPEN_MAIN_DB) != 0) return "db";
    if ((flags & SQLITE_OPEN_WAL) != 0) return "wal";
    if ((flags & SQLITE_OPEN_MAIN_JOURNAL) != 0) return "journal";
    if ((flags & SQLITE_OPEN_SUPER_JOURNAL) != 0) return "super-journal";
    return "temp";
}

}  // namespace crash_vfs_detail

namespace {

using namespace crash_vfs_detail;
using State = CrashVfs::State;

/// The content a file has after the reboot, from its last synced image and (torn) unsynced changes.
std::string crashImage(const Inode& inode, CrashVfs::Tear tear, std::mt19937_64& rng, CrashVfs::RebootReport& report) {
    std::string image = inode.synced;
    report.unsyncedOps += inode.pending.size();
    if (tear == CrashVfs::Tear::None) return image;
    std::bernoulli_distribution keep(0.5);
    for (const Op& op : inode.pending) {
        if (op.kind != Op::Kind::Write) {
            if (keep(rng)) applyOp(image, op);
            continue;
        }
        const std::int64_t end = op.offset + static_cast<std::int64_t>(op.data.size());
        for (std::int64_t sector = op.offset / kSector * kSector; sector < end; sector += kSector) {
            const std::int64_t from = std::max(sector, op.offset);
            const std::int64_t to = std::min(sector + kSector, end);
            if (!keep(rng)) {
                ++report.sectorsLost;
                continue;
            }
            ++report.sectorsSurvived;
            applyOp(image, Op{Op::Kind::Write, from,
                              op.data.substr(static_cast<std::size_t>(from - op.offset), static_cast<std::size_t>(to - from))});
        }
    }
    return image;
}

}  // namespace

CrashVfs::CrashVfs(std::string name, bool makeDefault) : m_state(std::make_unique<State>()) {
    State& s = *m_state;
    s.name = std::move(name);
    s.inner = sqlite3_vfs_find(nullptr);
    if (s.inner == nullptr) throw std::runtime_error("no default SQLite VFS");
    s.previousDefault = s.inner;
    s.vfs.iVersion = 2;  // no xSetSystemCall: nothing may bypass the wrapper
    s.vfs.mxPathname = s.inner->mxPathname;
    s.vfs.zName = s.name.c_str();
    s.vfs.pAppData = &s;
    installCallbacks(s);  // and szOsFile, which depends on the callbacks' per-file header
    if (sqlite3_vfs_register(&s.vfs, makeDefault ? 1 : 0) != SQLITE_OK) {
        throw std::runtime_error("cannot register the crash VFS");
    }
}

CrashVfs::~CrashVfs() {
    sqlite3_vfs_unregister(&m_state->vfs);
    if (sqlite3_vfs_find(nullptr) != m_state->previousDefault) sqlite3_vfs_register(m_state->previousDefault, 1);
}

const char* CrashVfs::name() const { return m_state->name.c_str(); }

void CrashVfs::armCut(std::uint64_t call, bool afterCall, const std::string& onlyOp) {
    std::lock_guard lock(m_state->mutex);
    m_state->cutOnly = onlyOp;
    m_state->cutCalls = 0;
    m_state->cutAt = call;
    m_state->cutAfter = afterCall;
}

void CrashVfs::cut() {
    std::lock_guard lock(m_state->mutex);
    if (m_state->down) return;
    m_state->down = true;
    m_state->cutPoint = CutPoint{true, m_state->calls, "manual", false};
}

bool CrashVfs::isDown() const { return m_state->isDown(); }

std::uint64_t CrashVfs::calls() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->calls;
}

CrashVfs::CutPoint CrashVfs::cutPoint() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->cutPoint;
}

std::map<std::string, std::uint64_t> CrashVfs::opCounts() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->opCounts;
}

int CrashVfs::openFiles() const {
    std::lock_guard lock(m_state->mutex);
    return m_state->open;
}

Result<CrashVfs::RebootReport, std::string> CrashVfs::reboot(std::uint64_t seed, Tear tear) {
    std::lock_guard lock(m_state->mutex);
    State& s = *m_state;
    if (s.open != 0) return Fail(std::to_string(s.open) + " file(s) still open through the crash VFS");
    if (!s.down) {
        s.down = true;
        s.cutPoint = CutPoint{true, s.calls, "manual", false};
    }
    std::mt19937_64 rng(seed);
    std::bernoulli_distribution keepEntry(0.5);
    RebootReport report;
    for (auto& [path, p] : s.paths) {
        // Which file the directory shows after the reboot.
        const Inode* survivor = nullptr;
        if (p.current && (p.current->entryDurable || (tear == Tear::Sectors && keepEntry(rng)))) {
            survivor = &*p.current;
        } else if (p.ghost) {
            survivor = &*p.ghost;
        }
        std::error_code ec;
        if (survivor == nullptr) {
            if (std::filesystem::remove(path, ec)) ++report.filesRemoved;
            if (ec) return Fail("cannot remove " + path + ": " + ec.message());
        } else {
            const std::string image = crashImage(*survivor, tear, rng, report);
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            out.write(image.data(), static_cast<std::streamsize>(image.size()));
            out.close();
            if (!out) return Fail("cannot write " + path);
            ++report.filesWritten;
        }
        if (p.mainDb) std::filesystem::remove(path + "-shm", ec);
    }
    s.paths.clear();
    s.down = false;
    s.calls = 0;
    s.cutAt = 0;
    s.cutOnly.clear();
    s.cutCalls = 0;
    s.cutAfter = false;
    s.cutPoint = CutPoint{};
    return report;
}

Result<std::string, std::string> PowerLossTally::rebootAfterRound(CrashVfs& vfs, int round, std::uint64_t seed) {
    const CrashVfs::CutPoint cutAt = vfs.cutPoint();
    if (cutAt.happened) {
        ++cutsMidRound;
        ++m_cutOps[cutAt.op + (cutAt.afterCall ? " after" : " before")];
    }
    const bool torn = round % 2 == 1;
    tornRounds += torn ? 1 : 0;
    auto rebooted = vfs.reboot(seed, torn ? CrashVfs::Tear::Sectors : CrashVfs::Tear::None);
    if (!rebooted) return Fail(rebooted.error());
    lostUnsyncedOps += rebooted->unsyncedOps;
    ++rounds;
    return "round " + std::to_string(round) + " (cut at call " + std::to_string(cutAt.call) + ", " +
           (cutAt.happened ? cutAt.op + (cutAt.afterCall ? " after" : "") : std::string("after the round")) +
           (torn ? ", torn" : "") + ")";
}

std::string PowerLossTally::report(const CrashVfs& vfs, const std::string& prefix) const {
    std::string out;
    for (const auto& [op, n] : m_cutOps) out += prefix + "cut " + op + ": " + std::to_string(n) + "\n";
    for (const auto& [op, n] : vfs.opCounts()) out += prefix + "calls " + op + ": " + std::to_string(n) + "\n";
    return out;
}

}  // namespace touchpoint::testing
