#pragma once
// Reading the hub's TOML: every problem is collected with its line, so one run of --check-config reports all
// of them. Internal to the config folder.

#include <toml++/toml.h>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

namespace touchpoint::hub {

/// Collects problems with the line they are on, so one run reports all of them.
class Checker {
  public:
    explicit Checker(std::string name) : m_name(std::move(name)) {}

    void fail(const toml::node* node, const std::string& key, const std::string& what) {
        const auto line = node ? node->source().begin.line : 0;
        m_errors.push_back(m_name + ":" + std::to_string(line) + ": " + key + ": " + what);
    }

    template <class T>
    void read(const toml::table& t, const char* section, const char* key, T& out) {
        const toml::node* node = t.get(key);
        if (!node) return;
        const std::string full = std::string(section) + "." + key;
        if constexpr (std::is_same_v<T, std::string>) {
            if (auto v = node->value<std::string>()) {
                out = *v;
            } else {
                fail(node, full, "expected a string");
            }
        } else {
            if (auto v = node->value<std::int64_t>(); v && node->is_integer()) {
                out = static_cast<T>(*v);
            } else {
                fail(node, full, "expected an integer");
            }
        }
    }

    const std::vector<std::string>& errors() const { return m_errors; }

  private:
    std::string m_name;
    std::vector<std::string> m_errors;
};

inline const toml::table* section(Checker& check, const toml::table& root, const char* name) {
    const toml::node* node = root.get(name);
    if (!node) return nullptr;
    if (!node->is_table()) {
        check.fail(node, name, "expected a table [" + std::string(name) + "]");
        return nullptr;
    }
    return node->as_table();
}

}  // namespace touchpoint::hub
