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

namespace touchpoint::testing {

namespace {

constexpr std::int64_t kSector = 512;

/// One change to a file's bytes or length since its last completed sync.
struct Op {
    enum class Kind { Write, Truncate, Grow } kind = Kind::Write;
    std::int64_t offset = 0;  ///< Write: where; Truncate/Grow: the new length
    std::string data;
    std::uint64_t seq = 0;    ///< recording order across all files
};

/// One file (inode): its content as of the last completed sync, the changes since, and whether its
/// directory entry is durable.
struct Inode {
    std::string synced;
    std::vector<Op> pending;
    bool entryDurable = false;
};

/// A path: the file there now, and the file that would reappear after a crash because its unlink has not
/// reached the disk (only kept when that older file's own entry was durable).
struct PathState {
    std::optional<Inode> current;
    std::optional<Inode> ghost;
    bool mainDb = false;
};

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

}  // namespace

struct CrashVfs::State {
    std::string name;
    sqlite3_vfs vfs{};
    sqlite3_vfs* inner = nullptr;
    sqlite3_vfs* previousDefault = nullptr;
    sqlite3_io_methods methods{};

    mutable std::mutex mutex;
    std::map<std::string, PathState> paths;
    bool down = false;
    std::uint64_t calls = 0;
    std::uint64_t cutAt = 0;  // 0: not armed
    std::string cutOnly;      // count only these calls towards cutAt ("": all)
    std::uint64_t cutCalls = 0;
    bool cutAfter = false;
    CutPoint cutPoint;
    int open = 0;
    std::map<std::string, std::uint64_t> opCounts;
    std::uint64_t nextSeq = 1;  // ops recorded so far + 1

    void record(const std::string& path, Op op) {
        auto it = paths.find(path);
        if (it == paths.end() || !it->second.current) return;  // unlinked while open: gone after a reboot anyway
        op.seq = nextSeq++;
        it->second.current->pending.push_back(std::move(op));
    }
    std::uint64_t seqNow() {
        std::lock_guard lock(mutex);
        return nextSeq;
    }

    /// Counts a durability call and decides whether the power fails at it. Returns false when the call must
    /// fail without taking effect; sets failAfter when it takes effect and then fails.
    bool gate(const char* op, const char* type, bool& failAfter) {
        std::lock_guard lock(mutex);
        failAfter = false;
        if (down) return false;
        ++calls;
        const std::string opName = std::string(op) + "(" + type + ")";
        ++opCounts[opName];
        const bool counted = cutOnly.empty() || cutOnly == opName;
        if (counted) ++cutCalls;
        if (counted && cutAt != 0 && cutCalls == cutAt) {
            cutPoint = CutPoint{true, calls, opName, cutAfter};
            if (!cutAfter) {
                down = true;
                return false;
            }
            failAfter = true;
        }
        return true;
    }
    bool isDown() {
        std::lock_guard lock(mutex);
        return down;
    }
    /// The power fails now if it failed "after" this call; under the lock.
    void finishAfter(bool failAfter) {
        if (failAfter) down = true;
    }

    /// The file now at `path`; nullptr when it was unlinked while a handle still had it open (what is written
    /// to such a file is gone after a reboot anyway).
    Inode* currentInode(const std::string& path) {
        auto it = paths.find(path);
        return it != paths.end() && it->second.current ? &*it->second.current : nullptr;
    }

