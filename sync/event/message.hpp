#pragma once
// The event model: Segment-spec messages (identify / track / alias) so that ordinary analytics SDKs and
// our kiosks speak the same language to the hub. See docs/PROTOCOL.md for the wire form.

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace touchpoint::event {

/// A message above this size (serialised JSON, bytes) is refused at capture and at the hub.
inline constexpr std::size_t kMaxMessageBytes = 32 * 1024;
/// The hub refuses a batch body above this (before compression) with 413.
inline constexpr std::size_t kMaxBatchBytes = 500 * 1024;

enum class MessageType { Identify, Track, Alias };
std::string_view toString(MessageType type);
std::optional<MessageType> messageTypeFromString(std::string_view text);

/// What a kiosk event is about; drives priority and eviction. Not sent on the wire as such (the hub reads
/// the Segment event name), but stored beside each outbox row.
enum class EventKind { Signin, Consent, Feedback, FeedbackAbandoned, StaffLookup, Heartbeat, Other };
std::string_view toString(EventKind kind);
std::optional<EventKind> eventKindFromString(std::string_view text);

/// Lower is evicted first when the outbox is over its byte budget. Protected rows are never evicted:
/// enqueueing one into a full outbox fails loudly instead.
enum class Priority : int { Heartbeat = 0, AbandonedFeedback = 1, Feedback = 2, Protected = 3 };
Priority defaultPriority(EventKind kind);

/// Segment track event names used by kiosks.
namespace names {
inline constexpr std::string_view kSignin = "Loyalty Signed In";
inline constexpr std::string_view kConsent = "Consent Given";
/// The purpose of a `Consent Given` that lets the retailer contact the shopper about one feedback answer.
inline constexpr std::string_view kPurposeFeedbackContact = "feedback_contact";
inline constexpr std::string_view kFeedback = "Feedback Submitted";
inline constexpr std::string_view kFeedbackAbandoned = "Feedback Abandoned";
inline constexpr std::string_view kStaffLookup = "Staff Lookup";
inline constexpr std::string_view kHeartbeat = "Kiosk Heartbeat";
}  // namespace names

inline constexpr std::string_view kKioskChannel = "in_store_kiosk";

struct MessageContext {
    std::string channel{kKioskChannel};
    std::string storeId;
    std::string kioskId;
    std::string sessionId;       ///< one shopper's visit to the kiosk, reset at every attract screen
    std::int64_t sequence = 0;   ///< per device, assigned by the outbox at enqueue, survives restarts
    std::string bootId;
    std::int64_t monotonicMs = 0;
    std::string locale;          ///< BCP 47, "en-US"
    std::string timeZone;        ///< IANA, "America/New_York"
    std::string appName{"touchpoint-kiosk"};
    std::string appVersion;
};

struct Message {
    MessageType type = MessageType::Track;
    std::string messageId;        ///< UUIDv7 minted at capture (time-ordered)
    std::int64_t timestampMs = 0; ///< capture time, UTC
    std::string event;            ///< track only
    std::string userId;           ///< member id once known
    std::string anonymousId;      ///< kiosk session id for kiosk events
    std::string previousId;       ///< alias only
    nlohmann::json properties = nlohmann::json::object();  ///< track
    nlohmann::json traits = nlohmann::json::object();      ///< identify
    MessageContext context;
    /// Personal fields, sealed: dotted path where the hub puts the opened value -> "<keyId>:<base64>".
    /// e.g. {"properties.phone": "1a2b3c4d:..."}.
    std::map<std::string, std::string> sealed;

    // Local only, never on the wire:
    EventKind kind = EventKind::Other;
    Priority priority = Priority::Feedback;
    std::vector<std::string> identityHashes;  ///< keyed hashes of the identifiers this message carries
};

/// Segment-spec JSON for the wire (and for the outbox payload). `sentAtMs`, when given, is written too.
nlohmann::json toJson(const Message& message, std::optional<std::int64_t> sentAtMs = std::nullopt);
/// Reads what toJson wrote (the outbox payload). The hub has its own stricter validator for foreign input.
Result<Message, std::string> fromJson(const nlohmann::json& json);

}  // namespace touchpoint::event
