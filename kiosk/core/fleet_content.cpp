#include "fleet_content.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace touchpoint::kiosk {

namespace {

/// Bytes the hub adds around the document (`,"configVersion":2147483647`).
constexpr std::size_t kConfigVersionSlack = 64;
/// Deeper than any document needs: nlohmann's parser recurses once per level, so a hostile
/// "[[[[..." must be refused before it is parsed.
constexpr int kMaxJsonDepth = 32;

/// The deepest nesting of arrays and objects, outside strings; a linear scan with no allocation.
int jsonDepth(std::string_view text) {
    int depth = 0;
    int deepest = 0;
    bool inString = false;
    bool escaped = false;
    for (const char c : text) {
        if (inString) {
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == '"') {
                inString = false;
            }
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return deepest;
}

/// Decodes UTF-8 (already checked by the document's validator); an invalid sequence yields U+FFFD.
std::vector<char32_t> codepoints(const std::string& text) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < text.size();) {
        const auto b = static_cast<unsigned char>(text[i]);
        int extra = 0;
        char32_t cp = 0;
        if (b < 0x80) {
            cp = b;
        } else if ((b & 0xE0) == 0xC0) {
            cp = b & 0x1F;
            extra = 1;
        } else if ((b & 0xF0) == 0xE0) {
            cp = b & 0x0F;
            extra = 2;
        } else if ((b & 0xF8) == 0xF0) {
            cp = b & 0x07;
            extra = 3;
        } else {
            out.push_back(0xFFFD);
            ++i;
            continue;
        }
        if (i + static_cast<std::size_t>(extra) >= text.size()) {  // cut short
            out.push_back(0xFFFD);
            break;
        }
        for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
        out.push_back(cp);
        i += static_cast<std::size_t>(extra) + 1;
    }
    return out;
}

std::string hexCodepoint(char32_t cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
    return buf;
}

}  // namespace

std::string refusalLine(std::optional<int> configVersion, const std::string& why) {
    std::string line =
        (configVersion ? "cfg-" + std::to_string(*configVersion) : std::string("cfg-?")) + ": " + why;
    for (char& c : line) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    if (line.size() <= kMaxRefusalBytes) return line;
    std::size_t cut = kMaxRefusalBytes;
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80)
        --cut;  // not inside a character
    line.resize(cut);
    return line;
}

Result<FleetContent, std::string> verifyFleetDocument(std::string_view body, const Translations& builtIn,
                                                      const GlyphCoverage& fonts) {
    if (body.size() > content::kMaxDocumentBytes + kConfigVersionSlack) {
        return Fail(refusalLine(std::nullopt, "the document is " + std::to_string(body.size()) +
                                                  " bytes, more than " +
                                                  std::to_string(content::kMaxDocumentBytes)));
    }
    if (jsonDepth(body) > kMaxJsonDepth) {
        return Fail(
            refusalLine(std::nullopt, "the document nests deeper than " + std::to_string(kMaxJsonDepth)));
    }
    auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object()) return Fail(refusalLine(std::nullopt, "not a JSON object"));
    const auto version = json.find("configVersion");
    if (version == json.end() || !version->is_number_integer() || version->get<std::int64_t>() < 1 ||
        version->get<std::int64_t>() > 2'000'000'000) {
        return Fail(refusalLine(std::nullopt, "configVersion: missing or not a positive integer"));
    }
    const int configVersion = version->get<int>();
    json.erase("configVersion");

    auto parsed = content::fleetDocumentFromJson(json);
    if (!parsed) {
        const auto& errors = parsed.error();
        std::string why = errors.empty() ? std::string("invalid document") : errors.front().format();
        if (errors.size() > 1) why += " (and " + std::to_string(errors.size() - 1) + " more)";
        return Fail(refusalLine(configVersion, why));
    }
    content::FleetDocument doc = std::move(parsed).value();

    const auto& installed = builtIn.languages();
    for (const auto& lang : doc.settings.languages) {
        if (std::find(installed.begin(), installed.end(), lang) == installed.end()) {
            return Fail(refusalLine(
                configVersion,
                "settings.languages: \"" + lang + "\" has no built-in tables on this kiosk (ui.languages)"));
        }
    }
    // Every text the document brings is drawn with the kiosk's fonts: a character they lack would show as a
    // box in front of shoppers, so the whole document is refused instead.
    for (const auto& [lang, table] : doc.texts) {
        for (const auto& [key, text] : table) {
            for (const char32_t cp : codepoints(text)) {
                if (cp < 0x20 || fonts.covers(cp)) continue;
                return Fail(refusalLine(configVersion, "glyph " + hexCodepoint(cp) +
                                                           " missing from the kiosk fonts (texts." + lang +
                                                           "." + key + ")"));
            }
        }
    }

    FleetContent out;
    out.configVersion = configVersion;
    out.etag = "\"cfg-" + std::to_string(configVersion) + "\"";
    out.texts = builtIn.withOverrides(doc.texts);
    out.survey = std::move(doc.survey);
    out.settings = std::move(doc.settings);
    return out;
}

void FleetContentSlot::offer(std::shared_ptr<const FleetContent> content) {
    std::lock_guard lock(m_mutex);
    m_etag = content->etag;
    m_pending = std::move(content);
    m_refusal.clear();
}

std::shared_ptr<const FleetContent> FleetContentSlot::take() {
    std::lock_guard lock(m_mutex);
    return std::exchange(m_pending, nullptr);
}

bool FleetContentSlot::hasPending() const {
    std::lock_guard lock(m_mutex);
    return m_pending != nullptr;
}

std::string FleetContentSlot::etag() const {
    std::lock_guard lock(m_mutex);
    return m_etag;
}

void FleetContentSlot::setEtag(std::string etag) {
    std::lock_guard lock(m_mutex);
    m_etag = std::move(etag);
}

void FleetContentSlot::refuse(std::string refusal) {
    std::lock_guard lock(m_mutex);
    m_refusal = std::move(refusal);
}

std::string FleetContentSlot::refusal() const {
    std::lock_guard lock(m_mutex);
    return m_refusal;
}

void FleetContentSlot::noteApplied(int configVersion) {
    std::lock_guard lock(m_mutex);
    m_applied = configVersion;
}

int FleetContentSlot::appliedVersion() const {
    std::lock_guard lock(m_mutex);
    return m_applied;
}

}  // namespace touchpoint::kiosk
