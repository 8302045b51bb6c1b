#pragma once
// The controller's EventStore on the real outbox: enqueue returns after COMMIT (synchronous=FULL), then the
// uploader is nudged so the event leaves soon.

#include <functional>

#include "core/event_store.hpp"
#include "outbox/outbox.hpp"

namespace touchpoint::kiosk::app {

class OutboxEventStore final : public EventStore {
public:
    explicit OutboxEventStore(outbox::Outbox& outbox, std::function<void()> onEnqueued = {})
        : m_outbox(outbox), m_onEnqueued(std::move(onEnqueued)) {}

    Result<void, std::string> record(event::Message& message) override {
        auto receipt = m_outbox.enqueue(message);
        if (!receipt) {
            return Fail(std::string(outbox::toString(receipt.error().code)) + ": " + receipt.error().message);
        }
        if (m_onEnqueued) m_onEnqueued();
        return {};
    }

    Result<bool, std::string> signedInSince(const std::string& identityHash, std::int64_t sinceUtcMs) override {
        auto r = m_outbox.signedInSince(identityHash, sinceUtcMs);
        if (!r) return Fail(r.error().message);
        return *r;
    }

private:
    outbox::Outbox& m_outbox;
    std::function<void()> m_onEnqueued;
};

}  // namespace touchpoint::kiosk::app
