#include "hub/store/fleet_publish.hpp"

#include <utility>

#include "hub/fleet/config_rules.hpp"

namespace touchpoint::hub {

namespace {

/// The survey of a stored revision (its body is a document this code wrote); nothing when unreadable.
std::optional<content::FleetDocument> storedDocument(const std::string& body) {
    auto doc = content::parseFleetDocument(body);
    if (!doc) return std::nullopt;
    return std::move(doc).value();
}

}  // namespace

StoreResult<std::variant<ConfigDocumentRecord, content::ContentErrors>> publishFleetDocument(
    FleetConfigStore& store, const PublishRequest& request, const CasesConfig& cases) {
    using Out = std::variant<ConfigDocumentRecord, content::ContentErrors>;
    auto parsed = fleet::checkPublishable(request.document, cases);
    if (!parsed) return Out(parsed.error());
    const content::FleetDocument document = std::move(parsed).value();
    auto stored = store.publish(
        request.name, document.survey.id, request.createdBy, request.nowMs,
        [&](const PublishFacts& facts) {
            fleet::SurveyHistory history;
            if (facts.previousBody) history.previousRevision = storedDocument(*facts.previousBody);
            history.highestVersionForId = facts.highestSurveyVersion;
            content::FleetDocument revision = document;
            revision.survey.version = static_cast<int>(fleet::publishedSurveyVersion(document, history));
            return PreparedRevision{revision.toJson().dump(), revision.survey.version};
        },
        request.assign);
    if (!stored) return Fail(stored.error());
    return Out(std::move(stored).value());
}

}  // namespace touchpoint::hub
