#pragma once
// Everything the kiosk builds from its config before the first frame: assets (translations, survey,
// fonts folder), the event factory with the sealing key, the UI thread's outbox connection, the uploader on
// its own thread and connection, and the welcome client. main() and the bench build it the same way.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "config/kiosk_config.hpp"
#include "core/fleet_content.hpp"
#include "core/i18n.hpp"
#include "core/kiosk_controller.hpp"
#include "core/survey.hpp"
#include "core/welcome_store.hpp"
#include "event/kiosk_events.hpp"
#include "fleet_config_poller.hpp"
#include "outbox/outbox.hpp"
#include "outbox_store.hpp"
#include "uploader/uploader.hpp"
#include "welcome_client.hpp"

namespace touchpoint::kiosk::app {

/// The assets folder: the config's ui.assets_dir, else $TOUCHPOINT_ASSETS_DIR, else the installed folder,
/// else the source tree's (a developer build).
std::filesystem::path resolveAssetsDir(const config::KioskConfig& config);

/// Checks that go beyond the TOML parser: keys decode, assets load, languages have tables. One line each.
std::vector<std::string> checkRuntime(const config::KioskConfig& config);

FlowOptions flowOptions(const config::KioskConfig& config);

/// A file the kiosk keeps next to its outbox (the welcome and staff caches, the staff lockout state).
std::filesystem::path besideOutbox(const std::filesystem::path& outboxPath, const char* name);

struct ServiceOptions {
    bool startUploader = true;
    bool connectHub = true;  ///< false: no welcome requests either (bench, offline scripts)
};

class Services {
public:
    static Result<std::unique_ptr<Services>, std::string> create(const config::KioskConfig& config, const Clock& clock,
                                                                 const ServiceOptions& options);
    ~Services();
    Services(const Services&) = delete;
    Services& operator=(const Services&) = delete;

    /// Stops the worker threads (welcome client, uploader) before the UI objects they post to go away.
    void stopWorkers();

    const config::KioskConfig& config() const { return m_config; }
    const std::filesystem::path& assetsDir() const { return m_assetsDir; }
    const Translations& texts() const { return *m_texts; }
    const Survey& survey() const { return *m_survey; }
    /// The flow options from the config, with the last-good document's settings when one was in use at start.
    FlowOptions flowOptions() const;
    /// Head office's documents on their way to the controller, and where it writes them when it applies one
    /// (the same tables and survey the screens and speech read).
    ContentTarget contentTarget();
    FleetContentSlot& fleetSlot() { return *m_fleetSlot; }
    const event::KioskEventFactory& events() const { return *m_events; }
    outbox::Outbox& outbox() { return *m_outbox; }
    EventStore& store() { return *m_store; }
    uploader::Uploader* uploader() { return m_uploader.get(); }
    ProfileClient* profiles() { return m_profiles.get(); }
    /// The welcome cache on disk; null when its file could not be opened (the kiosk runs without it).
    WelcomeStore* welcomeStore() { return m_welcomeStore.get(); }

private:
    Services() = default;

    config::KioskConfig m_config;
    std::filesystem::path m_assetsDir;
    std::unique_ptr<Translations> m_texts;
    std::unique_ptr<Survey> m_survey;
    std::unique_ptr<FleetContentSlot> m_fleetSlot;
    std::unique_ptr<FleetConfigPoller> m_fleetPoller;
    std::optional<content::KioskSettings> m_startSettings;  ///< the last-good document's, when one was used
    std::unique_ptr<event::KioskEventFactory> m_events;
    std::unique_ptr<outbox::Outbox> m_outbox;
    std::unique_ptr<OutboxEventStore> m_store;
    std::unique_ptr<uploader::Uploader> m_uploader;
    std::unique_ptr<HubProfileClient> m_profiles;
    std::unique_ptr<WelcomeStore> m_welcomeStore;
};

}  // namespace touchpoint::kiosk::app
