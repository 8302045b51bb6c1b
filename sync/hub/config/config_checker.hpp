#pragma once
// Reading the hub's TOML: every problem is collected with its line, so one run of --check-config reports all
// of them. Internal to the config folder.

#include <toml++/toml.h>

#include "common/text.hpp"

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace touchpoint::hub {

/// Collects problems with the line they are on, so one run reports all of them. Every key a reader asks for
/// (`read`, `node`) is remembered, so `unknownKeys` can refuse the ones nobody reads: a misspelt setting
/// (`per_token_brust`) is an error, not a default kept in silence.
class Checker {
  public:
    explicit Checker(std::string name) : m_name(std::move(name)) {}

    void fail(const toml::node* node, const std::string& key, const std::string& what) {
        const auto line = node ? node->source().begin.line : 0;
        m_errors.push_back(m_name + ":" + std::to_string(line) + ": " + key + ": " + what);
    }

    /// The node at `key` in `t`, or null; the key is known to `t` from now on.
    const toml::node* node(const toml::table& t, std::string_view key) {
        m_known.emplace(&t, std::string(key));
        return t.get(key);
    }

    /// After every reader ran: fails each key of `t` (the table named `where`) and of the tables below it that no
    /// reader asked for. A table nobody read is one unknown key at its parent, not one per key inside it.
    void unknownKeys(const toml::table& t, const std::string& where) {
        std::vector<std::string> known;
        for (auto it = m_known.lower_bound({&t, std::string()}); it != m_known.end() && it->first == &t; ++it) {
            known.push_back(it->second);
        }
        for (const auto& [key, value] : t) {
            const std::string name(key.str());
            const std::string path = where.empty() ? name : where + "." + name;
            if (!m_known.count({&t, name})) {
                const std::string near = closestMatch(name, known);
                fail(&value, path, near.empty() ? "unknown key" : "unknown key; did you mean '" + near + "'?");
            } else if (const auto* inner = value.as_table()) {
                unknownKeys(*inner, path);
            } else if (const auto* items = value.as_array(); items && items->is_array_of_tables()) {
                for (const auto& item : *items) unknownKeys(*item.as_table(), path);
            }
        }
    }

    template <class T>
    void read(const toml::table& t, const char* section, const char* key, T& out) {
        const toml::node* node = this->node(t, key);
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
    std::set<std::pair<const toml::table*, std::string>> m_known;
};

inline const toml::table* section(Checker& check, const toml::table& root, const char* name) {
    const toml::node* node = check.node(root, name);
    if (!node) return nullptr;
    if (!node->is_table()) {
        check.fail(node, name, "expected a table [" + std::string(name) + "]");
        return nullptr;
    }
    return node->as_table();
}

}  // namespace touchpoint::hub
