#pragma once
// What the hub API suites share: an EphemeralHub on the backend this executable was built for (SQLite or
// PostgreSQL), an HTTPS client that verifies the hub's certificate, and kiosk/web message builders.

#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "event/kiosk_events.hpp"
#include "hub/ephemeral_hub.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub::testing {

/// "" for SQLite in the hub's temp dir, or a fresh PostgreSQL database's URL (backend_*.cpp).
std::string backendStoreUrl();
/// The suite's backend (a fresh PostgreSQL database, or `dir`/hub.db) made by today's hub, in `url`: where a
/// schema step test puts the database back to the step before. Fatal failures stop the calling test (check
/// with ASSERT_NO_FATAL_FAILURE).
void makeStoreOfThisBuild(const touchpoint::testing::TempDir& dir, std::string& url);
/// Makes the store's writes fail from outside, as a full disk or a lost database would (the events table is
/// renamed away), and puts it back (backend_*.cpp).
void breakStoreWrites(EphemeralHub& hub);
void restoreStoreWrites(EphemeralHub& hub);
/// Makes every new audit row fail to insert (a trigger refuses it) while the rest of the store works, and
/// lets them in again (backend_*.cpp).
void refuseAuditRows(EphemeralHub& hub);
void allowAuditRows(EphemeralHub& hub);

struct Reply {
    Reply(int code = 0, std::string text = {}, std::string retryAfterHeader = {})
        : status(code), body(std::move(text)), retryAfter(std::move(retryAfterHeader)) {}
    int status = 0;
    std::string body;
    std::string retryAfter;  ///< the Retry-After header ("" when absent)
    nlohmann::json json() const { return nlohmann::json::parse(body, nullptr, false); }
};

class HubApiTest : public ::testing::Test {
protected:
    void SetUp() override;
    void TearDown() override { m_hub.reset(); }

    EphemeralHub& hub() { return *m_hub; }
    std::unique_ptr<EphemeralHub> startAnotherHub(const std::string& sameStoreUrl);

    Reply post(const std::string& path, const std::string& body, const std::string& token, bool gzip = false,
               int port = 0, const std::string& contentType = "application/json");
    Reply get(const std::string& path, const std::string& token, bool basic = false);
    Reply del(const std::string& path, const std::string& token);
    /// Posts {"batch": messages} and returns the receipt statuses in order. Each message goes with the token
    /// its sender would hold: its store and kiosk's kiosk token, else the web / app / server write key.
    std::vector<std::string> send(const nlohmann::json& messages);
    /// The token send() uses for a message.
    std::string senderToken(const nlohmann::json& message);

    /// A kiosk's event factory sealing to this hub's key, on `clock`.
    event::KioskEventFactory kiosk(const std::string& store, const std::string& kioskId, const Clock& clock);
    static nlohmann::json wire(const event::Message& m) { return event::toJson(m); }
    /// A Segment web SDK message (plaintext traits), channel web.
    static nlohmann::json webIdentify(const std::string& id, std::int64_t atMs, const std::string& anonymousId,
                                      const std::string& userId, const nlohmann::json& traits);

    std::unique_ptr<EphemeralHub> m_hub;
    // Kiosks' clock: three weeks behind the hub's (the system clock), so that what a test captures, even after
    // advancing this clock by days, lies inside the hub's earn window whatever the date the test runs on; and at
    // 01:00 UTC of that day, so that a test's hours of check-ins stay in one UTC day whatever the time it runs at.
    static constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
    ManualClock m_clock{(SystemClock::instance().utcMs() - 21 * kDayMs) / kDayMs * kDayMs + 3600 * 1000};
};

std::string gzipText(const std::string& text);

/// A keep-alive HTTPS client of `hub` with its ingest token: one per sender thread.
std::unique_ptr<httplib::SSLClient> ingestClient(const EphemeralHub& hub);
/// Receipts of one batch posted with `client`: counts of each status, or nothing when the answer was not a 200.
struct ReceiptCounts {
    int accepted = 0;
    int duplicate = 0;
    int rejected = 0;
};
std::optional<ReceiptCounts> postBatch(httplib::SSLClient& client, const nlohmann::json& messages);

}  // namespace touchpoint::hub::testing
