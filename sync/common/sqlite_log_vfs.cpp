#include "common/sqlite_log_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

namespace touchpoint::sqlite {

namespace {

constexpr const char* kName = "touchpoint-gathered-log";
constexpr int kFrameHeaderBytes = 24;  // https://www.sqlite.org/fileformat2.html#walformat
constexpr int kSmallestPage = 512;
// Gathered frames are written out at the first frame boundary past this size: about 250 frames of 4 KiB.
constexpr std::size_t kWriteOutBytes = std::size_t{1} << 20;
// ... in writes of at most this size: the unix VFS writes at most 128 KiB - 1 bytes in one call.
constexpr std::size_t kWriteBytes = std::size_t{64} << 10;

/// What a log file has gathered: frames appended one after another from `start`, header then page.
struct GatheredFrames {
    std::vector<unsigned char> bytes;
    sqlite3_int64 start = 0;
    bool headerLast = false;  // the last gathered write was a frame header: its page comes next

    sqlite3_int64 end() const { return start + static_cast<sqlite3_int64>(bytes.size()); }
};

struct File {
    sqlite3_file base;         // pMethods: one of kMethods
    sqlite3_file* inner;       // opened by the default VFS, sqlite3_malloc'd to its szOsFile
    GatheredFrames* gathered;  // log files only
};

sqlite3_vfs g_vfs;
sqlite3_vfs* g_fallback = nullptr;  // the default VFS when this one was registered

/// The VFS that opens the files underneath: the default of the moment (a test may make its own the default).
sqlite3_vfs* innerVfs() {
    sqlite3_vfs* d = sqlite3_vfs_find(nullptr);
    return d == nullptr || d == &g_vfs ? g_fallback : d;
}

File* asFile(sqlite3_file* f) {
    return reinterpret_cast<File*>(f);
}
sqlite3_file* inner(sqlite3_file* f) {
    return asFile(f)->inner;
}

int writeOut(File* f) {
    GatheredFrames* g = f->gathered;
    if (g == nullptr || g->bytes.empty()) return SQLITE_OK;
    int rc = SQLITE_OK;
    for (std::size_t at = 0; at < g->bytes.size() && rc == SQLITE_OK; at += kWriteBytes) {
        const std::size_t n = std::min(kWriteBytes, g->bytes.size() - at);
        rc = f->inner->pMethods->xWrite(f->inner, g->bytes.data() + at, static_cast<int>(n),
                                        g->start + static_cast<sqlite3_int64>(at));
    }
    g->bytes.clear();
    g->headerLast = false;
    return rc;
}

bool commitMarked(const void* header) {
    // Bytes 4-7 of a frame header: the database size in pages after a commit, 0 for other frames.
    const auto* b = static_cast<const unsigned char*>(header);
    return (b[4] | b[5] | b[6] | b[7]) != 0;
}

void append(GatheredFrames& g, const void* data, int amount, sqlite3_int64 offset) {
    if (g.bytes.empty()) g.start = offset;
    const auto* b = static_cast<const unsigned char*>(data);
    g.bytes.insert(g.bytes.end(), b, b + amount);
}

/// Gathers a frame's header or page: SQLITE_OK, or SQLITE_DONE when the write is not one to gather.
int gather(File* f, GatheredFrames* g, const void* data, int amount, sqlite3_int64 offset) {
    const bool appends = g->bytes.empty() || offset == g->end();
    if (appends && !g->headerLast && amount == kFrameHeaderBytes) {
        append(*g, data, amount, offset);
        // A commit frame's header goes out at once with everything gathered before it, and its page
        // after it: the last write before SQLite publishes the commit is either that page or, when the
        // transaction wrote over frames it had spilled, this header again with its checksum rewritten
        // (alone, at an earlier offset), which must not wait in memory for a page that never comes.
        if (commitMarked(data)) return writeOut(f);
        g->headerLast = true;
        return SQLITE_OK;
    }
    if (appends && g->headerLast && amount >= kSmallestPage) {
        append(*g, data, amount, offset);
        g->headerLast = false;
        if (g->bytes.size() >= kWriteOutBytes) return writeOut(f);
        return SQLITE_OK;
    }
    return SQLITE_DONE;
}

int fileWrite(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
    File* f = asFile(file);
    if (GatheredFrames* g = f->gathered; g != nullptr) {
        try {
            if (const int rc = gather(f, g, data, amount, offset); rc != SQLITE_DONE) return rc;
        } catch (const std::bad_alloc&) {
            // Nothing was gathered (a vector's insert at its end changes nothing when it throws): in order.
        }
        // Not the next frame (the log's own header, a frame written over, a checksum rewrite): in order.
        if (const int rc = writeOut(f); rc != SQLITE_OK) return rc;
    }
    return f->inner->pMethods->xWrite(f->inner, data, amount, offset);
}

int fileClose(sqlite3_file* file) {
    File* f = asFile(file);
    int rc = writeOut(f);
    const int closed = f->inner->pMethods->xClose(f->inner);
    if (rc == SQLITE_OK) rc = closed;
    sqlite3_free(f->inner);
    delete f->gathered;
    f->inner = nullptr;
    f->gathered = nullptr;
    return rc;
}

int fileRead(sqlite3_file* file, void* data, int amount, sqlite3_int64 offset) {
    if (const int rc = writeOut(asFile(file)); rc != SQLITE_OK) return rc;
    return inner(file)->pMethods->xRead(inner(file), data, amount, offset);
}
int fileTruncate(sqlite3_file* file, sqlite3_int64 size) {
    if (const int rc = writeOut(asFile(file)); rc != SQLITE_OK) return rc;
    return inner(file)->pMethods->xTruncate(inner(file), size);
}
int fileSync(sqlite3_file* file, int flags) {
    if (const int rc = writeOut(asFile(file)); rc != SQLITE_OK) return rc;
    return inner(file)->pMethods->xSync(inner(file), flags);
}
int fileSize(sqlite3_file* file, sqlite3_int64* size) {
    if (const int rc = writeOut(asFile(file)); rc != SQLITE_OK) return rc;
    return inner(file)->pMethods->xFileSize(inner(file), size);
}
int fileControl(sqlite3_file* file, int op, void* arg) {
    if (const int rc = writeOut(asFile(file)); rc != SQLITE_OK) return rc;
    return inner(file)->pMethods->xFileControl(inner(file), op, arg);
}
int fileLock(sqlite3_file* file, int lock) {
    return inner(file)->pMethods->xLock(inner(file), lock);
}
int fileUnlock(sqlite3_file* file, int lock) {
    return inner(file)->pMethods->xUnlock(inner(file), lock);
}
int fileCheckReserved(sqlite3_file* file, int* out) {
    return inner(file)->pMethods->xCheckReservedLock(inner(file), out);
}
int fileSectorSize(sqlite3_file* file) {
    return inner(file)->pMethods->xSectorSize(inner(file));
}
int fileDevice(sqlite3_file* file) {
    return inner(file)->pMethods->xDeviceCharacteristics(inner(file));
}
int fileShmMap(sqlite3_file* file, int page, int size, int extend, void volatile** out) {
    return inner(file)->pMethods->xShmMap(inner(file), page, size, extend, out);
}
int fileShmLock(sqlite3_file* file, int offset, int n, int flags) {
    return inner(file)->pMethods->xShmLock(inner(file), offset, n, flags);
}
void fileShmBarrier(sqlite3_file* file) {
    inner(file)->pMethods->xShmBarrier(inner(file));
}
int fileShmUnmap(sqlite3_file* file, int deleteFlag) {
    return inner(file)->pMethods->xShmUnmap(inner(file), deleteFlag);
}
int fileFetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
    return inner(file)->pMethods->xFetch(inner(file), offset, amount, out);
}
int fileUnfetch(sqlite3_file* file, sqlite3_int64 offset, void* page) {
    return inner(file)->pMethods->xUnfetch(inner(file), offset, page);
}

/// One table per io_methods version, so SQLite sees the same version (and so the same abilities) as
/// underneath.
sqlite3_io_methods makeMethods(int version) {
    sqlite3_io_methods m{};
    m.iVersion = version;
    m.xClose = fileClose;
    m.xRead = fileRead;
    m.xWrite = fileWrite;
    m.xTruncate = fileTruncate;
    m.xSync = fileSync;
    m.xFileSize = fileSize;
    m.xLock = fileLock;
    m.xUnlock = fileUnlock;
    m.xCheckReservedLock = fileCheckReserved;
    m.xFileControl = fileControl;
    m.xSectorSize = fileSectorSize;
    m.xDeviceCharacteristics = fileDevice;
    if (version >= 2) {
        m.xShmMap = fileShmMap;
        m.xShmLock = fileShmLock;
        m.xShmBarrier = fileShmBarrier;
        m.xShmUnmap = fileShmUnmap;
    }
    if (version >= 3) {
        m.xFetch = fileFetch;
        m.xUnfetch = fileUnfetch;
    }
    return m;
}
const sqlite3_io_methods kMethods[] = {makeMethods(1), makeMethods(2), makeMethods(3)};

int vfsOpen(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* outFlags) {
    File* f = asFile(file);
    f->base.pMethods = nullptr;
    f->gathered = nullptr;
    sqlite3_vfs* under = innerVfs();
    f->inner = static_cast<sqlite3_file*>(sqlite3_malloc(under->szOsFile));
    if (f->inner == nullptr) return SQLITE_NOMEM;
    std::memset(f->inner, 0, static_cast<std::size_t>(under->szOsFile));
    int rc = under->xOpen(under, name, f->inner, flags, outFlags);
    if (rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL) != 0) {
        try {
            f->gathered = new GatheredFrames;
            f->gathered->bytes.reserve(kWriteOutBytes + 65536 + kFrameHeaderBytes);  // a frame past the mark
        } catch (const std::bad_alloc&) {
            delete f->gathered;
            f->gathered = nullptr;
            rc = SQLITE_NOMEM;
        }
    }
    const sqlite3_io_methods* methods = f->inner->pMethods;
    if (rc != SQLITE_OK || methods == nullptr || methods->iVersion < 1) {
        if (methods != nullptr) methods->xClose(f->inner);
        sqlite3_free(f->inner);
        f->inner = nullptr;
        return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
    }
    f->base.pMethods = &kMethods[(methods->iVersion > 3 ? 3 : methods->iVersion) - 1];
    return SQLITE_OK;
}

