#include "i18n.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

namespace touchpoint::kiosk {

Result<Translations, std::string> Translations::load(const std::filesystem::path& dir,
                                                     const std::vector<std::string>& languages) {
    Translations t;
    for (const auto& lang : languages) {
        const auto file = dir / (lang + ".json");
        std::ifstream in(file);
        if (!in) return Fail(file.string() + ": cannot open translation file");
        auto json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
        if (json.is_discarded() || !json.is_object()) {
            return Fail(file.string() + ": not a JSON object of \"key\": \"text\"");
        }
        auto& table = t.m_tables[lang];
        for (const auto& [key, value] : json.items()) {
            if (!value.is_string()) return Fail(file.string() + ": " + key + ": value must be a string");
            table[key] = value.get<std::string>();
        }
        t.m_languages.push_back(lang);
    }
    if (t.m_languages.empty()) return Fail(std::string("no languages configured"));
    return t;
}

Translations Translations::fromTables(std::map<std::string, std::map<std::string, std::string>> tables) {
    Translations t;
    for (const auto& [lang, table] : tables) t.m_languages.push_back(lang);
    t.m_tables = std::move(tables);
    return t;
}

Result<Translations, std::string> Translations::loadKiosk(const std::filesystem::path& dir,
                                                          const std::vector<std::string>& languages) {
    auto shopper = load(dir, languages);
    if (!shopper) return Fail(shopper.error());
    auto staff = load(dir / "staff", languages);
    if (!staff) return Fail(staff.error());
    Translations out = std::move(shopper).value();
    for (auto& [lang, table] : staff->m_tables) {
        auto& into = out.m_tables[lang];
        for (auto& [key, text] : table) {
            if (!into.emplace(key, std::move(text)).second) {
                return Fail((dir / "staff" / (lang + ".json")).string() + ": " + key + ": also a shopper key");
            }
        }
    }
    return out;
}

const std::string& Translations::text(const std::string& language, const std::string& key) const {
    for (const std::string* lang : {&language, &kFallbackLanguage()}) {
        const auto table = m_tables.find(*lang);
        if (table == m_tables.end()) continue;
        const auto it = table->second.find(key);
        if (it != table->second.end()) return it->second;
    }
    // Keep the key alive for the caller: an unknown key is shown as itself.
    return *m_missing.insert(key).first;
}

Translations Translations::withOverrides(
    const std::map<std::string, std::map<std::string, std::string>>& overrides) const {
    Translations out;
    out.m_languages = m_languages;
    out.m_tables = m_tables;
    for (const auto& [lang, table] : overrides) {
        const auto into = out.m_tables.find(lang);
        if (into == out.m_tables.end()) continue;
        for (const auto& [key, text] : table) into->second[key] = text;
    }
    return out;
}

bool Translations::has(const std::string& language, const std::string& key) const {
    const auto table = m_tables.find(language);
    return table != m_tables.end() && table->second.count(key) != 0;
}

std::vector<std::string> Translations::allKeys() const {
    std::set<std::string> keys;
    for (const auto& [lang, table] : m_tables) {
        for (const auto& [key, text] : table) keys.insert(key);
    }
    return {keys.begin(), keys.end()};
}

std::vector<std::string> Translations::allTexts() const {
    std::vector<std::string> out;
    for (const auto& [lang, table] : m_tables) {
        for (const auto& [key, text] : table) out.push_back(text);
    }
    return out;
}

const std::string& Translations::kFallbackLanguage() {
    static const std::string kEnglish = "en";
    return kEnglish;
}

std::string formatText(const std::string& pattern, const std::map<std::string, std::string>& values) {
    std::string out;
    out.reserve(pattern.size() + 16);
    for (std::size_t i = 0; i < pattern.size();) {
        if (pattern[i] == '{') {
            const auto close = pattern.find('}', i);
            if (close != std::string::npos) {
                const auto it = values.find(pattern.substr(i + 1, close - i - 1));
                if (it != values.end()) {
                    out += it->second;
                    i = close + 1;
                    continue;
                }
            }
        }
        out += pattern[i++];
    }
    return out;
}

std::string localeFor(const std::string& language, const std::string& region) {
    return region.empty() ? language : language + "-" + region;
}

}  // namespace touchpoint::kiosk
