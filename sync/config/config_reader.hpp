#pragma once
// Typed, line-numbered reading of one TOML section, collecting issues instead of stopping at the first.
// Private to the config library.

#include <toml++/toml.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "config/kiosk_config.hpp"

namespace touchpoint::config {

enum class Need { Optional, Required };
enum class PathMust { Any, Exist };

/// True for an IANA zone name present in the system's zoneinfo (or "UTC").
bool isTimeZone(const std::string& name);

class ConfigReader;

class SectionReader {
public:
    SectionReader(ConfigReader& reader, std::string name, const toml::table* table);

    bool has(const std::string& key) const;
    /// Each getter returns true when the key was present AND valid (out is then set); it records an issue
    /// for a wrong type or range, or for a missing required key.
    bool get(const std::string& key, std::string& out, Need need = Need::Optional);
    bool getInt(const std::string& key, std::int64_t& out, std::int64_t min, std::int64_t max);
    bool getInt(const std::string& key, int& out, std::int64_t min, std::int64_t max);
    bool getDouble(const std::string& key, double& out, double min, double max);
    bool getBool(const std::string& key, bool& out);
    bool getStrings(const std::string& key, std::vector<std::string>& out);
    /// A path; relative ones are resolved against the config file's folder.
    bool getPath(const std::string& key, std::filesystem::path& out, PathMust must = PathMust::Any);
    /// `key` inline or `key_file` (read, surrounding whitespace trimmed); both given is an error.
    bool getSecret(const std::string& key, std::string& out, Need need);
    /// A base64 value that must decode to 32 bytes.
    void checkKey32(const std::string& key, const std::string& value, const std::string& what);
    void issue(const std::string& key, const std::string& message);

private:
    const toml::node* node(const std::string& key) const;
    int lineOf(const std::string& key) const;
    void missing(const std::string& key);

    ConfigReader& m_reader;
    std::string m_name;
    const toml::table* m_table;
};

class ConfigReader {
public:
    ConfigReader(const toml::table& root, std::filesystem::path baseDir, std::vector<ConfigIssue>& issues)
        : m_root(root), m_baseDir(std::move(baseDir)), m_issues(issues) {}

    /// Unknown top-level keys are issues (with a suggestion when one is close).
    void checkSections(std::initializer_list<std::string> known);
    /// Reads [name]; unknown keys inside it are issues. A missing required section is one issue.
    SectionReader section(const std::string& name, std::initializer_list<std::string> known, bool required);

    void add(std::string key, int line, std::string message) {
        m_issues.push_back(ConfigIssue{std::move(key), line, std::move(message)});
    }
    const std::filesystem::path& baseDir() const { return m_baseDir; }

private:
    const toml::table& m_root;
    std::filesystem::path m_baseDir;
    std::vector<ConfigIssue>& m_issues;
};

}  // namespace touchpoint::config
