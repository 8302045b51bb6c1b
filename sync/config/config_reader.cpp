#include "config/config_reader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/text.hpp"
#include "event/sealing.hpp"

namespace touchpoint::config {

namespace {

int lineOfNode(const toml::node& n) { return static_cast<int>(n.source().begin.line); }

std::string unknownMessage(const std::string& key, const std::vector<std::string>& known) {
    std::string message = "unknown key";
    const std::string suggestion = closestMatch(key, known);
    if (!suggestion.empty()) message += "; did you mean '" + suggestion + "'?";
    return message;
}

}  // namespace

bool isTimeZone(const std::string& name) {
    if (name == "UTC") return true;
    if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos) return false;
    for (char c : name) {
        if (std::isalnum(static_cast<unsigned char>(c)) == 0 && std::string_view("/_+-").find(c) == std::string_view::npos) {
            return false;
        }
    }
    const std::filesystem::path zoneinfo = "/usr/share/zoneinfo";
    std::error_code ec;
    if (!std::filesystem::is_directory(zoneinfo, ec)) return name.find('/') != std::string::npos;  // no tzdata here
    return std::filesystem::is_regular_file(zoneinfo / name, ec);
}

void ConfigReader::checkSections(std::initializer_list<std::string> known) {
    const std::vector<std::string> names(known);
    for (auto&& [key, node] : m_root) {
        const std::string k(key.str());
        if (std::find(names.begin(), names.end(), k) == names.end()) {
            add(k, static_cast<int>(key.source().begin.line), unknownMessage(k, names) == "unknown key"
                                                                     ? "unknown section"
                                                                     : unknownMessage(k, names));
        }
    }
}

SectionReader ConfigReader::section(const std::string& name, std::initializer_list<std::string> known, bool required) {
    const toml::node* n = m_root.get(name);
    if (n == nullptr) {
        if (required) add(name, 0, "missing section [" + name + "]");
        return SectionReader(*this, name, nullptr);
    }
    const toml::table* table = n->as_table();
    if (table == nullptr) {
        add(name, lineOfNode(*n), "must be a table ([" + name + "])");
        return SectionReader(*this, name, nullptr);
    }
    const std::vector<std::string> names(known);
    for (auto&& [key, value] : *table) {
        const std::string k(key.str());
        if (std::find(names.begin(), names.end(), k) == names.end()) {
            add(name + "." + k, static_cast<int>(key.source().begin.line), unknownMessage(k, names));
        }
    }
    return SectionReader(*this, name, table);
}

SectionReader::SectionReader(ConfigReader& reader, std::string name, const toml::table* table)
    : m_reader(reader), m_name(std::move(name)), m_table(table) {}

const toml::node* SectionReader::node(const std::string& key) const {
    return m_table != nullptr ? m_table->get(key) : nullptr;
}

bool SectionReader::has(const std::string& key) const { return node(key) != nullptr; }

int SectionReader::lineOf(const std::string& key) const {
    const toml::node* n = node(key);
    return n != nullptr ? lineOfNode(*n) : 0;
}

void SectionReader::issue(const std::string& key, const std::string& message) {
    m_reader.add(m_name + "." + key, lineOf(key), message);
}

void SectionReader::missing(const std::string& key) {
    // A missing section was reported once already; do not repeat it for every key inside.
    if (m_table != nullptr) m_reader.add(m_name + "." + key, 0, "required key is missing");
}

bool SectionReader::get(const std::string& key, std::string& out, Need need) {
    const toml::node* n = node(key);
    if (n == nullptr) {
        if (need == Need::Required) missing(key);
        return false;
    }
    const auto* s = n->as_string();
    if (s == nullptr) {
        issue(key, "must be a string");
        return false;
    }
    out = s->get();
    if (need == Need::Required && out.empty()) {
        issue(key, "must not be empty");
        return false;
    }
    return true;
}

bool SectionReader::getInt(const std::string& key, std::int64_t& out, std::int64_t min, std::int64_t max) {
    const toml::node* n = node(key);
    if (n == nullptr) return false;
    const auto* v = n->as_integer();
    if (v == nullptr) {
        issue(key, "must be a whole number");
        return false;
    }
    if (v->get() < min || v->get() > max) {
        issue(key, "must be from " + std::to_string(min) + " to " + std::to_string(max) + " (got " +
                       std::to_string(v->get()) + ")");
        return false;
    }
    out = v->get();
    return true;
}

