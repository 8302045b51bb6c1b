#pragma once
// Where the kiosk's events go: in the app, the outbox (durable, synchronous=FULL, before "thank you"); in
// unit tests, a fake. Kept this small so the flows never see SQLite.

#include <cstdint>
#include <string>

#include "common/result.hpp"
#include "event/message.hpp"

namespace touchpoint::kiosk {

class EventStore {
public:
    virtual ~EventStore() = default;
    /// Returns only after the event is committed; an error is one line for logs (never personal data).
    virtual Result<void, std::string> record(event::Message& message) = 0;
    /// True if this identity hash signed in at or after `sinceUtcMs` (the local half of the cooldown).
    virtual Result<bool, std::string> signedInSince(const std::string& identityHash, std::int64_t sinceUtcMs) = 0;
};

}  // namespace touchpoint::kiosk
