#include "common/clock.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>

namespace touchpoint {

std::int64_t SystemClock::utcMs() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t SystemClock::monotonicMs() const {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

SystemClock& SystemClock::instance() {
    static SystemClock clock;
    return clock;
}

std::int64_t ManualClock::utcMs() const {
    std::lock_guard lock(m_mutex);
    return m_utc;
}

std::int64_t ManualClock::monotonicMs() const {
    std::lock_guard lock(m_mutex);
    return m_mono;
}

void ManualClock::advanceMs(std::int64_t ms) {
    std::lock_guard lock(m_mutex);
    m_utc += ms;
    m_mono += ms;
}

void ManualClock::setUtcMs(std::int64_t ms) {
    std::lock_guard lock(m_mutex);
    m_utc = ms;
}

namespace {

// Writes `value` as exactly `width` decimal digits (zero-padded) at `out`.
char* putDigits(char* out, unsigned value, int width) {
    for (int i = width - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
    return out + width;
}

// Reads exactly `width` decimal digits at `pos`.
bool readDigits(std::string_view text, std::size_t pos, std::size_t width, int& out) {
    if (pos + width > text.size()) return false;
    int value = 0;
    for (std::size_t i = pos; i < pos + width; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        value = value * 10 + (text[i] - '0');
    }
    out = value;
    return true;
}

}  // namespace

std::string formatIsoUtcMs(std::int64_t utcMs) {
    using namespace std::chrono;
    const sys_time<milliseconds> t{milliseconds{utcMs}};
    const auto midnight = floor<days>(t);
    const year_month_day date{midnight};
    const hh_mm_ss time{t - midnight};
    const int y = static_cast<int>(date.year());
    if (y < 0 || y > 9999) {
        // Outside what four digits hold: not a time any kiosk or SDK sends, but still printed faithfully.
        std::array<char, 80> buf{};
        std::snprintf(buf.data(), buf.size(), "%d-%02u-%02uT%02d:%02d:%02d.%03dZ", y,
                      static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                      static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                      static_cast<int>(time.seconds().count()), static_cast<int>(time.subseconds().count()));
        return buf.data();
    }
    std::string out(24, '\0');
    char* p = putDigits(out.data(), static_cast<unsigned>(y), 4);
    *p++ = '-';
    p = putDigits(p, static_cast<unsigned>(date.month()), 2);
    *p++ = '-';
    p = putDigits(p, static_cast<unsigned>(date.day()), 2);
    *p++ = 'T';
    p = putDigits(p, static_cast<unsigned>(time.hours().count()), 2);
    *p++ = ':';
    p = putDigits(p, static_cast<unsigned>(time.minutes().count()), 2);
    *p++ = ':';
    p = putDigits(p, static_cast<unsigned>(time.seconds().count()), 2);
    *p++ = '.';
    p = putDigits(p, static_cast<unsigned>(time.subseconds().count()), 3);
    *p = 'Z';
    return out;
}

std::string formatIsoUtcDay(std::int64_t utcMs) { return formatIsoUtcMs(utcMs).substr(0, 10); }

bool parseIsoUtcMs(std::string_view text, std::int64_t& utcMs) {
    // YYYY-MM-DD(T| )hh:mm:ss[.f{1,9}](Z|z|+hh:mm|-hh:mm|+hhmm|-hhmm)
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!readDigits(text, 0, 4, y) || text.size() < 20 || text[4] != '-' || !readDigits(text, 5, 2, mo) ||
        text[7] != '-' || !readDigits(text, 8, 2, d) || (text[10] != 'T' && text[10] != ' ') ||
        !readDigits(text, 11, 2, h) || text[13] != ':' || !readDigits(text, 14, 2, mi) || text[16] != ':' ||
        !readDigits(text, 17, 2, sec)) {
        return false;
    }
    std::size_t pos = 19;
    int ms = 0;
    if (text[pos] == '.') {
        const std::size_t first = ++pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
            if (pos - first < 3) ms = ms * 10 + (text[pos] - '0');
            ++pos;
        }
        const std::size_t n = pos - first;
        if (n < 1 || n > 9) return false;
        for (std::size_t k = n; k < 3; ++k) ms *= 10;
    }
    if (pos >= text.size()) return false;
    int offsetMinutes = 0;
    if (text[pos] == 'Z' || text[pos] == 'z') {
        ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
        const int sign = text[pos] == '-' ? -1 : 1;
        int oh = 0, om = 0;
        if (!readDigits(text, pos + 1, 2, oh)) return false;
        pos += 3;
        if (pos < text.size() && text[pos] == ':') ++pos;
        if (!readDigits(text, pos, 2, om) || oh > 23 || om > 59) return false;
        pos += 2;
        offsetMinutes = sign * (oh * 60 + om);
    } else {
        return false;
    }
    if (pos != text.size()) return false;
    using namespace std::chrono;
    const year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!date.ok() || h > 23 || mi > 59 || sec > 60) return false;  // 60: a leap second, as the next minute
    const auto at = sys_days{date} + hours{h} + minutes{mi} + seconds{sec} - minutes{offsetMinutes};
    utcMs = duration_cast<milliseconds>(at.time_since_epoch()).count() + ms;
    return true;
}

std::string currentBootId() {
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string id;
    if (in && std::getline(in, id) && !id.empty()) return id;
    return "unknown";
}

}  // namespace touchpoint
