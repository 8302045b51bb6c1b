#pragma once

#include <filesystem>
#include <string>

namespace touchpoint::testing {

/// A fresh directory under $TMPDIR for one test, removed with everything in it at scope exit.
/// Tests never share files, so `ctest -j` is safe.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

/// Reads a whole file as bytes ("" when missing).
std::string readFile(const std::filesystem::path& path);

/// Path to the source tree's assets/ folder.
std::filesystem::path sourceAssetsDir();

}  // namespace touchpoint::testing
