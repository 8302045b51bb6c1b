// The controller's side of head office's documents and opening hours: a waiting document is applied only
// between sessions, and outside opening hours the attract screen gives way to the sleep screen.
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "common/log.hpp"
#include "controller_session.hpp"
#include "kiosk_controller.hpp"

namespace touchpoint::kiosk {

namespace {

constexpr const char* kDayKeys[7] = {"sleep.day.mon", "sleep.day.tue", "sleep.day.wed", "sleep.day.thu",
                                     "sleep.day.fri", "sleep.day.sat", "sleep.day.sun"};

std::string clockText(int minuteOfDay) {
    const int m = std::clamp(minuteOfDay, 0, 24 * 60);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d", m / 60, m % 60);
    return buf;
}

}  // namespace

void applyFleetSettings(FlowOptions& options, const content::KioskSettings& s) {
    options.languages = s.languages;
    options.defaultLanguage = s.defaultLanguage;
    options.inactivityMs = std::int64_t{s.inactivityS} * 1000;
    options.stillThereMs = std::int64_t{s.stillThereS} * 1000;
    options.accessibilityTimeoutFactor = s.accessibilityTimeoutFactor;
    options.highContrastDefault = s.highContrastDefault;
    options.largeTextDefault = s.largeTextDefault;
    options.openingHours = s.openingHours;
    // Unlike the others, which fall back to the document format's defaults, the thresholds fall back to
    // kiosk.toml: each kiosk's were agreed with its hub's [cases] before head office could set them.
    options.feedback = s.feedback.value_or(options.configFeedback);
}

void KioskController::takeContentFrom(ContentTarget target) {
    m_content = std::move(target);
    if (m_content.slot != nullptr) m_configVersion = m_content.slot->appliedVersion();
}

bool KioskController::betweenSessions() const {
    if (m_mode != AppMode::Shopper || m_stillThere) return false;
    if (m_screen != ScreenId::Attract && m_screen != ScreenId::Sleep) return false;
    if (sessionIsBlank()) return true;
    // A shopper who chose a language or larger text on the attract screen and walked away.
    return !m_session.identity && !m_session.survey &&
           m_clock.monotonicMs() - m_lastActivityMs >= scaled(m_options.inactivityMs);
}

void KioskController::fleetTick() {
    const auto now = m_clock.monotonicMs();
    if (m_content.slot != nullptr && m_content.slot->hasPending() && betweenSessions()) {
        if (auto content = m_content.slot->take()) applyContent(*content);
    }
    if (m_sleepHoursUntilMs != 0 && now >= m_sleepHoursUntilMs) {
        m_sleepHoursUntilMs = 0;
        m_session.language = m_options.defaultLanguage;  // the next passer-by reads the default again
        changed();
    }
    if (!m_options.openingHours) {
        if (m_screen == ScreenId::Sleep) resetSession();  // a newer document dropped the hours
        return;
    }
    if (now < m_nextOpeningCheckMs) return;
    const auto utc = std::chrono::system_clock::time_point(std::chrono::milliseconds(m_clock.utcMs()));
    const bool open = m_options.openingHours->isOpen(utc);
    if (m_screen == ScreenId::Sleep && open) {
        log::info("kiosk", "store open: attract screen");
        resetSession();
    } else if (!open && m_screen == ScreenId::Attract && betweenSessions()) {
        // A session in progress at closing time finishes; the sleep screen comes once it has ended.
        log::info("kiosk", "store closed: sleep screen");
        resetSession();
        m_screen = ScreenId::Sleep;
        m_sleepHoursUntilMs = 0;
        changed();
    }
    m_nextOpeningCheckMs = now + m_options.openingCheckMs;
}

void KioskController::applyContent(const FleetContent& content) {
    if (m_content.texts != nullptr) *m_content.texts = content.texts;
    if (m_content.survey != nullptr) *m_content.survey = content.survey;
    applyFleetSettings(m_options, content.settings);
    m_configVersion = content.configVersion;
    if (m_content.slot != nullptr) m_content.slot->noteApplied(content.configVersion);
    log::info("kiosk", "head office's document applied",
              {{"configVersion", std::to_string(content.configVersion)},
               {"survey", content.survey.id},
               {"surveyVersion", std::to_string(content.survey.version)}});
    if (m_content.applied) m_content.applied(content);
    resetSession();  // the next shopper starts under the new defaults; the hours are looked at next tick
}

void KioskController::applySleepIntent(const Intent& intent) {
    if (intent.kind == IntentKind::ChooseLanguage) {
        // The closed message and the hours in the shopper's language, for as long as the hours are shown.
        const auto& offered = m_options.languages;
        if (std::find(offered.begin(), offered.end(), intent.text) == offered.end()) return;
        m_session.language = intent.text;
    } else if (intent.kind != IntentKind::Wake) {
        return;
    }
    m_sleepHoursUntilMs = m_clock.monotonicMs() + m_options.sleepHoursShownMs;
}

SleepVm KioskController::sleepVm() const {
    SleepVm vm;
    vm.showHours = m_sleepHoursUntilMs != 0;
    if (m_options.languages.size() > 1) vm.languages = m_options.languages;
    if (!m_options.openingHours) return vm;
    for (std::size_t d = 0; d < 7; ++d) {
        SleepVm::Day day;
        day.dayKey = kDayKeys[d];
        for (const auto& p : m_options.openingHours->days[d]) {
            day.periods.emplace_back(clockText(p.openMinute), clockText(p.closeMinute));
        }
        vm.days.push_back(std::move(day));
    }
    return vm;
}

}  // namespace touchpoint::kiosk
