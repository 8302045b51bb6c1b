#pragma once
// Staff loyalty lookups: GET /v1/profiles/lookup with the staff token, on the staff worker thread. A fresh
// answer refreshes the local cache; when the hub cannot answer (offline, certificate, token, bad reply) the
// last known status comes back from the cache with its age, marked as such.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "event/kiosk_events.hpp"
#include "staff/loyalty_status.hpp"
#include "staff/staff_ports.hpp"

namespace touchpoint::kiosk::staff {

enum class LookupOutcome {
    Found,        ///< fresh from the hub
    NotFound,     ///< the hub knows no such shopper
    Cached,       ///< the hub did not answer; the last known status is shown with its age
    Unavailable,  ///< the hub did not answer and nothing is cached
};
std::string_view toString(LookupOutcome outcome);

struct LookupResult {
    std::uint64_t requestId = 0;
    LookupOutcome outcome = LookupOutcome::Unavailable;
    LookupProblem problem = LookupProblem::None;
    std::string detail;                     ///< for logs and the "details" line; never holds the identifier
    std::optional<LoyaltyStatus> status;
    std::int64_t fetchedUtcMs = 0;          ///< when the shown status came from the hub
};

class LookupService {
public:
    /// `transport` may be null (no hub configured): every lookup then answers from the cache. `cache` may be
    /// null when the cache file could not be opened.
    LookupService(std::unique_ptr<LookupTransport> transport, std::string staffToken,
                  std::unique_ptr<StatusStore> cache);

    /// Runs one lookup synchronously: call it on the worker thread.
    LookupResult lookup(std::uint64_t requestId, const event::Identity& identity, const std::string& identityHash);

private:
    std::unique_ptr<LookupTransport> m_transport;
    std::string m_token;
    std::unique_ptr<StatusStore> m_cache;
};

}  // namespace touchpoint::kiosk::staff
