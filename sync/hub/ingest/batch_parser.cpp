#include "hub/ingest/batch_parser.hpp"

#include <regex>
#include <set>

#include "common/clock.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

// Invalid UTF-8 bytes are swapped for this noncharacter (U+10FFFE) before parsing, so the JSON parser does
// not throw away the whole batch; any message that then holds it is rejected on its own.
constexpr std::string_view kBadUtf8Marker = "\xF4\x8F\xBF\xBE";

/// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not one (overlong forms,
/// surrogates and code points above U+10FFFF are invalid).
std::size_t validSequence(std::string_view s, std::size_t i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) return 1;
    auto cont = [&](std::size_t k) { return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80; };
    if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        if (!cont(1) || !cont(2)) return 0;
        const auto b1 = static_cast<unsigned char>(s[i + 1]);
        if (b0 == 0xE0 && b1 < 0xA0) return 0;   // overlong
        if (b0 == 0xED && b1 >= 0xA0) return 0;  // surrogate
        return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        if (!cont(1) || !cont(2) || !cont(3)) return 0;
        const auto b1 = static_cast<unsigned char>(s[i + 1]);
        if (b0 == 0xF0 && b1 < 0x90) return 0;
        if (b0 == 0xF4 && b1 >= 0x90) return 0;
        return 4;
    }
    return 0;
}

