#include "hub/admin/backup_command.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace touchpoint::hub {

namespace {

Result<void, std::string> syncPath(const std::filesystem::path& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0) return Fail("cannot open " + path.string() + ": " + std::strerror(errno));
    const bool ok = ::fsync(fd) == 0;
    const std::string err = ok ? "" : std::strerror(errno);
    ::close(fd);
    if (!ok) return Fail("cannot flush " + path.string() + ": " + err);
    return {};
}

}  // namespace

Result<void, std::string> backupStore(HubStore& store, const std::filesystem::path& file) {
    std::error_code ec;
    if (std::filesystem::exists(file, ec) || std::filesystem::is_symlink(file, ec)) {
        return Fail(file.string() + " exists; a backup never replaces a file");
    }
    const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    if (!std::filesystem::is_directory(dir, ec)) return Fail("no folder " + dir.string());
    // Written under another name first, so that FILE exists only once it is whole and on disk.
    const auto partial = dir / ("." + file.filename().string() + ".partial-" + std::to_string(::getpid()));
    std::filesystem::remove(partial, ec);
    const mode_t previous = ::umask(077);  // VACUUM INTO creates the file: owner only, from its first byte
    auto copied = store.backupTo(partial.string());
    ::umask(previous);
    if (!copied) {
        std::filesystem::remove(partial, ec);
        return Fail(copied.error().message);
    }
    if (auto r = syncPath(partial, O_RDONLY); !r) {
        std::filesystem::remove(partial, ec);
        return r;
    }
    // link() rather than rename(): it fails instead of replacing a FILE made in the meantime.
    if (::link(partial.c_str(), file.c_str()) != 0) {
        const std::string err = std::strerror(errno);
        std::filesystem::remove(partial, ec);
        return Fail("cannot create " + file.string() + ": " + err);
    }
    std::filesystem::remove(partial, ec);
    return syncPath(dir, O_RDONLY | O_DIRECTORY);
}

}  // namespace touchpoint::hub
