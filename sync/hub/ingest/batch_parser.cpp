#include "hub/ingest/batch_parser.hpp"

#include <set>

#include "common/clock.hpp"
#include "hub/ingest/body_scan.hpp"
#include "hub/ingest/json_fast_path.hpp"
#include "hub/ingest/json_props.hpp"
#include "hub/ingest/json_text.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

bool isRfc3339(const std::string& text, std::int64_t& ms) {
    // parseIsoUtcMs also takes a few ISO 8601 forms; RFC 3339 needs the 'T', seconds and a zone.
    if (text.size() < 20 || text.size() > 40 || text[10] != 'T') return false;
    return parseIsoUtcMs(text, ms);
}

const json* member(const json& object, const char* key) {
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

/// Reads an optional string member; false (with reason) when present but not a short string.
bool optionalId(const json& m, const char* key, std::string& out, std::string& reason) {
    const json* v = member(m, key);
    if (!v || v->is_null()) return true;
    if (v->is_number_unsigned()) {  // some SDKs send numeric user ids
        out = std::to_string(v->get<std::uint64_t>());
        return true;
    }
    if (v->is_number_integer()) {
        out = std::to_string(v->get<std::int64_t>());
        return true;
    }
    if (!v->is_string()) {
        reason = std::string(key) + ": expected a string";
        return false;
    }
    out = v->get<std::string>();
    if (out.size() > kMaxIdLength) {
        reason = std::string(key) + ": longer than " + std::to_string(kMaxIdLength) + " bytes";
        return false;
    }
    return true;
}

/// Puts `value` at a dotted path ("properties.phone") inside `root`, creating objects on the way.
bool setPath(json& root, const std::string& path, std::string value) {
    json* node = &root;
    std::size_t start = 0;
    while (true) {
        const auto dot = path.find('.', start);
        const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (part.empty()) return false;
        if (!node->is_object()) return false;
        if (dot == std::string::npos) {
            (*node)[part] = std::move(value);
            return true;
        }
        node = &(*node)[part];
        if (node->is_null()) *node = json::object();
        start = dot + 1;
    }
}

/// The Segment spec's top-level `channel` in the hub's channel names, or "" when absent or not one of them.
std::string specChannel(const json& m) {
    const json* c = member(m, "channel");
    if (!c || !c->is_string()) return "";
    const auto& text = c->get_ref<const std::string&>();
    if (text == "browser" || text == "web") return "web";
    if (text == "mobile" || text == "app") return "app";
    if (text == "server") return "server";
    return "";
}

/// Segment's server libraries, by context.library.name: they do not all send the spec's `channel`
/// (@segment/analytics-node 3 does not), and their traffic is not a browser's.
bool isServerLibrary(const json& context) {
    static constexpr std::string_view kServerLibraries[] = {
        "@segment/analytics-node", "analytics-node", "analytics-python", "analytics-ruby", "analytics-go",
        "analytics-java", "analytics-kotlin-jvm", "analytics-php", "Analytics.NET", "analytics-csharp-server"};
    const json* lib = member(context, "library");
    const json* name = lib && lib->is_object() ? member(*lib, "name") : nullptr;
    if (!name || !name->is_string()) return false;
    for (auto known : kServerLibraries) {
        if (name->get_ref<const std::string&>() == known) return true;
    }
    return false;
}

/// Where the shopper was (docs/PROTOCOL.md, "Channels"): a kiosk's `context.channel` first, then the spec's
/// `channel`, then a server library's name, then what the context shows. A `screen` is an app view by the
/// spec, so one relayed by a server library (or sent with no channel) counts as app.
std::string channelOf(const json& m, const json& context, const std::string& type, bool& stated) {
    stated = true;
    if (const json* c = member(context, "channel"); c && c->is_string() && !c->get<std::string>().empty()) {
        return c->get<std::string>().substr(0, 64);
    }
    std::string spec = specChannel(m);
    if (spec.empty() && isServerLibrary(context)) spec = "server";
    if (!spec.empty()) return spec == "server" && type == "screen" ? "app" : spec;
    if (member(context, "device") || type == "screen") return "app";
    if (const json* app = member(context, "app"); app && app->is_object()) {
        if (const json* build = member(*app, "build"); build) return "app";
    }
    stated = false;
    return "web";
}

/// context.library as "name/version", bounded; "" when absent or not the spec's shape.
std::string libraryOf(const json& context) {
    const json* lib = member(context, "library");
    if (!lib || !lib->is_object()) return "";
    const json* name = member(*lib, "name");
    if (!name || !name->is_string()) return "";
    std::string out = name->get<std::string>().substr(0, 64);
    if (const json* version = member(*lib, "version"); version && version->is_string()) {
        out += "/" + version->get<std::string>().substr(0, 32);
    }
    return out;
}

/// The capture time: `timestamp`, else `originalTimestamp` (what several SDKs send), else nullopt (the hub
/// uses its receive time, as Segment does). A present but unreadable field rejects with its name.
bool captureTime(const json& m, std::optional<std::int64_t>& out, std::string& reason) {
    for (const char* key : {"timestamp", "originalTimestamp"}) {
        const json* ts = member(m, key);
        if (!ts || ts->is_null()) continue;
        std::int64_t ms = 0;
        if (!ts->is_string() || !isRfc3339(ts->get<std::string>(), ms)) {
            reason = std::string(key) + (ts->is_string() ? ": not RFC 3339" : ": expected a string");
            return false;
        }
        out = ms;
        return true;
    }
    return true;
}

std::optional<std::int64_t> batchSentAt(const json& root) {
    if (!root.is_object()) return std::nullopt;
    const json* s = member(root, "sentAt");
    std::int64_t ms = 0;
    if (s && s->is_string() && isRfc3339(s->get<std::string>(), ms)) return ms;
    return std::nullopt;
}

/// What the raw-text pass and the parse callback found inside one message.
struct MessageFaults {
    bool badUtf8 = false;
    bool tooDeep = false;
    bool badNumber = false;
};

/// The dotted path ("properties.drops.offline", "context.list[2]") of the first string equal to `needle`
/// inside `node`, or "" when there is none. Recursion is bounded: messages deeper than kMaxMessageDepth were
/// cut off while parsing.
std::string pathOfString(const json& node, std::string_view needle, const std::string& prefix) {
    if (node.is_string()) return node.get_ref<const std::string&>() == needle ? (prefix.empty() ? "message" : prefix) : "";
    if (node.is_object()) {
        for (const auto& [key, value] : node.items()) {
            auto found = pathOfString(value, needle, prefix.empty() ? key : prefix + "." + key);
            if (!found.empty()) return found;
        }
    } else if (node.is_array()) {
        for (std::size_t i = 0; i < node.size(); ++i) {
            auto found = pathOfString(node[i], needle, prefix + "[" + std::to_string(i) + "]");
            if (!found.empty()) return found;
        }
    }
    return "";
}

/// The numbers the hub reads from a heartbeat are counts: whole numbers in 0..2^53-1. Anything else rejects
/// the heartbeat with the field's name (a kiosk that sends 1e300 has a bug worth seeing in its dead letters).
std::string checkHeartbeatNumbers(const json& m) {
    const auto p = m.find("properties");
    if (p == m.end() || !p->is_object()) return "";
    const std::string range = ": expected a whole number 0.." + std::to_string(kMaxJsonSafeInteger);
    for (const char* key : {"queueDepth", "oldestPendingAgeS", "deadLetters", "configVersion"}) {
        if (readIntMember(*p, key, 0, kMaxJsonSafeInteger).bad) return std::string("properties.") + key + range;
    }
    // Why the kiosk refused a published configuration: shown on the fleet page, so bounded and text.
    constexpr std::size_t kMaxConfigRefusalBytes = 500;
    if (const auto r = p->find("configRefusal"); r != p->end() && !r->is_null() &&
                                                  (!r->is_string() || r->get_ref<const std::string&>().size() > kMaxConfigRefusalBytes)) {
        return "properties.configRefusal: expected a string of at most " + std::to_string(kMaxConfigRefusalBytes) + " bytes";
    }
    if (const auto d = p->find("drops"); d != p->end() && d->is_object()) {
        for (const auto& [reason, n] : d->items()) {
            const auto v = toInt64(n);
            // The reason is the sender's text: only its start goes back in the receipt.
            if (!v || *v < 0 || *v > kMaxJsonSafeInteger) return "properties.drops." + reason.substr(0, 64) + range;
        }
    }
    return "";
}

/// A consent to be contacted about one feedback answer names that answer and carries the contact (opened from
/// `sealed` by now): phone or e-mail. Anything else rejects it with the field's name.
std::string checkFeedbackContact(const json& m) {
    const auto p = m.find("properties");
    if (p == m.end() || !p->is_object() || !hasPurpose(*p, event::names::kPurposeFeedbackContact)) return "";
    const auto id = p->find("feedbackMessageId");
    if (id == p->end() || !id->is_string() || id->get_ref<const std::string&>().empty() ||
        id->get_ref<const std::string&>().size() > kMaxIdLength) {
        return "properties.feedbackMessageId: a feedback_contact consent needs the feedback's messageId (1.." +
               std::to_string(kMaxIdLength) + " bytes)";
    }
    constexpr std::size_t kMaxContactBytes = 320;
    bool any = false;
    for (const char* key : {"phone", "email"}) {
        const auto c = p->find(key);
        if (c == p->end()) continue;
        if (!c->is_string() || c->get_ref<const std::string&>().empty() ||
            c->get_ref<const std::string&>().size() > kMaxContactBytes) {
            return std::string("properties.") + key + ": expected 1.." + std::to_string(kMaxContactBytes) + " bytes";
        }
        any = true;
    }
    if (!any) return "properties.phone/email: a feedback_contact consent needs the contact (sealed phone or email)";
    return "";
}

MessageVerdict validate(json& m, const ParseOptions& options, std::optional<std::int64_t> defaultSentAt,
                        const MessageFaults& faults) {
    MessageVerdict v;
    if (!m.is_object()) {
        v.reason = "message: expected a JSON object";
        return v;
    }
    if (const json* id = member(m, "messageId"); id && id->is_string()) v.messageId = id->get<std::string>();
    auto reject = [&](std::string reason) {
        v.reason = std::move(reason);
        return v;
    };
    if (faults.badUtf8) return reject("message: invalid UTF-8");
    if (faults.tooDeep) return reject("message: nested deeper than " + std::to_string(kMaxMessageDepth) + " levels");
    if (faults.badNumber) {
        const auto path = pathOfString(m, kBadNumberMarker, "");
        // Keys are the sender's text: only the path's start goes back in the receipt.
        return reject((path.empty() ? std::string("message") : path.substr(0, 200)) + ": number longer than " + std::to_string(kMaxNumberChars) +
                      " characters or beyond the range of a double");
    }

    IngestMessage out;
    const json* type = member(m, "type");
    if (options.singleType && (!type || type->is_null())) {
        out.type = *options.singleType;  // Segment's single-call endpoints take the type from the path
        m["type"] = out.type;
    } else {
        if (!type || !type->is_string()) return reject("type: missing or not a string");
        out.type = type->get<std::string>();
    }
    if (out.type != "track" && out.type != "identify" && out.type != "alias" && out.type != "page" &&
        out.type != "screen" && out.type != "group") {
        return reject("type: unknown type (expected track, identify, alias, page, screen or group)");
    }
    if (options.singleType && *options.singleType != out.type) {
        return reject("type: this endpoint takes " + *options.singleType + " messages");
    }
    const json* id = member(m, "messageId");
    if (!id || !id->is_string()) return reject("messageId: missing or not a string");
    out.messageId = id->get<std::string>();
    if (out.messageId.empty() || out.messageId.size() > kMaxIdLength) {
        return reject("messageId: must be 1.." + std::to_string(kMaxIdLength) + " bytes");
    }
    std::string reason;
    std::optional<std::int64_t> captured;
    if (!captureTime(m, captured, reason)) return reject(reason);
    out.timestampMs = captured.value_or(options.receivedAtMs);

    if (!optionalId(m, "userId", out.userId, reason) || !optionalId(m, "anonymousId", out.anonymousId, reason) ||
        !optionalId(m, "previousId", out.previousId, reason) || !optionalId(m, "groupId", out.groupId, reason)) {
        return reject(reason);
    }
    if (out.userId.empty() && out.anonymousId.empty()) return reject("userId/anonymousId: one of them is required");

    if (out.type == "track") {
        const json* e = member(m, "event");
        if (!e || !e->is_string() || e->get<std::string>().empty()) return reject("event: missing or not a string");
        out.event = e->get<std::string>();
        if (out.event.size() > kMaxEventLength) {
            return reject("event: longer than " + std::to_string(kMaxEventLength) + " bytes");
        }
    } else if (out.type == "alias") {
        if (out.previousId.empty() || out.userId.empty()) return reject("alias: previousId and userId are required");
    } else if (out.type == "page") {
        out.event = "Page Viewed";
    } else if (out.type == "screen") {
        out.event = "Screen Viewed";
    } else if (out.type == "group") {
        if (out.groupId.empty()) return reject("groupId: missing or empty");
        out.event = "Group Joined";
    }
    for (const char* key : {"properties", "traits", "context"}) {
        const json* o = member(m, key);
        if (o && !o->is_object() && !o->is_null()) return reject(std::string(key) + ": expected an object");
    }

    std::optional<std::int64_t> sentAt = defaultSentAt;
    if (const json* s = member(m, "sentAt"); s && !s->is_null()) {
        std::int64_t ms = 0;
        if (!s->is_string() || !isRfc3339(s->get<std::string>(), ms)) return reject("sentAt: not RFC 3339");
        sentAt = ms;
    }

    // Open sealed fields before anything reads properties.
    if (const json* sealed = member(m, "sealed"); sealed && !sealed->is_null()) {
        if (!sealed->is_object()) return reject("sealed: expected an object");
        for (const auto& [path, value] : sealed->items()) {
            if (!value.is_string()) return reject("sealed." + path + ": expected a string");
            if (path.rfind("properties.", 0) != 0 && path.rfind("traits.", 0) != 0 &&
                path.rfind("context.", 0) != 0) {
                return reject("sealed." + path + ": path must start with properties., traits. or context.");
            }
            if (!options.unsealer) return reject("sealed." + path + ": this hub holds no sealing key");
            auto opened = options.unsealer->open(value.get<std::string>());
            if (!opened) return reject("sealed." + path + ": " + opened.error());
            if (!setPath(m, path, std::move(opened).value())) return reject("sealed." + path + ": path is not an object");
        }
        m.erase("sealed");
    }

    const json emptyContext = json::object();
    const json* ctx = member(m, "context");
    const json& context = ctx && ctx->is_object() ? *ctx : emptyContext;
    out.channel = channelOf(m, context, out.type, out.channelStated);
    out.library = libraryOf(context);
    std::string ignored;
    if (!optionalId(context, "storeId", out.storeId, ignored)) return reject("context.storeId: expected a string");
    if (!optionalId(context, "kioskId", out.kioskId, ignored)) return reject("context.kioskId: expected a string");
    if (const json* app = member(context, "app"); app && app->is_object()) {
        if (const json* ver = member(*app, "version"); ver && ver->is_string()) {
            out.appVersion = ver->get<std::string>().substr(0, 64);
        }
    }

    if (out.event == event::names::kHeartbeat) {
        if (auto bad = checkHeartbeatNumbers(m); !bad.empty()) return reject(std::move(bad));
    }
    if (out.event == event::names::kConsent) {
        if (auto bad = checkFeedbackContact(m); !bad.empty()) return reject(std::move(bad));
    }

    out.receivedMs = options.receivedAtMs;
    out.correctedMs = out.timestampMs;
    if (sentAt) {
        out.clockOffsetMs = *sentAt - options.receivedAtMs;
        // A message without a capture time was stamped on arrival: there is no sender clock to correct.
        if (captured) out.correctedMs = options.receivedAtMs - (*sentAt - out.timestampMs);
    }
    // analytics.js puts its write key in every body too; the Authorization header already said who sent it,
    // and a token is kept only as a hash, never in stored messages and their exports.
    m.erase("writeKey");
    m["receivedAt"] = formatIsoUtcMs(out.receivedMs);
    if (captured) m["originalTimestamp"] = formatIsoUtcMs(*captured);
    m["timestamp"] = formatIsoUtcMs(out.correctedMs);
    // Serialised once, as stored: the size limit applies to this text (opened fields and the hub's two time
    // fields included), and the store writes it as is.
    out.payloadText = compactJson(m);
    if (out.payloadText.size() > event::kMaxMessageBytes) {
        return reject("message: larger than " + std::to_string(event::kMaxMessageBytes / 1024) + " KB");
    }
    // The text is what is stored; the tree is not needed again, so its parts move rather than copy.
    if (auto p = m.find("properties"); p != m.end() && p->is_object()) out.properties = std::move(*p);
    if (auto t = m.find("traits"); t != m.end() && t->is_object()) {
        // A group's traits describe the account (its email is not the shopper's): kept apart from identity.
        (out.type == "group" ? out.groupTraits : out.traits) = std::move(*t);
    }
    // Identify calls from SDKs put traits under context.traits too; merge them (message traits win).
    if (const json* ct = member(context, "traits"); ct && ct->is_object()) {
        for (const auto& [k, val] : ct->items()) {
            if (!out.traits.contains(k)) out.traits[k] = val;
        }
    }
    v.message = std::move(out);
    return v;
}

}  // namespace