int vfsDelete(sqlite3_vfs*, const char* name, int syncDir) {
    return innerVfs()->xDelete(innerVfs(), name, syncDir);
}
int vfsAccess(sqlite3_vfs*, const char* name, int flags, int* out) {
    return innerVfs()->xAccess(innerVfs(), name, flags, out);
}
int vfsFullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
    return innerVfs()->xFullPathname(innerVfs(), name, n, out);
}
void* vfsDlOpen(sqlite3_vfs*, const char* name) {
    return innerVfs()->xDlOpen(innerVfs(), name);
}
void vfsDlError(sqlite3_vfs*, int n, char* out) {
    innerVfs()->xDlError(innerVfs(), n, out);
}
void (*vfsDlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
    return innerVfs()->xDlSym(innerVfs(), handle, symbol);
}
void vfsDlClose(sqlite3_vfs*, void* handle) {
    innerVfs()->xDlClose(innerVfs(), handle);
}
int vfsRandomness(sqlite3_vfs*, int n, char* out) {
    return innerVfs()->xRandomness(innerVfs(), n, out);
}
int vfsSleep(sqlite3_vfs*, int micros) {
    return innerVfs()->xSleep(innerVfs(), micros);
}
int vfsCurrentTime(sqlite3_vfs*, double* out) {
    return innerVfs()->xCurrentTime(innerVfs(), out);
}
int vfsLastError(sqlite3_vfs*, int n, char* out) {
    return innerVfs()->xGetLastError(innerVfs(), n, out);
}
int vfsCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
    sqlite3_vfs* under = innerVfs();
    if (under->iVersion >= 2 && under->xCurrentTimeInt64 != nullptr)
        return under->xCurrentTimeInt64(under, out);
    double days = 0;
    const int rc = under->xCurrentTime(under, &days);
    *out = static_cast<sqlite3_int64>(days * 86400000.0);
    return rc;
}

}  // namespace