    /// A directory fsync: every entry in that directory becomes durable as it is now.
    void syncDirectory(const std::string& path) {
        const auto dir = std::filesystem::path(path).parent_path();
        for (auto& [p, state] : paths) {
            if (std::filesystem::path(p).parent_path() != dir) continue;
            if (state.current) state.current->entryDurable = true;
            state.ghost.reset();
        }
    }
};

namespace {

using State = CrashVfs::State;

/// What SQLite allocates per open file (szOsFile): our header, then the inner VFS's file.
struct CrashFile {
    sqlite3_file base;
    struct Handle* handle;
};

struct Handle {
    State* state = nullptr;
    std::string path;  // empty: untracked (temporary file)
    int flags = 0;
    bool dirSyncOnFirstSync = false;
};

sqlite3_file* realFile(sqlite3_file* f) {
    return reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + sizeof(CrashFile));
}
Handle& handleOf(sqlite3_file* f) { return *reinterpret_cast<CrashFile*>(f)->handle; }
State& stateOf(sqlite3_vfs* vfs) { return *static_cast<State*>(vfs->pAppData); }

int xClose(sqlite3_file* f) {
    Handle* h = reinterpret_cast<CrashFile*>(f)->handle;
    sqlite3_file* real = realFile(f);
    const int rc = real->pMethods != nullptr ? real->pMethods->xClose(real) : SQLITE_OK;
    {
        std::lock_guard lock(h->state->mutex);
        --h->state->open;
    }
    delete h;
    return rc;
}

int xRead(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
    Handle& h = handleOf(f);
    if (h.state->isDown()) return SQLITE_IOERR_READ;
    sqlite3_file* real = realFile(f);
    return real->pMethods->xRead(real, buf, amount, offset);
}

int xWrite(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
    Handle& h = handleOf(f);
    bool failAfter = false;
    if (!h.state->gate("xWrite", typeName(h.flags), failAfter)) return SQLITE_IOERR_WRITE;
    sqlite3_file* real = realFile(f);
    const int rc = real->pMethods->xWrite(real, buf, amount, offset);
    std::lock_guard lock(h.state->mutex);
    if (h.state->down) return SQLITE_IOERR_WRITE;  // the power failed while the write was in flight: lost
    if (rc == SQLITE_OK) {
        h.state->record(h.path, Op{Op::Kind::Write, offset,
                                   std::string(static_cast<const char*>(buf), static_cast<std::size_t>(amount))});
    }
    h.state->finishAfter(failAfter);
    return failAfter ? SQLITE_IOERR_WRITE : rc;
}

int xTruncate(sqlite3_file* f, sqlite3_int64 size) {
    Handle& h = handleOf(f);
    bool failAfter = false;
    if (!h.state->gate("xTruncate", typeName(h.flags), failAfter)) return SQLITE_IOERR_TRUNCATE;
    sqlite3_file* real = realFile(f);
    const int rc = real->pMethods->xTruncate(real, size);
    std::lock_guard lock(h.state->mutex);
    if (h.state->down) return SQLITE_IOERR_TRUNCATE;
    if (rc == SQLITE_OK) h.state->record(h.path, Op{Op::Kind::Truncate, size, {}});
    h.state->finishAfter(failAfter);
    return failAfter ? SQLITE_IOERR_TRUNCATE : rc;
}

int xSync(sqlite3_file* f, int flags) {
    Handle& h = handleOf(f);
    bool failAfter = false;
    if (!h.state->gate("xSync", typeName(h.flags), failAfter)) return SQLITE_IOERR_FSYNC;
    // An fsync covers the writes that completed before it began, not those other threads make meanwhile.
    const std::uint64_t coversBelow = h.state->seqNow();
    sqlite3_file* real = realFile(f);
    const int rc = real->pMethods->xSync(real, flags);
    std::lock_guard lock(h.state->mutex);
    // A sync that had not returned when the power failed may not have reached the disk: it never counts.
    if (h.state->down) return SQLITE_IOERR_FSYNC;
    if (Inode* inode = h.state->currentInode(h.path); rc == SQLITE_OK && inode != nullptr) {
        auto covered = inode->pending.begin();
        while (covered != inode->pending.end() && covered->seq < coversBelow) applyOp(inode->synced, *covered++);
        inode->pending.erase(inode->pending.begin(), covered);
        if (h.dirSyncOnFirstSync) {
            h.state->syncDirectory(h.path);
            h.dirSyncOnFirstSync = false;
        }
    }
    h.state->finishAfter(failAfter);
    return failAfter ? SQLITE_IOERR_FSYNC : rc;
}

int xFileSize(sqlite3_file* f, sqlite3_int64* size) {
    Handle& h = handleOf(f);
    if (h.state->isDown()) return SQLITE_IOERR_FSTAT;
    sqlite3_file* real = realFile(f);
    return real->pMethods->xFileSize(real, size);
}

int xLock(sqlite3_file* f, int level) {
    Handle& h = handleOf(f);
    if (h.state->isDown()) return SQLITE_IOERR_LOCK;
    sqlite3_file* real = realFile(f);
    return real->pMethods->xLock(real, level);
}

int xUnlock(sqlite3_file* f, int level) {
    // Always passes: releasing a lock changes nothing on disk, and the connection must be able to let go.
    sqlite3_file* real = realFile(f);
    return real->pMethods->xUnlock(real, level);
}

int xCheckReservedLock(sqlite3_file* f, int* out) {
    Handle& h = handleOf(f);
    if (h.state->isDown()) return SQLITE_IOERR_CHECKRESERVEDLOCK;
    sqlite3_file* real = realFile(f);
    return real->pMethods->xCheckReservedLock(real, out);
}

int xFileControl(sqlite3_file* f, int op, void* arg) {
    Handle& h = handleOf(f);
    sqlite3_file* real = realFile(f);
    if (op == SQLITE_FCNTL_SIZE_HINT) {
        // The unix VFS grows the file itself (ftruncate/writes of zeros): a change to the file's length that
        // is as volatile as any write.
        bool failAfter = false;
        if (!h.state->gate("xFileControl(size_hint)", typeName(h.flags), failAfter)) return SQLITE_IOERR_TRUNCATE;
        const int rc = real->pMethods->xFileControl(real, op, arg);
        std::lock_guard lock(h.state->mutex);
        if (h.state->down) return SQLITE_IOERR_TRUNCATE;
        if (rc == SQLITE_OK) h.state->record(h.path, Op{Op::Kind::Grow, *static_cast<const sqlite3_int64*>(arg), {}});
        h.state->finishAfter(failAfter);
        return failAfter ? SQLITE_IOERR_TRUNCATE : rc;
    }
    if (h.state->isDown()) return SQLITE_IOERR;
    return real->pMethods->xFileControl(real, op, arg);
}

int xSectorSize(sqlite3_file* f) {
    sqlite3_file* real = realFile(f);
    return real->pMethods->xSectorSize(real);
}

int xDeviceCharacteristics(sqlite3_file* f) {
    // What the real file claims, as in production (the unix VFS claims powersafe overwrite). The tear model
    // keeps that promise: a lost sector loses only the bytes written to it, never its neighbours.
    sqlite3_file* real = realFile(f);
    return real->pMethods->xDeviceCharacteristics(real);
}

int xShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
    Handle& h = handleOf(f);
    if (h.state->isDown()) return SQLITE_IOERR_SHMMAP;
    sqlite3_file* real = realFile(f);
    return real->pMethods->xShmMap(real, region, size, extend, out);
}

