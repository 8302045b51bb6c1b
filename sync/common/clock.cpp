#include "common/clock.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <regex>

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

std::string formatIsoUtcMs(std::int64_t utcMs) {
    std::int64_t secs = utcMs / 1000;
    std::int64_t ms = utcMs % 1000;
    if (ms < 0) {
        ms += 1000;
        secs -= 1;
    }
    const auto t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    // Sized for any int fields (g++ -O2 checks the worst case, 77 bytes, under -Werror=format-truncation).
    std::array<char, 80> buf{};
    std::snprintf(buf.data(), buf.size(), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    return buf.data();
}

bool parseIsoUtcMs(const std::string& text, std::int64_t& utcMs) {
    static const std::regex kIso(
        R"(^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})$)");
    std::smatch m;
    if (!std::regex_match(text, m, kIso)) return false;
    std::tm tm{};
    tm.tm_year = std::stoi(m[1]) - 1900;
    tm.tm_mon = std::stoi(m[2]) - 1;
    tm.tm_mday = std::stoi(m[3]);
    tm.tm_hour = std::stoi(m[4]);
    tm.tm_min = std::stoi(m[5]);
    tm.tm_sec = std::stoi(m[6]);
    if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 60) {
        return false;
    }
    std::int64_t secs = timegm(&tm);
    std::int64_t ms = 0;
    if (m[7].matched) {
        std::string frac = m[7].str();
        frac.resize(3, '0');
        ms = std::stoi(frac);
    }
    const std::string zone = m[8].str();
    if (zone != "Z" && zone != "z") {
        const int sign = zone[0] == '-' ? -1 : 1;
        const int hh = std::stoi(zone.substr(1, 2));
        const int mm = std::stoi(zone.substr(zone.size() - 2));
        secs -= sign * (hh * 3600 + mm * 60);
    }
    utcMs = secs * 1000 + ms;
    return true;
}

std::string currentBootId() {
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string id;
    if (in && std::getline(in, id) && !id.empty()) return id;
    return "unknown";
}

}  // namespace touchpoint
