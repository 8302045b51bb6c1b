#include "staff/lookup_service.hpp"

#include <nlohmann/json.hpp>

#include "common/log.hpp"

namespace touchpoint::kiosk::staff {

std::string_view toString(LookupOutcome outcome) {
    switch (outcome) {
        case LookupOutcome::Found: return "found";
        case LookupOutcome::NotFound: return "not_found";
        case LookupOutcome::Cached: return "cached";
        case LookupOutcome::Unavailable: return "unavailable";
    }
    return "unavailable";
}

std::string_view toString(LookupProblem problem) {
    switch (problem) {
        case LookupProblem::None: return "none";
        case LookupProblem::Offline: return "offline";
        case LookupProblem::Certificate: return "certificate";
        case LookupProblem::ClockWrong: return "clock_wrong";
        case LookupProblem::TokenRejected: return "token_rejected";
        case LookupProblem::TooManyLookups: return "too_many_lookups";
        case LookupProblem::HubError: return "hub_error";
        case LookupProblem::BadReply: return "bad_reply";
        case LookupProblem::NotConfigured: return "not_configured";
    }
    return "none";
}

LookupService::LookupService(std::unique_ptr<LookupTransport> transport, std::string staffToken,
                             std::unique_ptr<StatusStore> cache)
    : m_transport(std::move(transport)), m_token(std::move(staffToken)), m_cache(std::move(cache)) {}

LookupResult LookupService::lookup(std::uint64_t requestId, const event::Identity& identity,
                                   const std::string& identityHash) {
    LookupResult result;
    result.requestId = requestId;

    if (!m_transport || m_token.empty()) {
        result.problem = LookupProblem::NotConfigured;
        result.detail = m_transport ? "no staff token configured" : "no hub configured";
    } else {
        const std::string path = "/v1/profiles/lookup?" + std::string(event::toString(identity.type)) + "=" +
                                 m_transport->escape(identity.value);
        auto response = m_transport->get(path, m_token);
        if (!response) {
            result.problem = response.error().problem;
            result.detail = response.error().message;
        } else if (response->status == 200) {
            const auto body = nlohmann::json::parse(response->body, nullptr, false);
            auto status = parseLookupBody(body);
            if (status) {
                result.outcome = LookupOutcome::Found;
                result.status = std::move(*status);
                if (m_cache) {
                    if (auto put = m_cache->put(identityHash, *result.status); !put) {
                        log::warn("staff", "cannot cache loyalty status", {{"error", put.error()}});
                    }
                }
                return result;
            }
            result.problem = LookupProblem::BadReply;
            result.detail = "the hub's answer is not a lookup result: " + status.error();
        } else if (response->status == 404) {
            result.outcome = LookupOutcome::NotFound;
            if (m_cache) (void)m_cache->remove(identityHash);
            return result;
        } else if (response->status == 401 || response->status == 403) {
            result.problem = LookupProblem::TokenRejected;
            result.detail = "the hub refused the staff token (HTTP " + std::to_string(response->status) + ")";
        } else if (response->status == 429) {
            result.problem = LookupProblem::TooManyLookups;
            result.detail = "the hub's limit on this staff token's lookups (HTTP 429)";
        } else {
            result.problem = LookupProblem::HubError;
            result.detail = "the hub answered HTTP " + std::to_string(response->status);
        }
    }

    log::info("staff", "lookup answered from cache", {{"problem", std::string(toString(result.problem))}});
    if (m_cache) {
        auto cached = m_cache->get(identityHash);
        if (!cached) {
            log::warn("staff", "cannot read the status cache", {{"error", cached.error()}});
        } else if (*cached) {
            result.outcome = LookupOutcome::Cached;
            result.status = std::move((*cached)->status);
            result.fetchedUtcMs = (*cached)->fetchedUtcMs;
            return result;
        }
    }
    result.outcome = LookupOutcome::Unavailable;
    return result;
}

}  // namespace touchpoint::kiosk::staff
