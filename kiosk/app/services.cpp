#include "services.hpp"

#include <algorithm>
#include <cstdlib>

#include "common/log.hpp"
#include "hub_settings.hpp"

#ifndef TOUCHPOINT_APP_VERSION
#define TOUCHPOINT_APP_VERSION "0.0.0"
#endif

namespace touchpoint::kiosk::app {

std::filesystem::path resolveAssetsDir(const config::KioskConfig& config) {
    if (!config.ui.assetsDir.empty()) return config.ui.assetsDir;
    if (const char* env = std::getenv("TOUCHPOINT_ASSETS_DIR"); env != nullptr && *env != '\0') return env;
#ifdef TOUCHPOINT_INSTALL_ASSETS_DIR
    if (std::filesystem::exists(std::filesystem::path(TOUCHPOINT_INSTALL_ASSETS_DIR) / "i18n")) {
        return TOUCHPOINT_INSTALL_ASSETS_DIR;
    }
#endif
#ifdef TOUCHPOINT_SOURCE_ASSETS_DIR
    return TOUCHPOINT_SOURCE_ASSETS_DIR;
#else
    return "assets";
#endif
}

std::vector<std::string> checkRuntime(const config::KioskConfig& config) {
    std::vector<std::string> problems;
    const auto file = config.sourceFile.string();
    if (auto s = event::Sealer::fromPublicKeyB64(config.privacy.sealingPublicKeyB64); !s) {
        problems.push_back(file + ": privacy.sealing_public_key: " + s.error());
    }
    if (auto h = event::IdentityHasher::fromKeyB64(config.privacy.identityHashKeyB64); !h) {
        problems.push_back(file + ": privacy.identity_hash_key: " + h.error());
    }
    const auto assets = resolveAssetsDir(config);
    if (auto t = Translations::loadKiosk(assets / "i18n", config.ui.languages); !t) {
        problems.push_back(file + ": ui.languages: " + t.error());
    } else {
        for (const auto& lang : config.ui.languages) {
            for (const auto& key : t->allKeys()) {
                if (!t->has(lang, key)) problems.push_back(file + ": ui.languages: " + lang + " has no text for " + key);
            }
        }
    }
    auto survey = loadSurvey(assets / "surveys" / (config.ui.surveyId + ".json"));
    if (!survey) problems.push_back(file + ": ui.survey_id: " + survey.error());
    for (const char* font : {"DejaVuSans.ttf", "DejaVuSans-Bold.ttf"}) {
        if (!std::filesystem::exists(assets / "fonts" / font)) {
            problems.push_back(file + ": ui.assets_dir: " + (assets / "fonts" / font).string() + " is missing");
        }
    }
    return problems;
}

std::filesystem::path besideOutbox(const std::filesystem::path& outboxPath, const char* name) {
    return outboxPath.has_parent_path() ? outboxPath.parent_path() / name : std::filesystem::path(name);
}

FlowOptions flowOptions(const config::KioskConfig& config) {
    FlowOptions f;
    f.phoneRegion = config.device.phoneRegion;
    f.defaultLanguage = config.ui.defaultLanguage;
    f.languages = config.ui.languages;
    f.inactivityMs = std::int64_t{config.ui.inactivityS} * 1000;
    f.stillThereMs = std::int64_t{config.ui.stillThereS} * 1000;
    f.accessibilityTimeoutFactor = config.ui.accessibilityTimeoutFactor;
    f.cooldownMs = std::int64_t{config.loyalty.cooldownHours} * 3600 * 1000;
    f.welcomeTimeoutMs = config.hub.welcomeTimeoutMs;
    f.consentNoticeId = config.loyalty.consentNoticeId;
    f.consentNoticeVersion = config.loyalty.consentNoticeVersion;
    const auto& l = config.loyalty;
    f.newMemberStart = {l.pointsPerVisit, l.startingTier, l.nextTier, l.nextTierPoints, l.nextReward, l.nextRewardPoints};
    f.configFeedback = {config.feedback.contactQuestion, config.feedback.contactNpsMax,
                        config.feedback.contactCsatMax};
    f.feedback = f.configFeedback;
    f.contactNoticeId = config.feedback.contactNoticeId;
    f.contactNoticeVersion = config.feedback.contactNoticeVersion;
    return f;
}

Result<std::unique_ptr<Services>, std::string> Services::create(const config::KioskConfig& config, const Clock& clock,
                                                                const ServiceOptions& options) {
    std::unique_ptr<Services> s(new Services());
    s->m_config = config;
    s->m_assetsDir = resolveAssetsDir(config);
    auto texts = Translations::loadKiosk(s->m_assetsDir / "i18n", config.ui.languages);
    if (!texts) return Fail(texts.error());
    s->m_texts = std::make_unique<Translations>(std::move(texts).value());
    auto survey = loadSurvey(s->m_assetsDir / "surveys" / (config.ui.surveyId + ".json"));
    if (!survey) return Fail(survey.error());
    s->m_survey = std::make_unique<Survey>(std::move(survey).value());

    // Head office's last good document, if this kiosk has one that still passes its checks.
    s->m_fleetSlot = std::make_unique<FleetContentSlot>();
    s->m_fleetPoller = std::make_unique<FleetConfigPoller>(besideOutbox(config.outbox.path, kFleetConfigFileName),
                                                           s->m_assetsDir, config.ui.languages, *s->m_fleetSlot);
    if (auto lastGood = s->m_fleetPoller->loadLastGood(*s->m_texts)) {
        *s->m_texts = lastGood->texts;
        *s->m_survey = lastGood->survey;
        s->m_startSettings = lastGood->settings;
    }

    auto sealer = event::Sealer::fromPublicKeyB64(config.privacy.sealingPublicKeyB64);
    if (!sealer) return Fail("privacy.sealing_public_key: " + sealer.error());
    auto hasher = event::IdentityHasher::fromKeyB64(config.privacy.identityHashKeyB64);
    if (!hasher) return Fail("privacy.identity_hash_key: " + hasher.error());
    event::DeviceIdentity device{config.device.storeId, config.device.kioskId, config.device.timeZone,
                                 TOUCHPOINT_APP_VERSION, currentBootId()};
    s->m_events = std::make_unique<event::KioskEventFactory>(std::move(device), std::move(sealer).value(),
                                                             std::move(hasher).value(), clock);

    outbox::OutboxOptions outboxOptions;
    outboxOptions.path = config.outbox.path;
    outboxOptions.byteBudget = config.outbox.byteBudget;
    outboxOptions.clock = &clock;
    outbox::OpenReport report;
    auto box = outbox::Outbox::open(outboxOptions, &report);
    if (!box) return Fail(config.outbox.path.string() + ": " + box.error().message);
    if (report.recovered) {
        log::warn("kiosk", "outbox was corrupt and was moved aside",
                  {{"moved_to", report.movedAsideTo.string()}, {"reason", report.recoveryReason}});
    }
    s->m_outbox = std::move(box).value();

    const bool hub = options.connectHub && !config.hub.url.empty();
    if (hub && options.startUploader) {
        auto uo = uploaderOptions(config.hub, config.outbox.path);
        uo.heartbeatFactory = s->m_events.get();
        FleetConfigPoller* poller = s->m_fleetPoller.get();
        uo.heartbeatExtras = [poller](nlohmann::json& health) { poller->addHeartbeatProperties(health); };
        uo.periodicGet = poller->periodicGet(
            uploader::Millis(std::int64_t{std::max(1, config.hub.configPollMinutes)} * 60 * 1000));
        auto up = uploader::Uploader::create(std::move(uo));
        if (!up) return Fail("uploader: " + up.error());
        s->m_uploader = std::move(up).value();
        s->m_uploader->start();
    }
    uploader::Uploader* up = s->m_uploader.get();
    s->m_store = std::make_unique<OutboxEventStore>(*s->m_outbox, [up] {
        if (up != nullptr) up->notify();
    });
    {
        // Beside the outbox, like staff mode's status cache. Without it the cache is memory-only.
        auto welcome = WelcomeStore::open({besideOutbox(config.outbox.path, "welcome-cache.db")}, clock);
        if (welcome) {
            s->m_welcomeStore = std::move(welcome).value();
        } else {
            log::warn("kiosk", "welcome cache on disk unavailable", {{"error", welcome.error()}});
        }
    }
    if (hub) {
        s->m_profiles = std::make_unique<HubProfileClient>(httpsOptions(config.hub),
                                                           config.hub.token,
                                                           std::chrono::milliseconds(config.hub.welcomeTimeoutMs));
    }
    return s;
}

FlowOptions Services::flowOptions() const {
    FlowOptions f = app::flowOptions(m_config);
    if (m_startSettings) applyFleetSettings(f, *m_startSettings);
    return f;
}

ContentTarget Services::contentTarget() {
    ContentTarget t;
    t.slot = m_fleetSlot.get();
    t.texts = m_texts.get();
    t.survey = m_survey.get();
    return t;
}

Services::~Services() { stopWorkers(); }

void Services::stopWorkers() {
    m_profiles.reset();
    if (m_uploader) m_uploader->stop();
}

}  // namespace touchpoint::kiosk::app
