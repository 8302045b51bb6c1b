#pragma once
// Publishing kiosk configuration (docs/OPERATIONS.md "Publishing kiosk configuration"): the check and store
// step that POST /v1/fleet/documents and `touchpoint-hub publish` share, and the `publish` commands, which
// work on the store directly like the other admin commands.

#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "content/fleet_document.hpp"
#include "hub/config/hub_config.hpp"
#include "hub/store/fleet_config_store.hpp"

namespace touchpoint::hub {

struct PublishRequest {
    std::string name;  ///< [A-Za-z0-9_.-]{1,64} (fleet::isDocumentName), checked by the caller
    nlohmann::json document;
    std::optional<NewAssignment> assign;
    std::string createdBy;
    std::int64_t nowMs = 0;
};

/// The publish check: the kiosk's own validator, then the hub's rules (fleet::feedbackBeyondCases with
/// `cases`, the hub's [cases]). What /v1/fleet/documents/validate answers and publishing refuses on.
Result<content::FleetDocument, content::ContentErrors> checkPublishable(const nlohmann::json& document,
                                                                        const CasesConfig& cases);

/// Checks the document (checkPublishable); when it passes, stores it as the next revision of its
/// name with the survey version the hub decides (fleet::publishedSurveyVersion) and assigns it if asked.
/// The stored record, or every problem with its path.
StoreResult<std::variant<ConfigDocumentRecord, content::ContentErrors>> publishFleetDocument(
    FleetConfigStore& store, const PublishRequest& request, const CasesConfig& cases);

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
