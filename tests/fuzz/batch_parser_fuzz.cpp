// libFuzzer target for the hub's batch parser/validator: any bytes, as a batch and as a single message,
// with a real sealing key so sealed paths are exercised too. The parser must never crash, hang or throw.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "event/sealing.hpp"
#include "hub/ingest/batch_parser.hpp"

namespace {

const touchpoint::event::Unsealer& unsealer() {
    static const touchpoint::event::Unsealer u = [] {
        touchpoint::event::Unsealer x;
        (void)x.addSecretKeyB64(touchpoint::event::generateSealingKeyPair().secretKeyB64);
        return x;
    }();
    return u;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    touchpoint::hub::ParseOptions options;
    options.receivedAtMs = 1'795'000'000'000;
    options.unsealer = &unsealer();
    auto batch = touchpoint::hub::parseBatch(body, options);
    if (batch.ok()) {
        for (const auto& v : batch->verdicts) {
            // Every verdict is either a message or a reason, never both or neither.
            if (v.message.has_value() == !v.reason.empty()) __builtin_trap();
        }
    }
    options.singleType = "track";
    (void)touchpoint::hub::parseBatch(body, options);
    (void)touchpoint::hub::maskPersonalText(body.substr(0, 4096));
    return 0;
}