int xShmLock(sqlite3_file* f, int offset, int n, int flags) {
    Handle& h = handleOf(f);
    if ((flags & SQLITE_SHM_UNLOCK) == 0 && h.state->isDown()) return SQLITE_IOERR_SHMLOCK;
    sqlite3_file* real = realFile(f);
    return real->pMethods->xShmLock(real, offset, n, flags);
}

void xShmBarrier(sqlite3_file* f) {
    sqlite3_file* real = realFile(f);
    real->pMethods->xShmBarrier(real);
}

int xShmUnmap(sqlite3_file* f, int deleteFlag) {
    sqlite3_file* real = realFile(f);
    return real->pMethods->xShmUnmap(real, deleteFlag);
}

int vfsOpen(sqlite3_vfs* vfs, const char* name, sqlite3_file* f, int flags, int* outFlags) {
    State& s = stateOf(vfs);
    auto* cf = reinterpret_cast<CrashFile*>(f);
    cf->base.pMethods = nullptr;
    sqlite3_file* real = realFile(f);
    std::lock_guard lock(s.mutex);
    if (s.down) return SQLITE_IOERR;
    const bool tracked = name != nullptr && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL |
                                                      SQLITE_OPEN_SUPER_JOURNAL)) != 0;
    const bool existed = tracked && fileExists(name);
    const int rc = s.inner->xOpen(s.inner, name, real, flags, outFlags);
    if (rc != SQLITE_OK) {
        if (real->pMethods != nullptr) real->pMethods->xClose(real);
        return rc;
    }
    auto* h = new Handle{&s, tracked ? std::string(name) : std::string(), flags, false};
    if (tracked) {
        PathState& p = s.paths[h->path];
        p.mainDb = p.mainDb || (flags & SQLITE_OPEN_MAIN_DB) != 0;
        if (!existed) {
            // A new inode whose directory entry is not on disk yet. An older file at this path whose unlink is
            // not durable either stays as the ghost.
            if (p.current && p.current->entryDurable) p.ghost = std::move(p.current);
            p.current = Inode{};
        } else if (!p.current) {
            p.current = Inode{readWhole(h->path), {}, true};
        }
        // The unix VFS fsyncs the directory at the first sync of a WAL or journal opened with CREATE.
        h->dirSyncOnFirstSync = (flags & SQLITE_OPEN_CREATE) != 0 &&
                                (flags & (SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUPER_JOURNAL)) != 0;
    }
    cf->handle = h;
    cf->base.pMethods = &s.methods;
    ++s.open;
    return SQLITE_OK;
}

