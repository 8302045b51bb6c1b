#pragma once
// What one answer from the hub means (deliver, retry, split, or stop in a named state) and the bisection
// that isolates poison messages when the hub refuses a whole batch with a 4xx. Pure functions, unit-tested
// without a network.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "protocol/wire.hpp"
#include "uploader/backoff.hpp"
#include "uploader/https_client.hpp"

namespace touchpoint::uploader {

enum class Verdict {
    Delivered,      ///< a valid receipt for exactly the messages sent
    Retry,          ///< network error, timeout, 408, 429, 5xx, or a 200 that is not a valid receipt
    Split,          ///< another 4xx for the whole batch: bisect to find the poison message(s)
    AuthError,      ///< 401 / 403: the token is wrong, revoked or lacks the scope
    TlsError,       ///< certificate not trusted, expired, or the handshake failed
    ClockWrong,     ///< the certificate is "not yet valid": this device's clock is behind
    Misconfigured,  ///< 404 / 405 / 501 / 505: this URL is not a hub; never dead-letter for it
    Aborted,        ///< stop() cut the transfer short
};
std::string_view toString(Verdict verdict);

struct Classification {
    Verdict verdict = Verdict::Retry;
    int httpStatus = 0;                 ///< 0 when no HTTP answer arrived
    /// False when the request never left: the hub could not be reached (connection refused, no route, DNS)
    /// or the TLS handshake failed. Such a failure says nothing about the messages, so no attempt is
    /// recorded on their rows (rewriting a whole batch's rows on every retry against a dead hub made the
    /// UI's enqueue wait for the write lock).
    bool requestSent = true;
    std::string causeCode;              ///< stable: "timeout", "http_503", "captive_portal", "tls_untrusted", ...
    std::string cause;                  ///< plain words for the screen and the CLI
    std::optional<Millis> retryAfter;   ///< the server's Retry-After, capped at 24 h
    protocol::ReceiptSet receipts;      ///< Delivered only
    std::optional<std::int64_t> serverDateMs;  ///< the Date header, when there was an answer
};

/// Maps one POST /v1/batch result to a verdict. `sentIds` are the messageIds in the body, in order.
Classification classifyResponse(const HttpResult& result, const std::vector<std::string>& sentIds, std::int64_t nowMs);

/// Sends [begin, end) of a batch; the callee applies receipts itself when the verdict is Delivered.
using SendRange = std::function<Classification(std::size_t begin, std::size_t end)>;
/// Dead-letters the message at `index` (a batch of one still refused with a 4xx). False on a local error,
/// which stops the delivery (the message stays pending).
using PoisonOne = std::function<bool(std::size_t index, const Classification& why)>;

struct SplitOutcome {
    Classification last;          ///< Delivered when everything was delivered or isolated, else the failure
    std::size_t requests = 0;     ///< HTTP requests made
    std::size_t poisoned = 0;     ///< messages dead-lettered
};

/// Sends `count` messages as one batch; on a Split verdict bisects recursively (front half first, keeping
/// order) until the refused messages are alone, dead-letters only those, and stops at the first failure
/// that is not a Split (what was delivered stays delivered; the rest stays pending).
SplitOutcome deliverSplitting(std::size_t count, const SendRange& send, const PoisonOne& poison);

}  // namespace touchpoint::uploader