const char* gatheredLogVfs() {
    static std::once_flag once;
    std::call_once(once, [] {
        g_fallback = sqlite3_vfs_find(nullptr);
        g_vfs = sqlite3_vfs{};
        g_vfs.iVersion = 2;  // no xSetSystemCall: nothing may bypass the files underneath
        g_vfs.szOsFile = static_cast<int>(sizeof(File));
        g_vfs.mxPathname = g_fallback->mxPathname;
        g_vfs.zName = kName;
        g_vfs.xOpen = vfsOpen;
        g_vfs.xDelete = vfsDelete;
        g_vfs.xAccess = vfsAccess;
        g_vfs.xFullPathname = vfsFullPathname;
        g_vfs.xDlOpen = vfsDlOpen;
        g_vfs.xDlError = vfsDlError;
        g_vfs.xDlSym = vfsDlSym;
        g_vfs.xDlClose = vfsDlClose;
        g_vfs.xRandomness = vfsRandomness;
        g_vfs.xSleep = vfsSleep;
        g_vfs.xCurrentTime = vfsCurrentTime;
        g_vfs.xGetLastError = vfsLastError;
        g_vfs.xCurrentTimeInt64 = vfsCurrentTimeInt64;
        (void)sqlite3_vfs_register(&g_vfs, 0);
    });
    return kName;
}

}  // namespace touchpoint::sqlite
