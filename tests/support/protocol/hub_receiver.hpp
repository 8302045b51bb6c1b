#pragma once
// A small in-process HTTPS server that speaks the hub's /v1/batch protocol: it checks the bearer token,
// gunzips and parses the batch, deduplicates messageIds in memory and answers real receipts. It serves the
// drain bench (`touchpoint-bench drain`) and the uploader's fault tests, which script what each request
// gets: status codes with Retry-After, a captive portal's HTML 200, truncated or dropped answers, a server
// that never answers or trickles, a revoked token, per-message rejections and a poison message.
//
// Not the hub: no storage, no sealing, no profiles. Loopback only.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/clock.hpp"
#include "common/result.hpp"
#include "common/tls_cert.hpp"

namespace touchpoint::protocol {

/// What the receiver does with one /v1/batch request.
struct Fault {
    enum class Kind {
        None,            ///< behave: parse, dedupe, answer receipts
        Status,          ///< answer `status` with `{"error":...}` and Retry-After if set; nothing recorded
        Html200,         ///< a captive portal: 200 text/html; nothing recorded
        Truncated,       ///< record the batch, answer 200 with the receipt cut in half (Content-Length matches)
        ResetMidBody,    ///< send headers and half the receipt, then close the connection; nothing recorded
        NeverAnswer,     ///< read the request and hang until the client gives up (or the receiver stops)
        SlowTrickle,     ///< record the batch, then send the receipt one byte per `trickleInterval`
        RecordThenDrop,  ///< record the batch, then close the connection without a body
        RecordThenHang,  ///< record the batch, then hang (a hub that committed, then the kiosk died)
    };
    Kind kind = Kind::None;
    int status = 0;                     ///< Status
    std::string retryAfter;             ///< Status: Retry-After header value ("2", or an HTTP-date)
    std::string error = "scripted failure";
    std::chrono::milliseconds trickleInterval{1000};

    static Fault ok() { return {}; }
    static Fault withStatus(int status, std::string retryAfter = {}) {
        Fault f;
        f.kind = Kind::Status;
        f.status = status;
        f.retryAfter = std::move(retryAfter);
        return f;
    }
    static Fault of(Kind kind) {
        Fault f;
        f.kind = kind;
        return f;
    }
};

struct HubReceiverOptions {
    tls::Pem serverCertificate;              ///< certificate + key the server presents
    std::optional<std::string> clientCaPem;  ///< when set, clients must present a certificate signed by it
    std::string token = "kiosk-token";       ///< the one accepted bearer token
    int port = 0;                            ///< 0: an ephemeral port on 127.0.0.1
    int threads = 8;                         ///< hanging faults hold a thread each
    /// Added to this host's clock for the Date header and serverTime (a hub whose clock differs).
    std::int64_t clockOffsetMs = 0;
    const Clock* clock = nullptr;            ///< nullptr: SystemClock
};

/// What the receiver has seen, for assertions.
struct HubReceiverStats {
    std::int64_t requests = 0;          ///< /v1/batch requests that reached a handler
    std::int64_t batchesRecorded = 0;   ///< batches whose messages went into the dedupe map
    std::int64_t accepted = 0;
    std::int64_t duplicates = 0;
    std::int64_t rejected = 0;
    std::int64_t bodyBytes = 0;         ///< request bodies as received (compressed when gzip)
    std::int64_t gzipRequests = 0;
    std::unordered_map<std::string, int> acceptCount;
    std::int64_t configRequests = 0;     ///< GET /v1/kiosk/config requests with the right token
    std::int64_t configNotModified = 0;  ///< of those, answered 304
    std::string lastIfNoneMatch;         ///< the If-None-Match of the last config request ("" when absent)
    std::string lastBatch;              ///< the last batch body that was recorded (inflated JSON)  ///< messageId -> times answered "accepted" (must be 1)
};

class HubReceiver {
public:
    /// Binds 127.0.0.1 and serves on a background thread; returns once the server accepts connections.
    static Result<std::unique_ptr<HubReceiver>, std::string> start(HubReceiverOptions options);
    ~HubReceiver();
    HubReceiver(const HubReceiver&) = delete;
    HubReceiver& operator=(const HubReceiver&) = delete;

    int port() const;
    std::string url() const;  ///< "https://127.0.0.1:<port>"

    /// Faults applied to the next requests, one each, in order; afterwards `defaultFault` applies.
    void pushFault(const Fault& fault, int times = 1);
    void setDefaultFault(const Fault& fault);
    /// Receipts for this message say rejected with `reason` (the rest of its batch is accepted).
    void rejectMessage(const std::string& messageId, const std::string& reason);
    /// While a batch contains this message, the whole batch is answered `status` (a poison message).
    void poisonMessage(const std::string& messageId, int status = 400);
    /// GET /v1/kiosk/config answers `body` as is (200, ETag `etag`), or 304 when If-None-Match equals `etag`.
    /// Before the first call it answers 404 {"error":"no_config"}; `status` other than 200 answers that
    /// status with `body` (a failing hub).
    void setKioskConfig(std::string body, std::string etag, int status = 200);
    /// Every request from now on gets 401 {"error":"token revoked"}.
    void revokeToken(bool revoked = true);

    HubReceiverStats stats() const;
    /// Blocks until pred(stats) holds or the timeout passes; returns whether it held.
    bool waitUntil(const std::function<bool(const HubReceiverStats&)>& pred, std::chrono::milliseconds timeout) const;

    /// Stops serving and releases hanging handlers. Idempotent; the destructor calls it.
    void stop();

private:
    struct Impl;
    explicit HubReceiver(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace touchpoint::protocol
