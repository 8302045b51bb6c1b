#pragma once
// What staff mode needs from the rest of the kiosk, as small interfaces: the outbox's dead letters and the
// outbox as the audit trail's sink. outbox_ports.hpp adapts the real outbox; unit tests use fakes.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "event/message.hpp"

namespace touchpoint::kiosk::staff {

struct DeadLetterRow {
    std::int64_t id = 0;
    std::string kind;              ///< "signin", "feedback", ...
    std::string reason;            ///< the hub's rejection reason, as recorded
    int lastStatus = 0;
    int attempts = 0;
    std::int64_t lastAttemptUtcMs = 0;
};

class DeadLetterStore {
public:
    virtual ~DeadLetterStore() = default;
    virtual Result<std::vector<DeadLetterRow>, std::string> list(std::size_t limit) = 0;
    /// One dead letter back to pending (all when id is empty); returns how many moved.
    virtual Result<std::int64_t, std::string> replay(std::optional<std::int64_t> id) = 0;
    /// Deletes one (or all), counted as a drop; returns how many.
    virtual Result<std::int64_t, std::string> drop(std::optional<std::int64_t> id) = 0;
};

/// Where staff audit events go: durably, before the lookup is sent.
class AuditSink {
public:
    virtual ~AuditSink() = default;
    virtual Result<void, std::string> record(event::Message& message) = 0;
};

}  // namespace touchpoint::kiosk::staff
