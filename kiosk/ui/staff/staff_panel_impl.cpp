// Staff mode plugged into the kiosk app (ui/staff_panel.hpp): builds the StaffController from the kiosk
// config and the app's outbox, uploader and event factory, feeds it taps and scans, and draws its pages.
#include <algorithm>

#include "config/kiosk_config.hpp"
#include "core/run_queue.hpp"
#include "core/scanner.hpp"
#include "common/log.hpp"
#include "event/kiosk_events.hpp"
#include "outbox/outbox.hpp"
#include "staff/outbox_ports.hpp"
#include "staff/staff_controller.hpp"
#include "staff/uploader_sync.hpp"
#include "staff_screens.hpp"
#include "staff_texts.hpp"
#include "ui/staff_panel.hpp"

namespace touchpoint::kiosk::ui {

namespace {

namespace core = kiosk::staff;

std::filesystem::path besideOutbox(const std::filesystem::path& outboxPath, const char* name) {
    return outboxPath.has_parent_path() ? outboxPath.parent_path() / name : std::filesystem::path(name);
}

class KioskStaffPanel final : public StaffPanel {
public:
    explicit KioskStaffPanel(const StaffDeps& deps) : m_clock(deps.clock) {
        const config::KioskConfig& config = deps.config;
        if (deps.outbox == nullptr) {
            // The app normally lends its UI-thread connection; an own one keeps staff mode usable without.
            auto opened = outbox::Outbox::open({deps.outboxPath});
            if (opened) m_ownOutbox = std::move(*opened);
            else log::error("staff", "cannot open the outbox for staff mode", {{"error", opened.error().message}});
        }
        outbox::Outbox* box = deps.outbox != nullptr ? deps.outbox : m_ownOutbox.get();
        if (box != nullptr) {
            m_audit = std::make_unique<core::OutboxAuditSink>(*box);
            m_deadLetters = std::make_unique<core::OutboxDeadLetters>(*box);
        } else {
            m_audit = std::make_unique<RefusingAudit>();
        }
        m_sync = std::make_unique<core::UploaderSyncControl>(deps.uploader, deps.clock);

        std::unique_ptr<core::LookupTransport> transport;
        if (!config.hub.url.empty()) {
            auto options = uploader::HttpsClientOptions::fromHub(config.hub);
            // Staff wait at the counter: a lookup gives up well before the uploader's long request timeout.
            options.totalTimeout = std::min(options.totalTimeout, std::chrono::milliseconds(15'000));
            transport = std::make_unique<core::HttpsLookupTransport>(std::move(options));
        }
        auto cache = core::StatusCache::open({besideOutbox(deps.outboxPath, "staff-cache.db")}, deps.clock);
        if (!cache) log::warn("staff", "no offline status cache", {{"error", cache.error()}});
        auto lookups = std::make_shared<core::LookupService>(std::move(transport), config.hub.staffToken,
                                                             cache ? std::move(*cache) : nullptr);

        core::StaffSettings settings;
        settings.pinHashes = config.staff.pinHashes;
        settings.lockout.maxAttempts = config.staff.lockoutAttempts;
        settings.lockout.lockMs = static_cast<std::int64_t>(config.staff.lockoutMinutes) * 60'000;
        settings.lockoutFile = config.staff.stateFile.empty() ? besideOutbox(deps.outboxPath, "staff-lock.json")
                                                              : config.staff.stateFile;
        settings.idleMs = static_cast<std::int64_t>(config.staff.idleS) * 1000;
        settings.phoneRegion = config.device.phoneRegion;

        core::StaffDeps staffDeps;
        staffDeps.clock = &deps.clock;
        staffDeps.events = &deps.events;
        staffDeps.audit = m_audit.get();
        staffDeps.deadLetters = m_deadLetters.get();
        staffDeps.sync = m_sync.get();
        staffDeps.lookups = std::move(lookups);
        staffDeps.identity = {config.device.storeId, config.device.kioskId, deps.events.device().appVersion,
                              config.sourceFile, deps.outboxPath};
        m_controller = std::make_unique<core::StaffController>(std::move(settings), std::move(staffDeps));
        // A worker result wakes the app's loop through its own queue (which posts an empty GLFW event).
        m_controller->setWake([&queue = deps.queue] { queue.post([] {}); });
    }

    void open() override {
        m_scanner.clear();
        m_controller->open();
    }
    bool isOpen() const override { return m_controller->isOpen(); }
    bool wantsAppExit() const override { return m_controller->exitRequested(); }
    std::optional<std::int64_t> nextWakeMs() const override {
        const auto idle = m_controller->msUntilIdleExit();
        if (!idle) return std::nullopt;
        // The idle countdown and any lock countdown tick once a second.
        return m_clock.monotonicMs() + std::min<std::int64_t>(*idle, 1000);
    }

    std::string stateName() const override {
        const auto& vm = m_controller->vm();
        std::string name(core::toString(vm.page));
        if (vm.page == core::StaffPage::Pin) {
            if (vm.pin.locked) name += ".locked";
            else if (vm.pin.checking) name += ".checking";
            else if (vm.pin.lastWrong) name += ".wrong";
        }
        if (vm.page == core::StaffPage::Lookup) {
            if (vm.lookup.pending) name += ".pending";
            else if (vm.lookup.result) name += "." + std::string(core::toString(vm.lookup.result->outcome));
        }
        if (vm.confirm.action != core::ConfirmAction::None) name += ".confirm";
        return name;
    }

    void draw(UiContext& ctx) override {
        auto& io = ImGui::GetIO();
        if (io.MouseDown[0]) m_controller->touch();
        scanInput(ctx.nowMs);
        m_controller->update();
        if (!m_controller->isOpen()) return;
        if (m_textsFrom != &ctx.texts) {
            m_texts = staff::withStaffTexts(ctx.texts);
            m_textsFrom = &ctx.texts;
        }
        UiContext staffCtx(*m_texts, ctx.display, ctx.registry, ctx.fonts, ctx.scale, ctx.nowMs);
        const auto intent = staff::drawStaffPage(m_controller->vm(), staffCtx);
        if (intent.kind != core::StaffIntent::Kind::None) m_controller->apply(intent);
    }

private:
    /// Without an outbox nothing can be audited, so no lookup is made.
    class RefusingAudit final : public core::AuditSink {
    public:
        Result<void, std::string> record(event::Message&) override {
            return Fail(std::string("the outbox is not available"));
        }
    };

    void scanInput(std::int64_t nowMs) {
        // Staff mode owns the keyboard wedge: a scanned card is a lookup on the lookup page, ignored elsewhere.
        auto& io = ImGui::GetIO();
        for (const ImWchar c : io.InputQueueCharacters) m_scanner.onChar(c, nowMs);
        io.InputQueueCharacters.resize(0);
        const int enter = io.KeyMap[ImGuiKey_Enter];
        if (enter >= 0 && ImGui::IsKeyPressed(enter, false)) {
            const auto code = m_scanner.onEnter(nowMs);
            m_controller->touch();
            if (code && m_controller->vm().page == core::StaffPage::Lookup) {
                m_controller->apply(core::StaffIntent::scan(*code));
            }
        }
    }

    const Clock& m_clock;
    std::optional<Translations> m_texts;       ///< the app's table plus the staff keys, built on first draw
    const Translations* m_textsFrom = nullptr;
    std::unique_ptr<outbox::Outbox> m_ownOutbox;
    std::unique_ptr<core::AuditSink> m_audit;
    std::unique_ptr<core::DeadLetterStore> m_deadLetters;
    std::unique_ptr<core::UploaderSyncControl> m_sync;
    ScannerInput m_scanner;
    std::unique_ptr<core::StaffController> m_controller;  // last: its worker stops before the ports go
};

}  // namespace

std::unique_ptr<StaffPanel> makeStaffPanel(const StaffDeps& deps) { return std::make_unique<KioskStaffPanel>(deps); }

}  // namespace touchpoint::kiosk::ui