/// Returns a copy with invalid bytes replaced by the marker, or nullopt when the text is valid UTF-8.
std::optional<std::string> sanitizeUtf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto n = validSequence(s, i);
        if (n == 0) break;
        i += n;
    }
    if (i == s.size()) return std::nullopt;
    std::string out(s.substr(0, i));
    out.reserve(s.size() + 16);
    while (i < s.size()) {
        const auto n = validSequence(s, i);
        if (n == 0) {
            out.append(kBadUtf8Marker);
            ++i;
        } else {
            out.append(s.substr(i, n));
            i += n;
        }
    }
    return out;
}

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
    if (v->is_number_integer()) {  // some SDKs send numeric user ids
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

std::string channelOf(const json& context) {
    if (const json* c = member(context, "channel"); c && c->is_string() && !c->get<std::string>().empty()) {
        return c->get<std::string>().substr(0, 64);
    }
    if (member(context, "device")) return "app";
    if (const json* app = member(context, "app"); app && app->is_object()) {
        if (const json* build = member(*app, "build"); build) return "app";
    }
    return "web";
}

std::optional<std::int64_t> batchSentAt(const json& root) {
    if (!root.is_object()) return std::nullopt;
    const json* s = member(root, "sentAt");
    std::int64_t ms = 0;
    if (s && s->is_string() && isRfc3339(s->get<std::string>(), ms)) return ms;
    return std::nullopt;
}

MessageVerdict validate(json& m, const ParseOptions& options, std::optional<std::int64_t> defaultSentAt,
                        bool badUtf8, bool tooDeep) {
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
    if (badUtf8) return reject("message: invalid UTF-8");
    if (tooDeep) return reject("message: nested deeper than " + std::to_string(kMaxMessageDepth) + " levels");

    IngestMessage out;
    const json* type = member(m, "type");
    if (!type || !type->is_string()) return reject("type: missing or not a string");
    out.type = type->get<std::string>();
    if (out.type != "track" && out.type != "identify" && out.type != "alias" && out.type != "page" &&
        out.type != "screen") {
        return reject("type: unknown type (expected track, identify, alias, page or screen)");
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
    const json* ts = member(m, "timestamp");
    if (!ts || !ts->is_string()) return reject("timestamp: missing or not a string");
    if (!isRfc3339(ts->get<std::string>(), out.timestampMs)) return reject("timestamp: not RFC 3339");

    std::string reason;
    if (!optionalId(m, "userId", out.userId, reason) || !optionalId(m, "anonymousId", out.anonymousId, reason) ||
        !optionalId(m, "previousId", out.previousId, reason)) {
        return reject(reason);
    }
    if (out.userId.empty() && out.anonymousId.empty()) return reject("userId/anonymousId: one of them is required");

    if (out.type == "track") {
        const json* e = member(m, "event");
        if (!e || !e->is_string() || e->get<std::string>().empty()) return reject("event: missing or not a string");
        out.event = e->get<std::string>();
        if (out.event.size() > 200) return reject("event: longer than 200 bytes");
    } else if (out.type == "alias") {
        if (out.previousId.empty() || out.userId.empty()) return reject("alias: previousId and userId are required");
    } else if (out.type == "page") {
        out.event = "Page Viewed";
    } else if (out.type == "screen") {
        out.event = "Screen Viewed";
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
    out.channel = channelOf(context);
    std::string ignored;
    if (!optionalId(context, "storeId", out.storeId, ignored)) return reject("context.storeId: expected a string");
    if (!optionalId(context, "kioskId", out.kioskId, ignored)) return reject("context.kioskId: expected a string");
    if (const json* app = member(context, "app"); app && app->is_object()) {
        if (const json* ver = member(*app, "version"); ver && ver->is_string()) {
            out.appVersion = ver->get<std::string>().substr(0, 64);
        }
    }

    out.receivedMs = options.receivedAtMs;
    out.correctedMs = out.timestampMs;
    if (sentAt) {
        out.clockOffsetMs = *sentAt - options.receivedAtMs;
        out.correctedMs = options.receivedAtMs - (*sentAt - out.timestampMs);
    }
    m["receivedAt"] = formatIsoUtcMs(out.receivedMs);
    m["originalTimestamp"] = m["timestamp"];
    m["timestamp"] = formatIsoUtcMs(out.correctedMs);
    // Serialised once, as stored: the size limit applies to this text (opened fields and the hub's two time
    // fields included), and the store writes it as is.
    out.payloadText = m.dump(-1, ' ', false, json::error_handler_t::replace);
    if (out.payloadText.size() > event::kMaxMessageBytes) {
        return reject("message: larger than " + std::to_string(event::kMaxMessageBytes / 1024) + " KB");
    }
    // The text is what is stored; the tree is not needed again, so its parts move rather than copy.
    if (auto p = m.find("properties"); p != m.end() && p->is_object()) out.properties = std::move(*p);
    if (auto t = m.find("traits"); t != m.end() && t->is_object()) out.traits = std::move(*t);
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
        const auto sanitized = sanitizeUtf8(body);
        const std::string_view text = sanitized ? std::string_view(*sanitized) : body;
        const bool single = options.singleType.has_value();

        // The callback finds each message's index while parsing, so depth and UTF-8 faults are pinned on
        // the message that has them rather than on the batch.
        const int messageDepth = single ? 0 : 2;
        bool inBatchKey = single;
        long index = single ? 0 : -1;
        std::set<long> deep;
        std::set<long> badText;
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
            if (sanitized && (event == json::parse_event_t::key || event == json::parse_event_t::value) &&
                parsed.is_string() &&
                parsed.get_ref<const std::string&>().find(kBadUtf8Marker) != std::string::npos) {
                badText.insert(index);
            }
            return true;
        };
        json root;
        try {
            root = json::parse(text.begin(), text.end(), callback);
        } catch (const json::parse_error& e) {
            return Fail(BatchError{400, std::string("body is not valid JSON: ") + e.what()});
        }
        ParsedBatch out;
        if (single) {
            if (!root.is_object()) return Fail(BatchError{400, "body is not a JSON object"});
            out.verdicts.push_back(validate(root, options, std::nullopt, badText.count(0) > 0, deep.count(0) > 0));
            return out;
        }
        if (!root.is_object()) return Fail(BatchError{400, "body is not a JSON object"});
        auto it = root.find("batch");
        if (it == root.end() || !it->is_array()) return Fail(BatchError{400, "no batch array"});
        if (it->size() > kMaxMessagesPerBatch) {
            return Fail(BatchError{413, "more than " + std::to_string(kMaxMessagesPerBatch) + " messages"});
        }
        if ((!deep.empty() || !badText.empty()) && static_cast<long>(it->size()) != index + 1) {
            return Fail(BatchError{400, "batch: cannot attribute invalid content to a message (duplicate batch key?)"});
        }
        const auto sentAt = batchSentAt(root);
        out.verdicts.reserve(it->size());
        for (std::size_t i = 0; i < it->size(); ++i) {
            const long li = static_cast<long>(i);
            auto verdict = validate((*it)[i], options, sentAt, badText.count(li) > 0, deep.count(li) > 0);
            out.verdicts.push_back(std::move(verdict));
        }
        return out;
    } catch (const std::exception& e) {
        // Validation above reads only what it has checked; this is the last line so no input can escape.
        return Fail(BatchError{400, std::string("malformed input: ") + e.what()});
    }
}

std::string maskPersonalText(std::string_view text) {
    static const std::regex email(R"([A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,})");
    static const std::regex phone(R"(\+?[0-9][0-9 ()\-.]{6,}[0-9])");
    std::string s = std::regex_replace(std::string(text), email, "[email]");
    return std::regex_replace(s, phone, "[phone]");
}

}  // namespace touchpoint::hub
