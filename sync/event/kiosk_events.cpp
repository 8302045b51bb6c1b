#include "event/kiosk_events.hpp"

#include "common/uuid.hpp"

namespace touchpoint::event {

std::string_view toString(Identity::Type type) {
    switch (type) {
        case Identity::Type::Phone: return "phone";
        case Identity::Type::Email: return "email";
        case Identity::Type::Member: return "member";
    }
    return "member";
}

std::optional<Identity> parseIdentity(std::string_view text) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos || colon + 1 >= text.size()) return std::nullopt;
    const auto type = text.substr(0, colon);
    Identity id;
    id.value = std::string(text.substr(colon + 1));
    if (type == "phone") {
        id.type = Identity::Type::Phone;
    } else if (type == "email") {
        id.type = Identity::Type::Email;
        for (auto& c : id.value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (type == "member") {
        id.type = Identity::Type::Member;
    } else {
        return std::nullopt;
    }
    return id;
}

std::string_view toString(SigninMethod method) {
    switch (method) {
        case SigninMethod::Phone: return "phone";
        case SigninMethod::Email: return "email";
        case SigninMethod::Card: return "card";
        case SigninMethod::Qr: return "qr";
    }
    return "card";
}

KioskEventFactory::KioskEventFactory(DeviceIdentity device, Sealer sealer, IdentityHasher hasher, const Clock& clock)
    : m_device(std::move(device)), m_sealer(std::move(sealer)), m_hasher(hasher), m_clock(clock) {}

std::string KioskEventFactory::identityHash(const Identity& identity) const {
    return m_hasher.hash(toString(identity.type), identity.value);
}

Message KioskEventFactory::base(MessageType type, EventKind kind, std::string_view eventName,
                                const std::string& sessionId, const std::string& locale) const {
    Message m;
    m.type = type;
    m.kind = kind;
    m.priority = defaultPriority(kind);
    m.messageId = newUuidV7(m_clock.utcMs());
    m.timestampMs = m_clock.utcMs();
    m.event = std::string(eventName);
    m.anonymousId = sessionId;
    m.context.storeId = m_device.storeId;
    m.context.kioskId = m_device.kioskId;
    m.context.sessionId = sessionId;
    m.context.bootId = m_device.bootId;
    m.context.monotonicMs = m_clock.monotonicMs();
    m.context.locale = locale;
    m.context.timeZone = m_device.timeZone;
    m.context.appVersion = m_device.appVersion;
    return m;
}

void KioskEventFactory::attachIdentity(Message& m, const Identity& identity) const {
    m.properties["identityType"] = toString(identity.type);
    switch (identity.type) {
        case Identity::Type::Member:
            // A member number is an account key, not contact data: it travels in the clear as the userId.
            m.userId = identity.value;
            m.properties["memberId"] = identity.value;
            break;
        case Identity::Type::Phone: m.sealed["properties.phone"] = m_sealer.seal(identity.value); break;
        case Identity::Type::Email: m.sealed["properties.email"] = m_sealer.seal(identity.value); break;
    }
    m.identityHashes.push_back(identityHash(identity));
}

Message KioskEventFactory::signin(const std::string& sessionId, const std::string& locale, SigninMethod method,
                                  const Identity& identity, bool newMember) const {
    Message m = base(MessageType::Track, EventKind::Signin, names::kSignin, sessionId, locale);
    m.properties["method"] = toString(method);
    m.properties["newMember"] = newMember;
    attachIdentity(m, identity);
    return m;
}

Message KioskEventFactory::consent(const std::string& sessionId, const std::string& locale, const Identity& identity,
                                   const ConsentRecord& consent) const {
    Message m = base(MessageType::Track, EventKind::Consent, names::kConsent, sessionId, locale);
    m.properties["noticeId"] = consent.noticeId;
    m.properties["noticeVersion"] = consent.noticeVersion;
    m.properties["textSha256"] = consent.textSha256;
    m.properties["purposes"] = consent.purposes;
    m.properties["locale"] = locale;
    attachIdentity(m, identity);
    return m;
}

Message KioskEventFactory::feedbackContactConsent(const std::string& sessionId, const std::string& locale,
                                                  const Identity& contact, const ConsentRecord& notice,
                                                  const std::string& feedbackMessageId) const {
    ConsentRecord c = notice;
    c.purposes = {std::string(names::kPurposeFeedbackContact)};
    Message m = consent(sessionId, locale, contact, c);
    m.properties["feedbackMessageId"] = feedbackMessageId;
    return m;
}

namespace {
void writeAnswers(Message& m, const FeedbackAnswers& a, const Sealer& sealer) {
    m.properties["surveyId"] = a.surveyId;
    m.properties["surveyVersion"] = a.surveyVersion;
    nlohmann::json answers = nlohmann::json::object();
    if (a.nps) answers["nps"] = *a.nps;
    if (a.csat) answers["csat"] = *a.csat;
    if (a.ces) answers["ces"] = *a.ces;
    answers["reasons"] = a.reasons;
    m.properties["answers"] = answers;
    m.properties["misuse"] = a.misuse;
    m.properties["hasComment"] = !a.comment.empty();
    if (!a.comment.empty()) m.sealed["properties.comment"] = sealer.seal(a.comment);
}
}  // namespace

Message KioskEventFactory::feedback(const std::string& sessionId, const std::string& locale,
                                    const FeedbackAnswers& answers, const std::optional<Identity>& member) const {
    Message m = base(MessageType::Track, EventKind::Feedback, names::kFeedback, sessionId, locale);
    writeAnswers(m, answers, m_sealer);
    if (member) {
        if (member->type == Identity::Type::Member) m.userId = member->value;
        m.identityHashes.push_back(identityHash(*member));
    }
    return m;
}

Message KioskEventFactory::feedbackAbandoned(const std::string& sessionId, const std::string& locale,
                                             const FeedbackAnswers& answers, const std::string& reason,
                                             const std::optional<Identity>& member) const {
    Message m = base(MessageType::Track, EventKind::FeedbackAbandoned, names::kFeedbackAbandoned, sessionId, locale);
    writeAnswers(m, answers, m_sealer);
    m.properties["abandonReason"] = reason;
    m.properties["lastStep"] = answers.lastStep;
    if (member) {
        if (member->type == Identity::Type::Member) m.userId = member->value;
        m.identityHashes.push_back(identityHash(*member));
    }
    return m;
}

Message KioskEventFactory::staffLookup(const std::string& sessionId, int pinSlot, const Identity& identity) const {
    Message m = base(MessageType::Track, EventKind::StaffLookup, names::kStaffLookup, sessionId, "");
    m.properties["pinSlot"] = pinSlot;
    m.properties["identityType"] = toString(identity.type);
    // The looked-up identifier is sealed whatever its type: an audit trail must not become a member list.
    m.sealed["properties.identifier"] = m_sealer.seal(identity.value);
    m.identityHashes.push_back(identityHash(identity));
    return m;
}

Message KioskEventFactory::heartbeat(const nlohmann::json& health) const {
    Message m = base(MessageType::Track, EventKind::Heartbeat, names::kHeartbeat, "", "");
    m.anonymousId = "kiosk:" + m_device.storeId + ":" + m_device.kioskId;
    m.properties = health.is_object() ? health : nlohmann::json::object();
    m.properties["appVersion"] = m_device.appVersion;
    return m;
}

}  // namespace touchpoint::event
