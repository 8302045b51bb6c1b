#pragma once
// The /v1/batch wire format from docs/PROTOCOL.md, shared by the kiosk's uploader and the test receiver:
// batch encoding (outbox payloads spliced in as they are), strict receipt parsing, the receipt encoder for
// servers, Retry-After and HTTP-date parsing.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace touchpoint::protocol {

inline constexpr std::string_view kBatchPath = "/v1/batch";

// ---- batch ----

/// Appends `{"batch":[p1,p2,...],"sentAt":"..."}` to `out`. Payloads are the outbox's message JSON objects
/// and are spliced in without re-parsing; only a payload that already carries its own "sentAt" (which would
/// shadow the batch's) is parsed and rewritten without it. Call checkPayload() on each first.
void encodeBatch(const std::vector<std::string_view>& payloads, std::int64_t sentAtMs, std::string& out);
/// Cheap structural check that a payload can be spliced: a JSON object (first and last non-space characters
/// are braces). A payload that fails is poison and never goes on the wire.
bool checkPayload(std::string_view payload);

// ---- receipts ----

enum class ReceiptStatus { Accepted, Duplicate, Rejected };
std::string_view toString(ReceiptStatus status);

struct MessageReceipt {
    std::string messageId;
    ReceiptStatus status = ReceiptStatus::Accepted;
    std::string reason;  ///< Rejected only
};

struct ReceiptSet {
    std::vector<MessageReceipt> receipts;  ///< in the order of the ids that were sent
    std::optional<std::int64_t> serverTimeMs;
};

enum class ReceiptErrc {
    NotJson,       ///< not JSON at all: an HTML captive portal, a proxy's error page
    Truncated,     ///< JSON that ends early
    WrongShape,    ///< JSON, but not {"receipts":[...]} with valid entries
    MissingIds,    ///< fewer receipts than messages sent
    UnknownIds,    ///< a receipt for a message not in the batch, or two receipts for one message
};
std::string_view toString(ReceiptErrc code);

struct ReceiptError {
    ReceiptErrc code = ReceiptErrc::WrongShape;
    std::string message;
    bool looksLikeCaptivePortal = false;  ///< an HTML body
};

/// A 200 counts as success only through this: the body must be the receipt object with exactly one receipt
/// for each id in `sentIds` and no other.
Result<ReceiptSet, ReceiptError> parseReceipts(std::string_view body, const std::vector<std::string>& sentIds,
                                               std::string_view contentType = {});

/// The server side: `{"receipts":[...],"serverTime":"..."}`.
std::string encodeReceipts(const std::vector<MessageReceipt>& receipts, std::int64_t serverTimeMs);
/// Appends `text` as a JSON string literal (quotes and escapes).
void appendJsonString(std::string& out, std::string_view text);
/// `{"error":"..."}` with proper escaping.
std::string encodeError(std::string_view message);

// ---- headers ----

/// Retry-After as delta-seconds ("120") or an HTTP-date, as a delay from nowUtcMs (never negative).
/// nullopt for anything else.
std::optional<std::chrono::milliseconds> parseRetryAfter(std::string_view value, std::int64_t nowUtcMs);
/// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), and the obsolete RFC 850 and asctime forms.
std::optional<std::int64_t> parseHttpDate(std::string_view value);
/// IMF-fixdate for a Date header.
std::string formatHttpDate(std::int64_t utcMs);

}  // namespace touchpoint::protocol
