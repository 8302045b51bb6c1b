// Opening hours in the store's own zone. ICU (already on every machine through libphonenumber) answers the zone's
// offset at an instant, daylight saving included.
#include <memory>
#include <unicode/timezone.h>
#include <unicode/unistr.h>

#include "content/fleet_document.hpp"

namespace touchpoint::content {

bool isKnownTimeZone(const std::string& name) {
    if (name.empty() || name.size() > 64) return false;
    const std::unique_ptr<icu::TimeZone> zone(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(name)));
    return zone != nullptr && *zone != icu::TimeZone::getUnknown();
}

bool OpeningHours::isOpen(std::chrono::system_clock::time_point t) const {
    const std::unique_ptr<icu::TimeZone> zone(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(timeZone)));
    if (zone == nullptr || *zone == icu::TimeZone::getUnknown()) return true;  // never dark on a bad zone
    const auto utcMs = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    std::int32_t rawOffset = 0;
    std::int32_t dstOffset = 0;
    UErrorCode status = U_ZERO_ERROR;
    zone->getOffset(static_cast<UDate>(utcMs), false, rawOffset, dstOffset, status);
    if (U_FAILURE(status)) return true;
    const std::int64_t localMs = utcMs + rawOffset + dstOffset;
    constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
    const std::int64_t dayNumber = localMs >= 0 ? localMs / kDayMs : (localMs - kDayMs + 1) / kDayMs;
    const int minute = static_cast<int>((localMs - dayNumber * kDayMs) / 60000);
    // 1970-01-01 was a Thursday (Monday = 0 -> Thursday = 3).
    const int weekday = static_cast<int>(((dayNumber % 7) + 7 + 3) % 7);
    for (const auto& p : days[static_cast<std::size_t>(weekday)]) {
        if (minute >= p.openMinute && minute < p.closeMinute) return true;
    }
    return false;
}

}  // namespace touchpoint::content
