#include "staff/lockout.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/log.hpp"
#include "common/tls_cert.hpp"

namespace touchpoint::kiosk::staff {

Result<LockoutState, std::string> readLockoutState(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        if (ec) return Fail("cannot check " + file.string() + ": " + ec.message());
        return LockoutState{};
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) return Fail("cannot read " + file.string());
    std::stringstream buffer;
    buffer << in.rdbuf();
    const auto json = nlohmann::json::parse(buffer.str(), nullptr, false);
    if (json.is_discarded() || !json.is_object()) return Fail(file.string() + " is not a JSON object");
    LockoutState state;
    const auto readInt = [&](const char* key, auto& out) -> bool {
        const auto it = json.find(key);
        if (it == json.end() || !it->is_number_integer()) return false;
        out = it->get<std::remove_reference_t<decltype(out)>>();
        return true;
    };
    if (!readInt("failures", state.failures) || !readInt("lockStartUtcMs", state.lockStartUtcMs) ||
        !readInt("lockUntilUtcMs", state.lockUntilUtcMs) || state.failures < 0 ||
        state.lockUntilUtcMs < state.lockStartUtcMs) {
        return Fail(file.string() + " has missing or invalid fields");
    }
    return state;
}

Result<void, std::string> writeLockoutState(const std::filesystem::path& file, const LockoutState& state) {
    const nlohmann::json json{{"failures", state.failures},
                              {"lockStartUtcMs", state.lockStartUtcMs},
                              {"lockUntilUtcMs", state.lockUntilUtcMs}};
    std::error_code ec;
    if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
    return tls::writeFileAtomically(file.string(), json.dump() + "\n", 0600);
}

PinLockout::PinLockout(std::filesystem::path stateFile, LockoutPolicy policy, const Clock& clock)
    : m_file(std::move(stateFile)), m_policy(policy), m_clock(clock) {
    m_policy.maxAttempts = std::max(1, m_policy.maxAttempts);
    m_policy.lockMs = std::max<std::int64_t>(1000, m_policy.lockMs);
    auto loaded = readLockoutState(m_file);
    if (!loaded) {
        log::warn("staff", "lockout state unreadable; locking staff mode for one period",
                  {{"file", m_file.string()}, {"error", loaded.error()}});
        m_state.failures = m_policy.maxAttempts;
        lockFromNow(m_policy.lockMs);
        save();
        // Shown on the PIN pad until the next successful write, so staff know why they are locked out.
        if (m_storageProblem.empty()) m_storageProblem = "lockout state was unreadable: " + loaded.error();
        return;
    }
    m_state = *loaded;
    if (m_state.lockUntilUtcMs == 0) return;
    const std::int64_t now = m_clock.utcMs();
    if (now < m_state.lockStartUtcMs) {
        // The wall clock went back since the lock began: how much of the lock has passed is unknowable.
        log::warn("staff", "wall clock is earlier than the lock start; restarting the lock period");
        lockFromNow(m_policy.lockMs);
        save();
    } else if (now < m_state.lockUntilUtcMs) {
        const std::int64_t remaining = std::min(m_state.lockUntilUtcMs - now, m_policy.lockMs);
        m_monoUntil = m_clock.monotonicMs() + remaining;
    } else {
        m_state = LockoutState{};
        save();
    }
}

void PinLockout::lockFromNow(std::int64_t durationMs) {
    const std::int64_t now = m_clock.utcMs();
    m_state.lockStartUtcMs = now;
    m_state.lockUntilUtcMs = now + durationMs;
    m_monoUntil = m_clock.monotonicMs() + durationMs;
}

void PinLockout::expireIfDue() const {
    if (m_state.lockUntilUtcMs != 0 && m_clock.monotonicMs() >= m_monoUntil) {
        // The lock has run its full length on the monotonic clock: clear the file too, so a wall clock that
        // went back meanwhile cannot bring the lock back at the next start.
        m_state = LockoutState{};
        m_monoUntil = 0;
        save();
    }
}

bool PinLockout::isLocked() const {
    expireIfDue();
    return m_state.lockUntilUtcMs != 0;
}

std::int64_t PinLockout::remainingMs() const {
    if (!isLocked()) return 0;
    return std::max<std::int64_t>(0, m_monoUntil - m_clock.monotonicMs());
}

int PinLockout::attemptsLeft() const {
    if (isLocked()) return 0;
    return std::max(0, m_policy.maxAttempts - m_state.failures);
}

bool PinLockout::recordFailure() {
    if (isLocked()) return false;
    ++m_state.failures;
    bool locked = false;
    if (m_state.failures >= m_policy.maxAttempts) {
        lockFromNow(m_policy.lockMs);
        locked = true;
        log::warn("staff", "staff mode locked after wrong PINs", {{"attempts", std::to_string(m_state.failures)}});
    }
    save();
    return locked;
}

void PinLockout::recordSuccess() {
    expireIfDue();
    m_state = LockoutState{};
    m_monoUntil = 0;
    save();
}

void PinLockout::save() const {
    auto written = writeLockoutState(m_file, m_state);
    if (!written) {
        m_storageProblem = written.error();
        log::error("staff", "cannot persist the PIN lockout state", {{"error", written.error()}});
    } else {
        m_storageProblem.clear();
    }
}

}  // namespace touchpoint::kiosk::staff
