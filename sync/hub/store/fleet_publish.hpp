#pragma once
// Publishing kiosk configuration (docs/OPERATIONS.md "Publishing kiosk configuration"): the check and store
// step that POST /v1/fleet/documents (http/routes_fleet_config.cpp) and `touchpoint-hub publish`
// (admin/publish_command.cpp) share.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "content/fleet_document.hpp"
#include "hub/config/cases_config.hpp"
#include "hub/store/fleet_config_store.hpp"

namespace touchpoint::hub {

struct PublishRequest {
    std::string name;  ///< [A-Za-z0-9_.-]{1,64} (fleet::isDocumentName), checked by the caller
    nlohmann::json document;
    std::optional<NewAssignment> assign;
    std::string createdBy;
    std::int64_t nowMs = 0;
};

/// Checks the document (fleet::checkPublishable); when it passes, stores it as the next revision of its
/// name with the survey version the hub decides (fleet::publishedSurveyVersion) and assigns it if asked.
/// The stored record, or every problem with its path.
StoreResult<std::variant<ConfigDocumentRecord, content::ContentErrors>> publishFleetDocument(
    FleetConfigStore& store, const PublishRequest& request, const CasesConfig& cases);

}  // namespace touchpoint::hub
