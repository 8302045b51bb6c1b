#pragma once
// The crash VFS's bookkeeping, shared by its two halves: crash_vfs.cpp (the class: arming a cut, the reboot
// that rebuilds files from what reached the disk) and crash_vfs_io.cpp (the SQLite file and VFS callbacks
// that record every write, truncate and sync). Private to tests/support.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crash_vfs.hpp"

namespace touchpoint::testing {

namespace crash_vfs_detail {

inline constexpr std::int64_t kSector = 512;

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

void applyOp(std::string& image, const Op& op);
std::string readWhole(const std::string& path);
bool fileExists(const std::string& path);
/// "db", "wal", "journal", "super-journal" or "temp", from SQLite's open flags.
const char* typeName(int flags);

}  // namespace crash_vfs_detail

struct CrashVfs::State {
    std::string name;
    sqlite3_vfs vfs{};
    sqlite3_vfs* inner = nullptr;
    sqlite3_vfs* previousDefault = nullptr;
    sqlite3_io_methods methods{};

    mutable std::mutex mutex;
    std::map<std::string, crash_vfs_detail::PathState> paths;
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

    void record(const std::string& path, crash_vfs_detail::Op op) {
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
    crash_vfs_detail::Inode* currentInode(const std::string& path) {
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

namespace crash_vfs_detail {
/// Points the state's VFS and file methods at the recording callbacks (crash_vfs_io.cpp).
void installCallbacks(CrashVfs::State& s);
}  // namespace crash_vfs_detail

}  // namespace touchpoint::testing
