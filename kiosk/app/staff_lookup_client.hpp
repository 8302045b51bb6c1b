#pragma once
// Staff mode's LookupTransport (kiosk/core/staff/staff_ports.hpp) over uploader::HttpsClient: one client per
// worker thread, created lazily on first use so construction never throws on the UI thread for a bad URL
// (that surfaces as a lookup problem instead). Transport failures are named in staff terms here.

#include <memory>
#include <string>
#include <string_view>

#include "staff/staff_ports.hpp"
#include "uploader/https_client.hpp"

namespace touchpoint::kiosk::app {

/// What a transport failure means to staff: offline, certificate, clock wrong.
staff::LookupProblem lookupProblemFor(uploader::TransportErrc kind);

class HttpsLookupTransport final : public staff::LookupTransport {
public:
    explicit HttpsLookupTransport(uploader::HttpsClientOptions options) : m_options(std::move(options)) {}
    Result<staff::LookupReply, staff::LookupFailure> get(std::string_view pathAndQuery,
                                                         std::string_view bearerToken) override;
    std::string escape(std::string_view value) const override { return uploader::urlEscape(value); }

private:
    uploader::HttpsClientOptions m_options;
    std::unique_ptr<uploader::HttpsClient> m_client;
};

}  // namespace touchpoint::kiosk::app
