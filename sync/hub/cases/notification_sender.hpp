#pragma once
// The hub's background worker for cases: delivers queued notifications (at least once: claim with a lease,
// send, record; failures back off with full jitter; after max_attempts a dead letter until replayed) and runs
// the contact retention pass. Several hub processes may run one each on the same store: a notification is
// claimed by one of them at a time, and the retention pass is idempotent.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "hub/config/cases_config.hpp"
#include "hub/store/case_store.hpp"

namespace touchpoint::hub {

/// Sends one notification to its target. Implementations are used from the sender's thread only.
class NotificationTransport {
  public:
    virtual ~NotificationTransport() = default;
    /// Success, or why not in words without personal data ("HTTP 500", "timed out").
    virtual Result<void, std::string> send(const QueuedNotification& n) = 0;
    /// A transfer in flight aborts soon after `*flag` becomes true (the hub stopping); the flag outlives it.
    virtual void setAbortFlag(const std::atomic<bool>* flag) { (void)flag; }
};

/// Webhooks (HTTPS, HMAC-SHA256 signature) and e-mail (SMTP through libcurl) as configured. Fails when a
/// secret or password file cannot be read.
Result<std::unique_ptr<NotificationTransport>, std::string> makeNotificationTransport(
    const NotificationsConfig& config);

/// HMAC-SHA256 of `body` under `secret`, lower-case hex: the X-Touchpoint-Signature header's value after
/// "sha256=".
std::string hmacSha256Hex(const std::string& secret, const std::string& body);

/// What this process delivered, for /metrics.
struct NotificationCounters {
    std::atomic<std::int64_t> delivered{0}, failedAttempts{0}, deadLettered{0}, contactsErased{0};
    std::string render() const;
};

struct NotificationSenderOptions {
    std::int64_t maxAttempts = 10;
    std::int64_t baseDelayMs = 2'000;
    std::int64_t maxDelayMs = 600'000;
    std::int64_t leaseMs = 60'000;  ///< longer than one attempt can take
    std::int64_t pollMs = 1'000;    ///< how often the queue is looked at
    std::int64_t retentionMs = 65LL * 86'400'000;
    std::int64_t retentionEveryMs = 3'600'000;
    std::size_t batch = 16;
};

NotificationSenderOptions senderOptionsFrom(const CasesConfig& cases,
                                            const NotificationsConfig& notifications);

class NotificationSender {
  public:
    /// `transport` may be null (no recipients configured): then only the retention pass runs. `store`,
    /// `clock` and `counters` outlive the sender.
    NotificationSender(CaseStore& store, std::unique_ptr<NotificationTransport> transport,
                       NotificationSenderOptions options, const Clock& clock, NotificationCounters& counters);
    ~NotificationSender();
    NotificationSender(const NotificationSender&) = delete;
    NotificationSender& operator=(const NotificationSender&) = delete;

    void start();
    /// Stops after the attempt in flight (bounded by the transport's timeout). Idempotent.
    void stop();
    /// One round now, on the caller's thread: the retention pass if due, then every due notification.
    /// Returns how many were attempted. (The thread calls this; so can a command or a test.)
    std::int64_t runOnce();

  private:
    void loop();
    std::int64_t retryDelayMs(std::int64_t attempts);

    CaseStore& m_store;
    std::unique_ptr<NotificationTransport> m_transport;
    NotificationSenderOptions m_options;
    const Clock& m_clock;
    NotificationCounters& m_counters;
    std::string m_claim;  ///< this process's claims
    std::int64_t m_nextRetentionMs = 0;

    std::mutex m_mutex;
    std::condition_variable m_cv;
    bool m_stopping = false;
    std::atomic<bool> m_abort{false};  ///< cuts a stalled transfer short when stopping
    std::thread m_thread;
};

}  // namespace touchpoint::hub
