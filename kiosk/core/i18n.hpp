#pragma once
// Translation tables: one flat JSON object per language in assets/i18n/<lang>.json ("key": "text"), and staff
// mode's in assets/i18n/staff/<lang>.json (loadKiosk joins them).
// Every string a shopper sees is looked up here, so a test can check that each key exists in every language
// and that the font has every glyph the tables use.

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace touchpoint::kiosk {

class Translations {
public:
    /// Loads `<dir>/<lang>.json` for each language. Fails with one readable line naming the file and problem.
    static Result<Translations, std::string> load(const std::filesystem::path& dir,
                                                  const std::vector<std::string>& languages);
    /// Builds tables from memory (tests).
    static Translations fromTables(std::map<std::string, std::map<std::string, std::string>> tables);
    /// Every table the kiosk shows: the shopper screens' `<dir>/<lang>.json` and staff mode's
    /// `<dir>/staff/<lang>.json`, in the same languages. A key in both is refused, so neither side can
    /// silently change the other's text.
    static Result<Translations, std::string> loadKiosk(const std::filesystem::path& dir,
                                                       const std::vector<std::string>& languages);

    /// The text for `key` in `language`; falls back to English, then to the key itself so a gap is visible
    /// on screen and in the missing-key test rather than a blank button.
    const std::string& text(const std::string& language, const std::string& key) const;
    /// These tables with `overrides` (language -> key -> text) layered over them: an override wins for
    /// its key in its language; languages without a table here are ignored.
    Translations withOverrides(
        const std::map<std::string, std::map<std::string, std::string>>& overrides) const;
    bool has(const std::string& language, const std::string& key) const;

    const std::vector<std::string>& languages() const { return m_languages; }
    /// Keys present in any language (the union), sorted.
    std::vector<std::string> allKeys() const;
    /// Every text of every language, for glyph coverage checks.
    std::vector<std::string> allTexts() const;

private:
    static const std::string& kFallbackLanguage();

    std::vector<std::string> m_languages;
    mutable std::set<std::string> m_missing;  // unknown keys handed back by reference
    std::map<std::string, std::map<std::string, std::string>> m_tables;  // language -> key -> text
};

/// Replaces "{name}" placeholders: format("{n} points", {{"n", "40"}}).
std::string formatText(const std::string& pattern, const std::map<std::string, std::string>& values);

/// BCP 47 locale for events: language plus the store's region ("es" + "US" -> "es-US").
std::string localeFor(const std::string& language, const std::string& region);

}  // namespace touchpoint::kiosk