Result<ParsedBatch, BatchError> parseBatch(std::string_view body, const ParseOptions& options) {
    try {
        if (body.size() > event::kMaxBatchBytes) {
            return Fail(BatchError{413, "body larger than " + std::to_string(event::kMaxBatchBytes / 1024) + " KB"});
        }
        const BodyScan scan = scanBody(body);
        const bool rewritten = scan.rewritten.has_value();
        const std::string_view text = rewritten ? std::string_view(*scan.rewritten) : body;
        const bool single = options.singleType.has_value();

        // The callback finds each message's index while parsing, so depth and UTF-8 faults are pinned on
        // the message that has them rather than on the batch.
        const int messageDepth = single ? 0 : 2;
        bool inBatchKey = single;
        long index = single ? 0 : -1;
        std::set<long> deep;
        std::set<long> badText;
        std::set<long> badNumber;
        auto faultsOf = [&](long i) {
            return MessageFaults{badText.count(i) > 0, deep.count(i) > 0, badNumber.count(i) > 0};
        };
        auto callback = [&](int depth, json::parse_event_t event, json& parsed) {
            if (!single && depth == 1 && event == json::parse_event_t::key) {
                inBatchKey = parsed.is_string() && parsed.get_ref<const std::string&>() == "batch";
            }
            const bool start = event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
            if (!single && inBatchKey && depth == messageDepth && (start || event == json::parse_event_t::value)) {
                ++index;
            }
            if (!inBatchKey || depth < messageDepth) return true;
            if (start && depth - messageDepth + 1 > kMaxMessageDepth) {
                deep.insert(index);
                return false;  // drop the subtree instead of building it
            }
            if (rewritten && (event == json::parse_event_t::key || event == json::parse_event_t::value) &&
                parsed.is_string()) {
                const auto& str = parsed.get_ref<const std::string&>();
                if (scan.badUtf8 && str.find(kBadUtf8Marker) != std::string::npos) badText.insert(index);
                if (scan.badNumber && event == json::parse_event_t::value && str == kBadNumberMarker) {
                    badNumber.insert(index);
                }
            }
            return true;
        };
        // A body with nothing to rewrite and no message nested too deep has no fault to pin on a message:
        // simdjson reads it. Anything else (or anything simdjson refuses) is nlohmann's to read and answer.
        std::optional<json> wellFormed;
        if (!rewritten) {
            wellFormed = parseWellFormedJson(text, static_cast<std::size_t>(messageDepth + kMaxMessageDepth),
                                             event::kMaxBatchBytes);
        }
        json root;
        if (wellFormed) {
            root = std::move(*wellFormed);
        } else {
            try {
                root = json::parse(text.begin(), text.end(), callback);
            } catch (const json::parse_error& e) {
                return Fail(BatchError{400, std::string("body is not valid JSON: ") + e.what()});
            }
        }
        ParsedBatch out;
        if (single) {
            if (!root.is_object()) return Fail(BatchError{400, "body is not a JSON object"});
            out.verdicts.push_back(validate(root, options, std::nullopt, faultsOf(0)));
            if (!out.verdicts.back().message) out.verdicts.back().rejected = std::move(root);
            return out;
        }
        if (!root.is_object()) return Fail(BatchError{400, "body is not a JSON object"});
        auto it = root.find("batch");
        if (it == root.end() || !it->is_array()) return Fail(BatchError{400, "no batch array"});
        if (it->size() > kMaxMessagesPerBatch) {
            return Fail(BatchError{413, "more than " + std::to_string(kMaxMessagesPerBatch) + " messages"});
        }
        if ((!deep.empty() || !badText.empty() || !badNumber.empty()) && static_cast<long>(it->size()) != index + 1) {
            return Fail(BatchError{400, "batch: cannot attribute invalid content to a message (duplicate batch key?)"});
        }
        const auto sentAt = batchSentAt(root);
        out.verdicts.reserve(it->size());
        for (std::size_t i = 0; i < it->size(); ++i) {
            const long li = static_cast<long>(i);
            auto verdict = validate((*it)[i], options, sentAt, faultsOf(li));
            // Moved, not copied: the tree is not read again, and only rejections are shown to people.
            if (!verdict.message) verdict.rejected = std::move((*it)[i]);
            out.verdicts.push_back(std::move(verdict));
        }
        return out;
    } catch (const std::exception& e) {
        // Validation above reads only what it has checked; this is the last line so no input can escape.
        return Fail(BatchError{400, std::string("malformed input: ") + e.what()});
    }
}


}  // namespace touchpoint::hub
