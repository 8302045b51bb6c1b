#pragma once
// Head office's document on the kiosk (docs/PROTOCOL.md "Kiosk configuration"): checked before it is kept,
// handed from the uploader's thread to the UI thread through a slot, and applied by the controller at the
// next attract screen with no shopper's session in progress. No network, no files and no ImGui here: the
// fonts are reached through GlyphCoverage, the last-good file through fleet_config_file.hpp.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "content/fleet_document.hpp"
#include "i18n.hpp"
#include "survey.hpp"

namespace touchpoint::kiosk {

/// Which characters the kiosk's fonts can draw (the real one reads the TTF files the kiosk loads).
class GlyphCoverage {
  public:
    virtual ~GlyphCoverage() = default;
    virtual bool covers(char32_t codepoint) const = 0;
};

/// A verified document, ready to apply: the built-in tables with the document's texts layered over them,
/// the survey and the settings.
struct FleetContent {
    int configVersion = 0;  ///< 0: the built-in assets
    std::string etag;       ///< "\"cfg-<configVersion>\""
    Translations texts;
    Survey survey;
    content::KioskSettings settings;
};

/// The longest refusal the heartbeat carries (bytes).
inline constexpr std::size_t kMaxRefusalBytes = 500;

/// Checks a document as the hub answered it (the document's JSON plus a top-level integer "configVersion"):
/// its size, content::fleetDocumentFromJson, that every language it offers has built-in tables on this kiosk,
/// and that every text it brings can be drawn with the kiosk's fonts. The refusal is one line of at most
/// kMaxRefusalBytes naming the version when known: "cfg-12: glyph U+4E2D missing from the kiosk fonts".
Result<FleetContent, std::string> verifyFleetDocument(std::string_view body, const Translations& builtIn,
                                                      const GlyphCoverage& fonts);

/// "cfg-<n>: <why>" cut to kMaxRefusalBytes on a UTF-8 boundary.
std::string refusalLine(std::optional<int> configVersion, const std::string& why);

/// The hand-over between the thread that fetches documents and the UI thread that applies them, and what the
/// heartbeat reports. Every member may be called from any thread; nothing is held while a caller works.
class FleetContentSlot {
  public:
    /// A verified document to apply at the next chance; replaces one not yet taken. Clears the refusal.
    void offer(std::shared_ptr<const FleetContent> content);
    /// The document waiting to be applied, if any (the UI thread, between sessions).
    std::shared_ptr<const FleetContent> take();
    bool hasPending() const;
    /// The ETag of the newest verified document (offered or applied): what If-None-Match sends.
    std::string etag() const;
    void setEtag(std::string etag);
    void refuse(std::string refusal);
    std::string refusal() const;
    void noteApplied(int configVersion);
    int appliedVersion() const;

  private:
    mutable std::mutex m_mutex;
    std::shared_ptr<const FleetContent> m_pending;
    std::string m_etag;
    std::string m_refusal;
    int m_applied = 0;
};

}  // namespace touchpoint::kiosk
