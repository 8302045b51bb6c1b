// The SQLite callbacks of the crash VFS: every file call goes to the inner (default) VFS, and each write,
// truncate, sync and unlink is recorded in the state so that a reboot can keep only what reached the disk.

#include <cstring>

#include "crash_vfs_state.hpp"

namespace touchpoint::testing::crash_vfs_detail {

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

}  // namespace

void installCallbacks(State& s) {
    s.vfs.szOsFile = static_cast<int>(sizeof(CrashFile)) + s.inner->szOsFile;
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
}

}  // namespace touchpoint::testing::crash_vfs_detail
