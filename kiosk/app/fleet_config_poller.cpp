#include "fleet_config_poller.hpp"

#include "common/log.hpp"
#include "ttf_glyph_coverage.hpp"

namespace touchpoint::kiosk::app {

namespace {
constexpr std::string_view kLog = "fleet-config";
/// Twice the document cap: a document somewhat over it is read and refused with its size (reported like any
/// refusal); anything larger fails as a transport error without being held in memory.
constexpr std::size_t kMaxAnswerBytes = 2 * content::kMaxDocumentBytes;
}  // namespace

FleetConfigPoller::FleetConfigPoller(std::filesystem::path lastGoodFile, std::filesystem::path assetsDir,
                                     std::vector<std::string> languages, FleetContentSlot& slot,
                                     std::function<void()> wake)
    : m_file(std::move(lastGoodFile)),
      m_assetsDir(std::move(assetsDir)),
      m_languages(std::move(languages)),
      m_slot(slot),
      m_wake(std::move(wake)) {}

Result<FleetConfigPoller::Checks, std::string> FleetConfigPoller::loadChecks(const Translations* builtIn) const {
    // The font files and the built-in tables are read for the check only: nothing of them stays in memory
    // beyond the document's own tables.
    Checks checks;
    auto fonts = TtfGlyphCoverage::load(kioskFontFiles(m_assetsDir / "fonts"));
    if (!fonts) return Fail(refusalLine(std::nullopt, "cannot check glyphs: " + fonts.error()));
    checks.fonts = std::move(fonts).value();
    if (builtIn != nullptr) return checks;
    auto tables = Translations::loadKiosk(m_assetsDir / "i18n", m_languages);
    if (!tables) return Fail(refusalLine(std::nullopt, "cannot read the built-in tables: " + tables.error()));
    checks.tables = std::move(tables).value();
    return checks;
}

void FleetConfigPoller::noteRefusal(const std::string& refusal) {
    if (m_slot.refusal() != refusal)
        log::warn(kLog, "head office's document refused", {{"refusal", refusal}});
    m_slot.refuse(refusal);
}

std::shared_ptr<const FleetContent> FleetConfigPoller::loadLastGood(const Translations& builtIn) {
    auto stored = m_file.load();
    if (!stored) {
        log::warn(kLog, "last-good document unreadable; using the built-in assets",
                  {{"error", stored.error()}});
        return nullptr;
    }
    if (!*stored) return nullptr;
    auto checks = loadChecks(&builtIn);
    if (!checks) {
        noteRefusal(checks.error());
        return nullptr;
    }
    auto content = verifyFleetDocument((*stored)->body, builtIn, *checks->fonts);
    if (!content) {
        noteRefusal(content.error());
        log::warn(kLog, "last-good document no longer passes its checks; using the built-in assets",
                  {{"file", m_file.path().string()}});
        return nullptr;
    }
    content->etag = (*stored)->etag.empty() ? content->etag : (*stored)->etag;
    log::info(kLog, "using the last-good document",
              {{"configVersion", std::to_string(content->configVersion)}});
    m_slot.setEtag(content->etag);
    m_slot.noteApplied(content->configVersion);
    return std::make_shared<const FleetContent>(std::move(content).value());
}

std::string FleetConfigPoller::ifNoneMatch() const {
    std::string value = m_slot.etag();
    std::lock_guard lock(m_mutex);
    if (!m_refusedEtag.empty() && m_refusedEtag != value) value += (value.empty() ? "" : ", ") + m_refusedEtag;
    return value;
}

uploader::PeriodicGet FleetConfigPoller::periodicGet(uploader::Millis interval) {
    uploader::PeriodicGet g;
    g.path = std::string(kKioskConfigPath);
    g.interval = interval;
    g.maxResponseBytes = kMaxAnswerBytes;
    g.headers = [this] {
        const auto value = ifNoneMatch();
        return value.empty() ? std::vector<std::string>{} : std::vector<std::string>{"If-None-Match: " + value};
    };
    g.onResult = [this](const uploader::HttpResult& r) { handle(r); };
    return g;
}

void FleetConfigPoller::handle(const uploader::HttpResult& result) {
    if (!result) {
        // Offline is normal: the kiosk keeps what it has and asks again at the next turn.
        if (m_lastStatus != 0)
            log::info(kLog, "the kiosk document request failed", {{"error", result.error().message}});
        m_lastStatus = 0;
        return;
    }
    const auto status = static_cast<int>(result->status);
    const bool changedStatus = status != m_lastStatus;
    m_lastStatus = status;
    if (status == 304) return;
    if (status == 404) {
        if (changedStatus) log::info(kLog, "no document assigned to this kiosk; keeping what it has");
        return;
    }
    if (status != 200) {
        if (changedStatus)
            log::warn(kLog, "the hub did not answer the document request",
                      {{"status", std::to_string(status)}});
        return;
    }
    auto checks = loadChecks(nullptr);
    if (!checks) {
        noteRefusal(checks.error());  // this kiosk's fault: the document is checked again at the next poll
        return;
    }
    const auto etag = result->header("etag");
    auto content = verifyFleetDocument(result->body, *checks->tables, *checks->fonts);
    {
        // A refused document is named in If-None-Match too: while the hub keeps assigning it, it answers 304
        // and the refusal stands. A hub that answers without an ETag gets the document again each time.
        std::lock_guard lock(m_mutex);
        m_refusedEtag = content || !etag ? std::string() : *etag;
    }
    if (!content) {
        noteRefusal(content.error());
        return;
    }
    if (etag && !etag->empty()) content->etag = *etag;
    if (content->etag == m_slot.etag() && m_slot.appliedVersion() == content->configVersion &&
        !m_slot.hasPending()) {
        m_slot.refuse({});  // the same document again (the hub ignored If-None-Match)
        return;
    }
    if (auto saved = m_file.save({content->etag, result->body}); !saved) {
        // Still applied: the kiosk shows it until a restart, when the previous last-good (or built-in)
        // returns.
        log::error(kLog, "cannot keep the document as last-good", {{"error", saved.error()}});
    }
    log::info(kLog, "new document from head office; applied at the next attract screen",
              {{"configVersion", std::to_string(content->configVersion)}});
    m_slot.offer(std::make_shared<const FleetContent>(std::move(content).value()));
    if (m_wake) m_wake();
}

void FleetConfigPoller::addHeartbeatProperties(nlohmann::json& health) const {
    health["configVersion"] = m_slot.appliedVersion();
    health["configRefusal"] = m_slot.refusal();
}

}  // namespace touchpoint::kiosk::app