int vfsDelete(sqlite3_vfs* vfs, const char* name, int dirSync) {
    State& s = stateOf(vfs);
    bool failAfter = false;
    if (!s.gate("xDelete", "file", failAfter)) return SQLITE_IOERR_DELETE;
    std::lock_guard lock(s.mutex);
    const std::string path(name);
    if (s.paths.find(path) == s.paths.end() && fileExists(path)) {
        s.paths[path].current = Inode{readWhole(path), {}, true};
    }
    const int rc = s.inner->xDelete(s.inner, name, dirSync);
    if (rc == SQLITE_OK) {
        PathState& p = s.paths[path];
        if (p.current && p.current->entryDurable) p.ghost = std::move(p.current);
        p.current.reset();
        if (dirSync != 0) s.syncDirectory(path);
    }
    s.finishAfter(failAfter);
    return failAfter ? SQLITE_IOERR_DELETE : rc;
}

int vfsAccess(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
    State& s = stateOf(vfs);
    if (s.isDown()) return SQLITE_IOERR_ACCESS;
    return s.inner->xAccess(s.inner, name, flags, out);
}

int vfsFullPathname(sqlite3_vfs* vfs, const char* name, int n, char* out) {
    State& s = stateOf(vfs);
    return s.inner->xFullPathname(s.inner, name, n, out);
}

void* vfsDlOpen(sqlite3_vfs* vfs, const char* name) { return stateOf(vfs).inner->xDlOpen(stateOf(vfs).inner, name); }
void vfsDlError(sqlite3_vfs* vfs, int n, char* out) { stateOf(vfs).inner->xDlError(stateOf(vfs).inner, n, out); }
void (*vfsDlSym(sqlite3_vfs* vfs, void* lib, const char* sym))(void) {
    return stateOf(vfs).inner->xDlSym(stateOf(vfs).inner, lib, sym);
}
void vfsDlClose(sqlite3_vfs* vfs, void* lib) { stateOf(vfs).inner->xDlClose(stateOf(vfs).inner, lib); }
int vfsRandomness(sqlite3_vfs* vfs, int n, char* out) {
    return stateOf(vfs).inner->xRandomness(stateOf(vfs).inner, n, out);
}
int vfsSleep(sqlite3_vfs* vfs, int us) { return stateOf(vfs).inner->xSleep(stateOf(vfs).inner, us); }
int vfsCurrentTime(sqlite3_vfs* vfs, double* out) {
    return stateOf(vfs).inner->xCurrentTime(stateOf(vfs).inner, out);
}
int vfsGetLastError(sqlite3_vfs* vfs, int n, char* out) {
    return stateOf(vfs).inner->xGetLastError(stateOf(vfs).inner, n, out);
}
int vfsCurrentTimeInt64(sqlite3_vfs* vfs, sqlite3_int64* out) {
    return stateOf(vfs).inner->xCurrentTimeInt64(stateOf(vfs).inner, out);
}

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
    s.vfs.szOsFile = static_cast<int>(sizeof(CrashFile)) + s.inner->szOsFile;
    s.vfs.mxPathname = s.inner->mxPathname;
    s.vfs.zName = s.name.c_str();
    s.vfs.pAppData = &s;
    s.vfs.xOpen = vfsOpen;
    s.vfs.xDelete = vfsDelete;
    s.vfs.xAccess = vfsAccess;
    s.vfs.xFullPathname = vfsFullPathname;
    s.vfs.xDlOpen = vfsDlOpen;
    s.vfs.xDlError = vfsDlError;
    s.vfs.xDlSym = vfsDlSym;
    s.vfs.xDlClose = vfsDlClose;
    s.vfs.xRandomness = vfsRandomness;
    s.vfs.xSleep = vfsSleep;
    s.vfs.xCurrentTime = vfsCurrentTime;
    s.vfs.xGetLastError = vfsGetLastError;
    s.vfs.xCurrentTimeInt64 = vfsCurrentTimeInt64;
    // Version 2 methods: shared memory for WAL, but no xFetch, so SQLite never reads through mmap.
    s.methods.iVersion = 2;
    s.methods.xClose = xClose;
    s.methods.xRead = xRead;
    s.methods.xWrite = xWrite;
    s.methods.xTruncate = xTruncate;
    s.methods.xSync = xSync;
    s.methods.xFileSize = xFileSize;
    s.methods.xLock = xLock;
    s.methods.xUnlock = xUnlock;
    s.methods.xCheckReservedLock = xCheckReservedLock;
    s.methods.xFileControl = xFileControl;
    s.methods.xSectorSize = xSectorSize;
    s.methods.xDeviceCharacteristics = xDeviceCharacteristics;
    s.methods.xShmMap = xShmMap;
    s.methods.xShmLock = xShmLock;
    s.methods.xShmBarrier = xShmBarrier;
    s.methods.xShmUnmap = xShmUnmap;
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
