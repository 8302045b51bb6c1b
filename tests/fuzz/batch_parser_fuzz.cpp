// libFuzzer target for the whole ingest body path: an optional gzip layer inflated under the 500 KB cap (as
// the server must: stop at the cap, never inflate first), then the batch parser/validator as a batch and as a
// single message, with a real sealing key so sealed paths are exercised too, then masking of every accepted
// comment and of the whole body. Nothing may crash, hang, throw or exceed the cap. The parser's fast reader
// (simdjson) must answer only for text that nlohmann reads to the same tree and writes back the same, and
// compactJson must write what nlohmann's writer writes.

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "event/message.hpp"
#include "event/sealing.hpp"
#include "hub/ingest/batch_parser.hpp"
#include "hub/ingest/json_fast_path.hpp"
#include "hub/ingest/json_text.hpp"
#include "hub/ingest/personal_text.hpp"
#include "protocol/gzip.hpp"

namespace {

const touchpoint::event::Unsealer& unsealer() {
    static const touchpoint::event::Unsealer u = [] {
        touchpoint::event::Unsealer x;
        (void)x.addSecretKeyB64(touchpoint::event::generateSealingKeyPair().secretKeyB64);
        return x;
    }();
    return u;
}

void checkVerdicts(const touchpoint::hub::ParsedBatch& batch) {
    for (const auto& v : batch.verdicts) {
        // Every verdict is either a message or a reason, never both or neither.
        if (v.message.has_value() == !v.reason.empty()) __builtin_trap();
        if (!v.message) continue;
        if (v.message->payloadText.size() > touchpoint::event::kMaxMessageBytes) __builtin_trap();
        const auto comment = v.message->properties.find("comment");
        if (comment != v.message->properties.end() && comment->is_string()) {
            (void)touchpoint::hub::maskPersonalText(comment->get_ref<const std::string&>());
        }
    }
}

/// The same value kinds at the same places (nlohmann's == treats 1 and 1u, or 1 and 1.0, as equal). The one
/// allowed difference: `-0` is a signed 0 in nlohmann and an unsigned 0 on the fast path.
bool sameKinds(const nlohmann::json& a, const nlohmann::json& b) {
    if (a.type() != b.type()) {
        return a.is_number_integer() && b.is_number_integer() && a.get<std::int64_t>() == 0 &&
               b.get<std::int64_t>() == 0;
    }
    if (a.is_object()) {
        for (auto it = a.begin(); it != a.end(); ++it) {
            const auto other = b.find(it.key());
            if (other == b.end() || !sameKinds(it.value(), *other)) return false;
        }
    } else if (a.is_array()) {
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (!sameKinds(a[i], b[i])) return false;
        }
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    std::string inflated;
    if (body.size() >= 2 && body[0] == '\x1f' && body[1] == '\x8b') {
        auto r = touchpoint::protocol::gzipDecompress(body, touchpoint::event::kMaxBatchBytes);
        if (!r) return 0;  // corrupt, truncated or past the cap: the server answers 400/413
        if (r->size() > touchpoint::event::kMaxBatchBytes) __builtin_trap();
        inflated = std::move(r).value();
        body = inflated;
    }
    if (auto fast = touchpoint::hub::parseWellFormedJson(body, 18, touchpoint::event::kMaxBatchBytes)) {
        nlohmann::json slow;
        try {
            slow = nlohmann::json::parse(body);
        } catch (const std::exception&) {
            __builtin_trap();  // read by simdjson, refused by nlohmann
        }
        if (*fast != slow || fast->dump() != slow.dump() || !sameKinds(*fast, slow)) __builtin_trap();
        // The stored text is written by compactJson: the same bytes as nlohmann's writer.
        if (touchpoint::hub::compactJson(slow) !=
            slow.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) {
            __builtin_trap();
        }
    }
    touchpoint::hub::ParseOptions options;
    options.receivedAtMs = 1'795'000'000'000;
    options.unsealer = &unsealer();
    if (auto batch = touchpoint::hub::parseBatch(body, options); batch.ok()) checkVerdicts(*batch);
    options.singleType = "track";
    if (auto single = touchpoint::hub::parseBatch(body, options); single.ok()) checkVerdicts(*single);
    (void)touchpoint::hub::maskPersonalText(body);
    return 0;
}
