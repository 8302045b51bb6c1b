#include "hub/cases/notification_sender.hpp"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <cstring>
#include <fstream>
#include <map>
#include <random>

#include "common/log.hpp"
#include "common/uuid.hpp"
#include "hub/cases/notification_text.hpp"
#include "uploader/https_client.hpp"

namespace touchpoint::hub {

namespace {

Result<std::string, std::string> firstLine(const std::string& file, const char* what) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Fail(std::string(what) + " " + file + ": cannot open");
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) return Fail(std::string(what) + " " + file + ": empty");
    return line;
}

struct Webhook {
    WebhookTarget target;
    std::string secret;
    std::string path;                               ///< after the host: "/hooks/abc?x=1"
    std::unique_ptr<uploader::HttpsClient> client;  ///< one per target: keep-alive to that receiver
};

/// E-mail through the configured relay with libcurl's SMTP: peer and host verified when TLS is used,
/// connect and total timeouts, no signals.
class SmtpSender {
  public:
    SmtpSender(SmtpRelay relay, std::string password, std::string caFile, std::int64_t timeoutMs)
        : m_relay(std::move(relay)),
          m_password(std::move(password)),
          m_caFile(std::move(caFile)),
          m_timeoutMs(timeoutMs) {}

    Result<void, std::string> send(const std::string& message) {
        CURL* curl = curl_easy_init();
        if (!curl) return Fail(std::string("curl_easy_init failed"));
        struct Cleanup {
            CURL* c;
            curl_slist* rcpt = nullptr;
            ~Cleanup() {
                curl_slist_free_all(rcpt);
                curl_easy_cleanup(c);
            }
        } cleanup{curl};
        for (const auto& to : m_relay.to)
            cleanup.rcpt = curl_slist_append(cleanup.rcpt, ("<" + to + ">").c_str());
        struct Reader {
            const std::string* text;
            std::size_t at = 0;
        } reader{&message};
        const std::string from = "<" + m_relay.from + ">";
        curl_easy_setopt(curl, CURLOPT_URL, m_relay.url.c_str());
        curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
        curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, cleanup.rcpt);
        curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(
            curl, CURLOPT_READFUNCTION, +[](char* buf, size_t size, size_t n, void* user) -> size_t {
                auto* r = static_cast<Reader*>(user);
                const std::size_t take = std::min(size * n, r->text->size() - r->at);
                std::memcpy(buf, r->text->data() + r->at, take);
                r->at += take;
                return take;
            });
        curl_easy_setopt(curl, CURLOPT_READDATA, &reader);
        if (m_relay.url.rfind("smtp://", 0) == 0 && m_relay.starttls)
            curl_easy_setopt(curl, CURLOPT_USE_SSL, CURLUSESSL_ALL);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
        curl_easy_setopt(curl, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
        if (!m_caFile.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, m_caFile.c_str());
        if (!m_relay.user.empty()) {
            curl_easy_setopt(curl, CURLOPT_USERNAME, m_relay.user.c_str());
            curl_easy_setopt(curl, CURLOPT_PASSWORD, m_password.c_str());
        }
        curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                         static_cast<long>(std::min<std::int64_t>(m_timeoutMs, 10'000)));
        curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(m_timeoutMs));
        if (m_abort) {
            curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
            curl_easy_setopt(curl, CURLOPT_XFERINFODATA, static_cast<const void*>(m_abort));
            curl_easy_setopt(
                curl, CURLOPT_XFERINFOFUNCTION,
                +[](void* flag, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> int {
                    return static_cast<const std::atomic<bool>*>(flag)->load() ? 1 : 0;
                });
        }
        const CURLcode code = curl_easy_perform(curl);
        if (code != CURLE_OK) return Fail(std::string("smtp: ") + curl_easy_strerror(code));
        return {};
    }

    const SmtpRelay& relay() const { return m_relay; }
    void setAbortFlag(const std::atomic<bool>* flag) { m_abort = flag; }

  private:
    const std::atomic<bool>* m_abort = nullptr;
    SmtpRelay m_relay;
    std::string m_password;
    std::string m_caFile;
    std::int64_t m_timeoutMs;
};

class CurlTransport final : public NotificationTransport {
  public:
    CurlTransport(std::map<std::string, Webhook> hooks, std::unique_ptr<SmtpSender> smtp,
                  std::int64_t timeoutMs, const Clock& clock)
        : m_hooks(std::move(hooks)), m_smtp(std::move(smtp)), m_timeoutMs(timeoutMs), m_clock(clock) {}

    Result<void, std::string> send(const QueuedNotification& n) override {
        if (n.target == "smtp") {
            if (!m_smtp) return Fail(std::string("no SMTP relay is configured"));
            return m_smtp->send(emailMessage(n.payload, m_smtp->relay().from, m_smtp->relay().to,
                                             n.refId + "." + std::to_string(n.seq), m_clock.utcMs()));
        }
        const std::string name = n.target.rfind("webhook:", 0) == 0 ? n.target.substr(8) : "";
        auto it = m_hooks.find(name);
        if (it == m_hooks.end()) return Fail("no webhook named \"" + name + "\" is configured");
        Webhook& w = it->second;
        const std::string body = webhookBody(n.payload, w.target.slack);
        const std::vector<std::string> headers{
            "Content-Type: application/json",
            "X-Touchpoint-Signature: sha256=" + hmacSha256Hex(w.secret, body),
            "X-Touchpoint-Delivery: " + std::to_string(n.seq),
            "X-Touchpoint-Attempt: " + std::to_string(n.attempts),
        };
        auto r = w.client->post(w.path, body, headers, "", std::chrono::milliseconds(m_timeoutMs));
        if (!r) return Fail(std::string(uploader::toString(r.error().kind)));
        if (r->status < 200 || r->status > 299) return Fail("HTTP " + std::to_string(r->status));
        return {};
    }

    void setAbortFlag(const std::atomic<bool>* flag) override {
        for (auto& [name, w] : m_hooks) w.client->setAbortFlag(flag);
        if (m_smtp) m_smtp->setAbortFlag(flag);
    }

  private:
    uploader::CurlGlobal m_curl;  ///< first in, last out
    std::map<std::string, Webhook> m_hooks;
    std::unique_ptr<SmtpSender> m_smtp;
    std::int64_t m_timeoutMs;
    const Clock& m_clock;
};

}  // namespace

std::string hmacSha256Hex(const std::string& secret, const std::string& body) {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
    std::string out(std::size_t{len} * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), mac, len);
    out.pop_back();  // the terminating NUL
    return out;
}

