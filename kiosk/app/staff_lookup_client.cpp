#include "staff_lookup_client.hpp"

namespace touchpoint::kiosk::app {

staff::LookupProblem lookupProblemFor(uploader::TransportErrc kind) {
    using staff::LookupProblem;
    using uploader::TransportErrc;
    switch (kind) {
        case TransportErrc::TlsUntrusted:
        case TransportErrc::TlsFailed: return LookupProblem::Certificate;
        case TransportErrc::TlsNotYetValid:
        case TransportErrc::TlsExpired: return LookupProblem::ClockWrong;
        case TransportErrc::ConnectFailed:
        case TransportErrc::Timeout:
        case TransportErrc::ConnectionLost:
        case TransportErrc::ConnectionReset:
        case TransportErrc::Aborted:
        case TransportErrc::Other: return LookupProblem::Offline;
    }
    return LookupProblem::Offline;
}

Result<staff::LookupReply, staff::LookupFailure> HttpsLookupTransport::get(std::string_view pathAndQuery,
                                                                           std::string_view bearerToken) {
    if (!m_client) {
        try {
            m_client = std::make_unique<uploader::HttpsClient>(m_options);
        } catch (const std::exception& e) {
            return Fail(staff::LookupFailure{lookupProblemFor(uploader::TransportErrc::Other), e.what()});
        }
    }
    auto response = m_client->get(pathAndQuery, bearerToken);
    if (!response) return Fail(staff::LookupFailure{lookupProblemFor(response.error().kind), response.error().message});
    return staff::LookupReply{response->status, std::move(response->body)};
}

}  // namespace touchpoint::kiosk::app
