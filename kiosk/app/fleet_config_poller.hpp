#pragma once
// Head office's document for this kiosk (docs/PROTOCOL.md "Kiosk configuration"): asked for with
// GET /v1/kiosk/config on the uploader's own thread and connection (UploaderOptions::periodicGet), checked
// (kiosk/core/fleet_content.hpp, fonts from ttf_glyph_coverage.hpp), kept as the last-good file beside the
// outbox and handed to the UI thread through the slot, which the controller empties between sessions. A
// refused document leaves the last good one in place; the refusal goes into the heartbeat.

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/fleet_config_file.hpp"
#include "core/fleet_content.hpp"
#include "core/i18n.hpp"
#include "uploader/uploader.hpp"

namespace touchpoint::kiosk::app {

inline constexpr std::string_view kKioskConfigPath = "/v1/kiosk/config";
inline constexpr const char* kFleetConfigFileName = "fleet-config.json";

class FleetConfigPoller {
  public:
    /// Documents are layered over the built-in tables of `languages` in `assetsDir`/i18n (never over an
    /// earlier document), read from the files for each check so that no second copy stays in memory.
    /// `wake` is called (from the uploader's thread) after a document was offered.
    FleetConfigPoller(std::filesystem::path lastGoodFile, std::filesystem::path assetsDir,
                      std::vector<std::string> languages, FleetContentSlot& slot,
                      std::function<void()> wake = {});

    /// At start: the last-good document when there is one and it still passes every check over `builtIn`
    /// (fonts or built-in tables may have changed with an upgrade), else nothing (the built-in assets serve).
    std::shared_ptr<const FleetContent> loadLastGood(const Translations& builtIn);
    /// The uploader's hook: GET kKioskConfigPath every `interval` with If-None-Match.
    uploader::PeriodicGet periodicGet(uploader::Millis interval);
    /// One answer from the hub: 200 checked and kept, 304 and 404 keep what there is, anything else waits
    /// for the next turn.
    void handle(const uploader::HttpResult& result);
    /// configVersion (the applied document's; 0 = built-in assets) and configRefusal ("" when none).
    void addHeartbeatProperties(nlohmann::json& health) const;

    /// The If-None-Match value of the next request: the last good document's ETag, and the refused one's
    /// while the hub keeps assigning it (so a refused document is not downloaded again at every poll).
    std::string ifNoneMatch() const;

  private:
    /// What a document is checked against: the fonts, and the built-in tables when not given.
    struct Checks {
        std::unique_ptr<GlyphCoverage> fonts;
        std::optional<Translations> tables;
    };
    /// Fails only for a fault of this kiosk (a font or table file unreadable), never of the document.
    Result<Checks, std::string> loadChecks(const Translations* builtIn) const;
    void noteRefusal(const std::string& refusal);

    FleetConfigFile m_file;
    std::filesystem::path m_assetsDir;
    std::vector<std::string> m_languages;
    FleetContentSlot& m_slot;
    std::function<void()> m_wake;
    int m_lastStatus = -1;  // worker thread only: log a change of answer once, not every poll
    mutable std::mutex m_mutex;
    std::string m_refusedEtag;  ///< the ETag of the document refused for its own content ("" when none)
};

}  // namespace touchpoint::kiosk::app