bool SectionReader::getInt(const std::string& key, int& out, std::int64_t min, std::int64_t max) {
    std::int64_t v = out;
    if (!getInt(key, v, min, max)) return false;
    out = static_cast<int>(v);
    return true;
}

bool SectionReader::getDouble(const std::string& key, double& out, double min, double max) {
    const toml::node* n = node(key);
    if (n == nullptr) return false;
    double v = 0;
    if (const auto* f = n->as_floating_point()) {
        v = f->get();
    } else if (const auto* i = n->as_integer()) {
        v = static_cast<double>(i->get());
    } else {
        issue(key, "must be a number");
        return false;
    }
    if (!(v >= min && v <= max)) {
        std::ostringstream m;
        m << "must be from " << min << " to " << max << " (got " << v << ")";
        issue(key, m.str());
        return false;
    }
    out = v;
    return true;
}

bool SectionReader::getBool(const std::string& key, bool& out) {
    const toml::node* n = node(key);
    if (n == nullptr) return false;
    const auto* b = n->as_boolean();
    if (b == nullptr) {
        issue(key, "must be true or false");
        return false;
    }
    out = b->get();
    return true;
}

bool SectionReader::getStrings(const std::string& key, std::vector<std::string>& out) {
    const toml::node* n = node(key);
    if (n == nullptr) return false;
    const auto* a = n->as_array();
    if (a == nullptr) {
        issue(key, "must be an array of strings");
        return false;
    }
    std::vector<std::string> values;
    for (const toml::node& item : *a) {
        const auto* s = item.as_string();
        if (s == nullptr) {
            issue(key, "must be an array of strings");
            return false;
        }
        values.push_back(s->get());
    }
    out = std::move(values);
    return true;
}

bool SectionReader::getPath(const std::string& key, std::filesystem::path& out, PathMust must) {
    std::string text;
    if (!get(key, text)) return false;
    if (text.empty()) {
        out.clear();
        return true;
    }
    std::filesystem::path p(text);
    if (p.is_relative()) p = m_reader.baseDir() / p;
    p = p.lexically_normal();
    std::error_code ec;
    if (must == PathMust::Exist && !std::filesystem::exists(p, ec)) {
        issue(key, "not found: " + p.string());
        return false;
    }
    out = p;
    return true;
}

bool SectionReader::getSecret(const std::string& key, std::string& out, Need need) {
    const std::string fileKey = key + "_file";
    const bool inlineGiven = has(key);
    const bool fileGiven = has(fileKey);
    if (inlineGiven && fileGiven) {
        m_reader.add(m_name + "." + fileKey, lineOf(fileKey), "give either " + key + " or " + fileKey + ", not both");
        return false;
    }
    if (inlineGiven) {
        if (!get(key, out)) return false;
        if (out.empty()) {
            issue(key, "must not be empty");
            return false;
        }
        return true;
    }
    if (fileGiven) {
        std::filesystem::path path;
        if (!getPath(fileKey, path, PathMust::Exist)) return false;
        std::ifstream in(path, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        if (!in.good() && !in.eof()) {
            issue(fileKey, "cannot read " + path.string());
            return false;
        }
        out = std::string(trim(text.str()));
        if (out.empty()) {
            issue(fileKey, path.string() + " is empty");
            return false;
        }
        return true;
    }
    if (need == Need::Required && m_table != nullptr) {
        m_reader.add(m_name + "." + key, 0, "required: give " + key + " or " + fileKey);
    }
    return false;
}

void SectionReader::checkKey32(const std::string& key, const std::string& value, const std::string& what) {
    std::string raw;
    if (!event::fromBase64(value, raw) || raw.size() != 32) {
        // Report on whichever of key / key_file the value came from.
        const std::string where = has(key) ? key : key + "_file";
        issue(where, "must be base64 of exactly 32 bytes (" + what + ")");
    }
}

}  // namespace touchpoint::config
