#pragma once
// Builds the kiosk's events (docs/PROTOCOL.md lists them): mints the messageId and capture time, fills the
// context, seals personal fields and records the keyed identity hashes. The outbox assigns the sequence.

#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "event/message.hpp"
#include "event/sealing.hpp"

namespace touchpoint::event {

/// What a kiosk says about itself on every event.
struct DeviceIdentity {
    std::string storeId;
    std::string kioskId;
    std::string timeZone;    ///< IANA zone of the store
    std::string appVersion;
    std::string bootId;      ///< currentBootId() in production
};

/// An identifier after validation and normalisation: phone in E.164, email lower-cased, member id trimmed.
struct Identity {
    enum class Type { Phone, Email, Member };
    Type type = Type::Member;
    std::string value;
};
std::string_view toString(Identity::Type type);
/// "phone:+15555550123" -> Identity; used by the CLI's --identity and by tests.
std::optional<Identity> parseIdentity(std::string_view text);

enum class SigninMethod { Phone, Email, Card, Qr };
std::string_view toString(SigninMethod method);

struct ConsentRecord {
    std::string noticeId;
    std::string noticeVersion;
    std::string textSha256;            ///< hex SHA-256 of the notice text exactly as shown
    std::vector<std::string> purposes; ///< e.g. {"loyalty_terms"} and, only if ticked, "marketing_email"
};

struct FeedbackAnswers {
    std::string surveyId;
    int surveyVersion = 1;
    std::optional<int> nps;   ///< 0..10
    std::optional<int> csat;  ///< 1..5
    std::optional<int> ces;   ///< 1..7
    std::vector<std::string> reasons;  ///< choice ids picked in follow-ups
    std::string comment;               ///< free text; sealed
    bool misuse = false;               ///< a repeat submission within the misuse window
    std::string lastStep;              ///< for abandoned surveys: the step the shopper left on
};

class KioskEventFactory {
public:
    KioskEventFactory(DeviceIdentity device, Sealer sealer, IdentityHasher hasher, const Clock& clock);

    /// `sessionId` is the kiosk session (one shopper's visit) and becomes the anonymousId, which is how the
    /// hub joins a session's feedback to its sign-in.
    Message signin(const std::string& sessionId, const std::string& locale, SigninMethod method,
                   const Identity& identity, bool newMember) const;
    Message consent(const std::string& sessionId, const std::string& locale, const Identity& identity,
                    const ConsentRecord& consent) const;
    /// The answer "yes" to "May we contact you about this?" after a low score: a consent with the one purpose
    /// "feedback_contact" about the feedback `feedbackMessageId` (docs/PROTOCOL.md "Kiosk events"); `contact`
    /// (the signed-in member's phone or e-mail, or what the shopper typed) is sealed like every personal field.
    /// `notice.purposes` is ignored.
    Message feedbackContactConsent(const std::string& sessionId, const std::string& locale, const Identity& contact,
                                   const ConsentRecord& notice, const std::string& feedbackMessageId) const;
    /// `member` is the signed-in identity, if any: its hash goes beside the row so erasure finds it.
    Message feedback(const std::string& sessionId, const std::string& locale, const FeedbackAnswers& answers,
                     const std::optional<Identity>& member) const;
    /// `reason`: "timeout", "exit" or "skip".
    Message feedbackAbandoned(const std::string& sessionId, const std::string& locale, const FeedbackAnswers& answers,
                              const std::string& reason, const std::optional<Identity>& member) const;
    Message staffLookup(const std::string& sessionId, int pinSlot, const Identity& identity) const;
    /// `health` is the uploader's health snapshot as JSON (queue depth, drops, ...).
    Message heartbeat(const nlohmann::json& health) const;

    std::string identityHash(const Identity& identity) const;
    const DeviceIdentity& device() const { return m_device; }

private:
    Message base(MessageType type, EventKind kind, std::string_view eventName, const std::string& sessionId,
                 const std::string& locale) const;
    void attachIdentity(Message& m, const Identity& identity) const;

    DeviceIdentity m_device;
    Sealer m_sealer;
    IdentityHasher m_hasher;
    const Clock& m_clock;
};

}  // namespace touchpoint::event
