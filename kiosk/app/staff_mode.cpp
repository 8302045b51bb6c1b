#include "staff_mode.hpp"

#include <algorithm>

#include "common/log.hpp"
#include "hub_settings.hpp"
#include "services.hpp"
#include "staff_lookup_client.hpp"
#include "staff_outbox.hpp"
#include "staff_status_cache.hpp"
#include "uploader_sync.hpp"

namespace touchpoint::kiosk::app {

namespace {

/// Without an outbox nothing can be audited, so no lookup is made.
class RefusingAudit final : public staff::AuditSink {
public:
    Result<void, std::string> record(event::Message&) override {
        return Fail(std::string("the outbox is not available"));
    }
};

staff::StaffSettings staffSettings(const config::KioskConfig& config) {
    staff::StaffSettings settings;
    settings.pinHashes = config.staff.pinHashes;
    settings.lockout.maxAttempts = config.staff.lockoutAttempts;
    settings.lockout.lockMs = static_cast<std::int64_t>(config.staff.lockoutMinutes) * 60'000;
    settings.lockoutFile = config.staff.stateFile.empty() ? besideOutbox(config.outbox.path, "staff-lock.json")
                                                          : config.staff.stateFile;
    settings.idleMs = static_cast<std::int64_t>(config.staff.idleS) * 1000;
    settings.phoneRegion = config.device.phoneRegion;
    return settings;
}

std::shared_ptr<staff::LookupService> lookupService(const config::KioskConfig& config, const Clock& clock) {
    std::unique_ptr<staff::LookupTransport> transport;
    if (!config.hub.url.empty()) {
        auto options = httpsOptions(config.hub);
        options.totalTimeout = std::min<std::chrono::milliseconds>(options.totalTimeout, kStaffLookupTimeout);
        transport = std::make_unique<HttpsLookupTransport>(std::move(options));
    }
    auto cache = StatusCache::open({besideOutbox(config.outbox.path, "staff-cache.db")}, clock);
    if (!cache) log::warn("staff", "no offline status cache", {{"error", cache.error()}});
    return std::make_shared<staff::LookupService>(std::move(transport), config.hub.staffToken,
                                                  cache ? std::move(*cache) : nullptr);
}

}  // namespace

StaffMode::StaffMode(const StaffModeDeps& deps) {
    const config::KioskConfig& config = deps.config;
    if (deps.outbox == nullptr) {
        // The app normally lends its UI-thread connection; an own one keeps staff mode usable without.
        auto opened = outbox::Outbox::open({config.outbox.path});
        if (opened) m_ownOutbox = std::move(*opened);
        else log::error("staff", "cannot open the outbox for staff mode", {{"error", opened.error().message}});
    }
    outbox::Outbox* box = deps.outbox != nullptr ? deps.outbox : m_ownOutbox.get();
    if (box != nullptr) {
        m_audit = std::make_unique<OutboxAuditSink>(*box);
        m_deadLetters = std::make_unique<OutboxDeadLetters>(*box);
    } else {
        m_audit = std::make_unique<RefusingAudit>();
    }
    m_sync = std::make_unique<UploaderSyncControl>(deps.uploader, deps.clock, deps.fleet);
    outbox::OutboxOptions recoveryOutbox;
    recoveryOutbox.path = config.outbox.path;
    recoveryOutbox.byteBudget = config.outbox.byteBudget;
    m_recovery = std::make_unique<OutboxSetAsideRecovery>(std::move(recoveryOutbox));

    staff::StaffDeps staffDeps;
    staffDeps.clock = &deps.clock;
    staffDeps.events = &deps.events;
    staffDeps.audit = m_audit.get();
    staffDeps.deadLetters = m_deadLetters.get();
    staffDeps.sync = m_sync.get();
    staffDeps.recovery = m_recovery.get();
    staffDeps.lookups = lookupService(config, deps.clock);
    staffDeps.identity = {config.device.storeId, config.device.kioskId, deps.events.device().appVersion,
                          config.sourceFile, config.outbox.path};
    m_controller = std::make_unique<staff::StaffController>(staffSettings(config), std::move(staffDeps));
    // A worker result wakes the app's loop through its own queue (which posts an empty GLFW event).
    m_controller->setWake([&queue = deps.queue] { queue.post([] {}); });
}

StaffMode::~StaffMode() = default;

}  // namespace touchpoint::kiosk::app
