#pragma once
// The `touchpoint-hub publish` commands (docs/OPERATIONS.md "Publishing kiosk configuration"), which work on
// the store directly like the other admin commands; the publish step they share with POST /v1/fleet/documents
// is store/fleet_publish.hpp.

#include <cstdint>
#include <iosfwd>
#include <string>

#include "hub/config/hub_config.hpp"

namespace touchpoint::hub {

/// What `touchpoint-hub publish ...` was given.
struct PublishOptions {
    std::string name;
    std::string file;
    std::string scope;     ///< "" (publish without assigning) | all | region:R | store:S | kiosk:S/K
    std::string startsAt;  ///< "" = now
    std::int64_t configVersion = 0;  ///< rollback: the document to assign again
};

/// `touchpoint-hub publish --name N --file F [--scope S] [--starts-at T]`: exit code 0, 1 (invalid document:
/// every error printed to `err`; store failure) or 2 (a bad scope or time).
int publishCommand(const HubConfig& config, const PublishOptions& options, std::ostream& out,
                   std::ostream& err);
/// `touchpoint-hub publish rollback --scope S --config-version ID [--starts-at T]`: a new assignment of an
/// earlier document (the history stays).
int publishRollbackCommand(const HubConfig& config, const PublishOptions& options, std::ostream& out,
                           std::ostream& err);
/// `touchpoint-hub publish list`: every revision and every assignment.
int publishListCommand(const HubConfig& config, std::ostream& out, std::ostream& err);

}  // namespace touchpoint::hub