Result<std::unique_ptr<NotificationTransport>, std::string> makeNotificationTransport(
    const NotificationsConfig& config) {
    std::map<std::string, Webhook> hooks;
    for (const auto& t : config.webhooks) {
        auto secret = firstLine(t.secretFile, "webhook secret file");
        if (!secret) return Fail(secret.error());
        const auto hostEnd = t.url.find('/', std::string("https://").size());
        Webhook w;
        w.target = t;
        w.secret = *secret;
        w.path = hostEnd == std::string::npos ? "/" : t.url.substr(hostEnd);
        uploader::HttpsClientOptions o;
        o.baseUrl = hostEnd == std::string::npos ? t.url : t.url.substr(0, hostEnd);
        o.caFile = config.caFile;
        o.proxy = "none";
        o.totalTimeout = std::chrono::milliseconds(config.timeoutMs);
        o.connectTimeout = std::chrono::milliseconds(std::min<std::int64_t>(config.timeoutMs, 10'000));
        o.maxResponseBytes = 64 * 1024;
        o.userAgent = "touchpoint-hub";
        try {
            w.client = std::make_unique<uploader::HttpsClient>(o);
        } catch (const std::exception& e) {
            return Fail("webhook " + t.name + ": " + e.what());
        }
        hooks.emplace(t.name, std::move(w));
    }
    std::unique_ptr<SmtpSender> smtp;
    if (config.smtp) {
        std::string password;
        if (!config.smtp->passwordFile.empty()) {
            auto p = firstLine(config.smtp->passwordFile, "SMTP password file");
            if (!p) return Fail(p.error());
            password = *p;
        }
        smtp = std::make_unique<SmtpSender>(*config.smtp, password, config.caFile, config.timeoutMs);
    }
    if (hooks.empty() && !smtp) return std::unique_ptr<NotificationTransport>{};
    return std::unique_ptr<NotificationTransport>(std::make_unique<CurlTransport>(
        std::move(hooks), std::move(smtp), config.timeoutMs, SystemClock::instance()));
}

std::string NotificationCounters::render() const {
    std::string out;
    auto counter = [&](const char* name, const char* help, std::int64_t v) {
        out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " counter\n" + name + " " +
               std::to_string(v) + "\n";
    };
    counter("touchpoint_notifications_delivered_total", "Notifications this process delivered.",
            delivered.load());
    counter("touchpoint_notification_failed_attempts_total",
            "Delivery attempts that failed (retried or dead).", failedAttempts.load());
    counter("touchpoint_notifications_dead_total", "Notifications this process gave up on (dead letters).",
            deadLettered.load());
    counter("touchpoint_case_contacts_erased_total", "Contacts the retention pass of this process erased.",
            contactsErased.load());
    return out;
}

NotificationSenderOptions senderOptionsFrom(const CasesConfig& cases, const NotificationsConfig& n) {
    NotificationSenderOptions o;
    o.maxAttempts = n.maxAttempts;
    o.baseDelayMs = n.baseDelayMs;
    o.maxDelayMs = n.maxDelayMs;
    o.leaseMs = 2 * n.timeoutMs + 30'000;
    o.retentionMs = cases.contactRetentionDays * 86'400'000;
    return o;
}

NotificationSender::NotificationSender(CaseStore& store, std::unique_ptr<NotificationTransport> transport,
                                       NotificationSenderOptions options, const Clock& clock,
                                       NotificationCounters& counters)
    : m_store(store),
      m_transport(std::move(transport)),
      m_options(options),
      m_clock(clock),
      m_counters(counters),
      m_claim(newUuidV4()) {
    if (m_transport) m_transport->setAbortFlag(&m_abort);
}

NotificationSender::~NotificationSender() {
    stop();
}

void NotificationSender::start() {
    std::lock_guard lock(m_mutex);
    if (m_thread.joinable() || m_stopping) return;
    m_thread = std::thread([this] { loop(); });
}

void NotificationSender::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_abort = true;
    m_cv.notify_all();
    if (m_thread.joinable()) m_thread.join();
}

std::int64_t NotificationSender::retryDelayMs(std::int64_t attempts) {
    // Exponential ceiling with full jitter above a floor of half the base delay: hubs that failed together
    // spread out, and a failing receiver is never asked again at once.
    static thread_local std::mt19937_64 random{std::random_device{}()};
    const int shift = static_cast<int>(std::min<std::int64_t>(std::max<std::int64_t>(attempts - 1, 0), 30));
    const double ceiling =
        std::min(static_cast<double>(m_options.maxDelayMs),
                 static_cast<double>(m_options.baseDelayMs) * static_cast<double>(1LL << shift));
    const double floor = static_cast<double>(m_options.baseDelayMs) / 2;
    return static_cast<std::int64_t>(
        std::uniform_real_distribution<double>(floor, std::max(floor, ceiling))(random));
}

std::int64_t NotificationSender::runOnce() {
    std::int64_t now = m_clock.utcMs();
    if (now >= m_nextRetentionMs) {
        if (auto erased = m_store.eraseExpiredContacts(now, m_options.retentionMs)) {
            m_counters.contactsErased += *erased;
            if (*erased > 0)
                log::info("cases", "contacts erased by retention", {{"count", std::to_string(*erased)}});
            m_nextRetentionMs = now + m_options.retentionEveryMs;
        } else {
            log::warn("cases", "retention pass failed", {{"error", erased.error().message}});
        }
    }
    if (!m_transport) return 0;
    std::int64_t attempted = 0;
    for (;;) {
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping) break;
        }
        now = m_clock.utcMs();
        auto claimed = m_store.claimNotifications(now, m_options.leaseMs, m_claim, m_options.batch);
        if (!claimed) {
            log::warn("cases", "notification queue unavailable", {{"error", claimed.error().message}});
            break;
        }
        if (claimed->empty()) break;
        for (const auto& n : *claimed) {
            DeliveryOutcome o;
            if (m_abort) {
                // Stopping: hand the rest back, due at once for whichever process runs next.
                o.error = "hub stopping";
                o.handedBack = true;
                o.nextAttemptAtMs = m_clock.utcMs();
                (void)m_store.finishNotification(n.seq, m_claim, o, m_clock.utcMs());
                continue;
            }
            ++attempted;
            auto sent = m_transport->send(n);
            o.delivered = sent.ok();
            if (m_abort && !sent) {
                o.error = "hub stopping";
                o.handedBack = true;
                o.nextAttemptAtMs = m_clock.utcMs();
            } else if (!sent) {
                o.error = sent.error();
                o.dead = n.attempts >= m_options.maxAttempts;
                o.nextAttemptAtMs = m_clock.utcMs() + retryDelayMs(n.attempts);
                ++m_counters.failedAttempts;
                if (o.dead) ++m_counters.deadLettered;
                log::warn("cases", o.dead ? "notification dead-lettered" : "notification failed, will retry",
                          {{"seq", std::to_string(n.seq)},
                           {"target", n.target},
                           {"attempt", std::to_string(n.attempts)},
                           {"error", o.error}});
            } else {
                ++m_counters.delivered;
            }
            // A lost claim (this attempt outlived its lease) leaves the row to whoever holds it now.
            if (auto f = m_store.finishNotification(n.seq, m_claim, o, m_clock.utcMs()); !f) {
                log::warn("cases", "could not record a delivery", {{"error", f.error().message}});
            }
        }
    }
    return attempted;
}

void NotificationSender::loop() {
    std::unique_lock lock(m_mutex);
    while (!m_stopping) {
        lock.unlock();
        runOnce();
        lock.lock();
        m_cv.wait_for(lock, std::chrono::milliseconds(m_options.pollMs), [this] { return m_stopping; });
    }
}

}  // namespace touchpoint::hub
