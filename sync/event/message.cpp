#include "event/message.hpp"

#include "common/clock.hpp"

namespace touchpoint::event {

std::string_view toString(MessageType type) {
    switch (type) {
        case MessageType::Identify: return "identify";
        case MessageType::Track: return "track";
        case MessageType::Alias: return "alias";
    }
    return "track";
}

std::optional<MessageType> messageTypeFromString(std::string_view text) {
    if (text == "identify") return MessageType::Identify;
    if (text == "track") return MessageType::Track;
    if (text == "alias") return MessageType::Alias;
    return std::nullopt;
}

std::string_view toString(EventKind kind) {
    switch (kind) {
        case EventKind::Signin: return "signin";
        case EventKind::Consent: return "consent";
        case EventKind::Feedback: return "feedback";
        case EventKind::FeedbackAbandoned: return "feedback_abandoned";
        case EventKind::StaffLookup: return "staff_lookup";
        case EventKind::Heartbeat: return "heartbeat";
        case EventKind::Other: return "other";
    }
    return "other";
}

std::optional<EventKind> eventKindFromString(std::string_view text) {
    for (auto k : {EventKind::Signin, EventKind::Consent, EventKind::Feedback, EventKind::FeedbackAbandoned,
                   EventKind::StaffLookup, EventKind::Heartbeat, EventKind::Other}) {
        if (toString(k) == text) return k;
    }
    return std::nullopt;
}

Priority defaultPriority(EventKind kind) {
    switch (kind) {
        case EventKind::Heartbeat: return Priority::Heartbeat;
        case EventKind::FeedbackAbandoned: return Priority::AbandonedFeedback;
        case EventKind::Feedback: return Priority::Feedback;
        case EventKind::Signin:
        case EventKind::Consent:
        case EventKind::StaffLookup: return Priority::Protected;  // audit records are kept like sign-ins
        case EventKind::Other: return Priority::Feedback;
    }
    return Priority::Feedback;
}

nlohmann::json toJson(const Message& m, std::optional<std::int64_t> sentAtMs) {
    nlohmann::json j;
    j["type"] = toString(m.type);
    j["messageId"] = m.messageId;
    j["timestamp"] = formatIsoUtcMs(m.timestampMs);
    if (sentAtMs) j["sentAt"] = formatIsoUtcMs(*sentAtMs);
    if (!m.userId.empty()) j["userId"] = m.userId;
    if (!m.anonymousId.empty()) j["anonymousId"] = m.anonymousId;
    switch (m.type) {
        case MessageType::Track:
            j["event"] = m.event;
            j["properties"] = m.properties;
            break;
        case MessageType::Identify: j["traits"] = m.traits; break;
        case MessageType::Alias: j["previousId"] = m.previousId; break;
    }
    const auto& c = m.context;
    j["context"] = {
        {"channel", c.channel},   {"storeId", c.storeId},     {"kioskId", c.kioskId},
        {"sessionId", c.sessionId}, {"sequence", c.sequence}, {"bootId", c.bootId},
        {"monotonicMs", c.monotonicMs}, {"locale", c.locale}, {"timezone", c.timeZone},
        {"app", {{"name", c.appName}, {"version", c.appVersion}}},
    };
    if (!m.sealed.empty()) j["sealed"] = m.sealed;
    return j;
}

namespace {
std::string str(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::int64_t num(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}
}  // namespace

Result<Message, std::string> fromJson(const nlohmann::json& j) {
    if (!j.is_object()) return Fail(std::string("message is not a JSON object"));
    Message m;
    const auto type = messageTypeFromString(str(j, "type"));
    if (!type) return Fail("unknown message type '" + str(j, "type") + "'");
    m.type = *type;
    m.messageId = str(j, "messageId");
    if (!parseIsoUtcMs(str(j, "timestamp"), m.timestampMs)) return Fail(std::string("bad timestamp"));
    m.event = str(j, "event");
    m.userId = str(j, "userId");
    m.anonymousId = str(j, "anonymousId");
    m.previousId = str(j, "previousId");
    if (auto it = j.find("properties"); it != j.end() && it->is_object()) m.properties = *it;
    if (auto it = j.find("traits"); it != j.end() && it->is_object()) m.traits = *it;
    if (auto it = j.find("context"); it != j.end() && it->is_object()) {
        const auto& c = *it;
        m.context.channel = str(c, "channel");
        m.context.storeId = str(c, "storeId");
        m.context.kioskId = str(c, "kioskId");
        m.context.sessionId = str(c, "sessionId");
        m.context.sequence = num(c, "sequence");
        m.context.bootId = str(c, "bootId");
        m.context.monotonicMs = num(c, "monotonicMs");
        m.context.locale = str(c, "locale");
        m.context.timeZone = str(c, "timezone");
        if (auto app = c.find("app"); app != c.end() && app->is_object()) {
            m.context.appName = str(*app, "name");
            m.context.appVersion = str(*app, "version");
        }
    }
    if (auto it = j.find("sealed"); it != j.end() && it->is_object()) {
        for (const auto& [k, v] : it->items()) {
            if (v.is_string()) m.sealed[k] = v.get<std::string>();
        }
    }
    return m;
}

}  // namespace touchpoint::event
