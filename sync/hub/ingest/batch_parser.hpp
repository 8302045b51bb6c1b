#pragma once
// Turns an ingest request body into validated messages, one verdict per message. A pure function of its
// inputs (no server, no store), so the fuzz target drives it directly. One bad message never fails the
// rest: each gets a precise reason; only a body that is not JSON at all, or has no `batch` array, is a 400.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "event/message.hpp"
#include "event/sealing.hpp"
#include "hub/ingest/personal_text.hpp"  // maskPersonalText, for the store and stats that include this

namespace touchpoint::hub {

/// Deepest nesting allowed inside one message (the message object itself is depth 1).
inline constexpr int kMaxMessageDepth = 16;
inline constexpr std::size_t kMaxIdLength = 256;
/// A track call's `event` name, in bytes.
inline constexpr std::size_t kMaxEventLength = 200;
inline constexpr std::size_t kMaxMessagesPerBatch = 10'000;

/// A message that passed validation, with its sealed fields opened and its time corrected.
struct IngestMessage {
    std::string type;          ///< track | identify | alias | page | screen | group
    std::string messageId;
    std::string event;         ///< track name; "Page Viewed" / "Screen Viewed" / "Group Joined" for the others
    std::string userId;
    std::string anonymousId;
    std::string previousId;    ///< alias
    std::string groupId;       ///< group
    /// What the message says it came from (channelOf in batch_parser.cpp): in_store_kiosk | web | app | server |
    /// the kiosk-style `context.channel` text. The ingest route may narrow it to what the source's key allows.
    std::string channel;
    bool channelStated = false;  ///< the message said or showed its channel (false: "web" by default)
    std::string library;       ///< context.library as "name/version" (which SDK sent it), or ""
    std::string storeId;
    std::string kioskId;
    std::string appVersion;
    std::string sourceKind;    ///< the sending token's kind (kiosk | web | app | server), set by applyTokenClaims
    std::string sourceName;    ///< the sending token's name, set by applyTokenClaims (merge and conflict records)
    std::int64_t timestampMs = 0;   ///< as captured by the sender's clock
    std::int64_t correctedMs = 0;   ///< receivedAt − (sentAt − timestamp), or timestamp without a sentAt
    std::optional<std::int64_t> clockOffsetMs;  ///< sender clock minus hub clock, when sentAt was given
    std::int64_t receivedMs = 0;
    nlohmann::json properties = nlohmann::json::object();  ///< plaintext after unsealing
    nlohmann::json traits = nlohmann::json::object();      ///< the person's: with context.traits merged in
    nlohmann::json groupTraits = nlohmann::json::object(); ///< a group call's `traits` (the account's, not the person's)
    std::string payloadText;  ///< the whole message as stored: unsealed, no `sealed` member, hub times added
};

struct MessageVerdict {
    std::string messageId;  ///< as sent, or "" when it had none
    std::optional<IngestMessage> message;  ///< set when valid
    std::string reason;     ///< why it was rejected, when not valid
    nlohmann::json rejected;  ///< the rejected message as parsed (for the Sources page), null when valid
};

struct BatchError {
    int status = 400;
    std::string message;
};

struct ParseOptions {
    /// `POST /v1/batch` takes {"batch":[...]}; `/v1/track` etc. take one message whose type is the path's (a body
    /// without `type` takes it; one with another type is rejected).
    std::optional<std::string> singleType;
    std::int64_t receivedAtMs = 0;
    const event::Unsealer* unsealer = nullptr;  ///< without one, any sealed field is rejected
};

struct ParsedBatch {
    std::vector<MessageVerdict> verdicts;
};

/// Never throws for any input.
Result<ParsedBatch, BatchError> parseBatch(std::string_view body, const ParseOptions& options);

}  // namespace touchpoint::hub
