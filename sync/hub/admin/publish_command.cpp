#include "hub/admin/publish_command.hpp"

#include <fstream>
#include <iterator>
#include <ostream>
#include <sstream>

#include "common/clock.hpp"
#include "hub/fleet/config_rules.hpp"
#include "hub/store/fleet_publish.hpp"
#include "hub/store/hub_store.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

StoreResult<std::unique_ptr<HubStore>> openForCommand(const HubConfig& config) {
    HubConfig small = config;
    small.storeConnections = 1;
    return openHubStore(config.storeUrl, small);
}

/// The scope and start of an assignment from the command line; "" scope: none. Writes the error.
std::optional<std::optional<NewAssignment>> assignmentFrom(const PublishOptions& o, std::int64_t nowMs,
                                                           std::ostream& err) {
    if (o.scope.empty()) {
        if (!o.startsAt.empty()) {
            err << "publish: --starts-at needs --scope\n";
            return std::nullopt;
        }
        return std::optional<NewAssignment>();
    }
    auto scope = fleet::parseScope(o.scope);
    if (!scope) {
        err << "publish: --scope: " << scope.error() << "\n";
        return std::nullopt;
    }
    auto starts = fleet::parseStartsAt(o.startsAt.empty() ? std::nullopt : std::optional(o.startsAt), nowMs);
    if (!starts) {
        err << "publish: --starts-at: " << starts.error() << "\n";
        return std::nullopt;
    }
    return std::optional<NewAssignment>(NewAssignment{*scope, *starts});
}

}  // namespace

int publishCommand(const HubConfig& config, const PublishOptions& o, std::ostream& out, std::ostream& err) {
    if (!fleet::isDocumentName(o.name)) {
        err << "publish: --name: expected 1..64 of A-Z a-z 0-9 _ . -\n";
        return 2;
    }
    const auto nowMs = SystemClock::instance().utcMs();
    auto assign = assignmentFrom(o, nowMs, err);
    if (!assign) return 2;
    std::ifstream in(o.file, std::ios::binary);
    if (!in) {
        err << "publish: cannot read " << o.file << "\n";
        return 1;
    }
    std::string text;
    // One byte past the limit is enough to know the file is too large.
    text.resize(content::kMaxDocumentBytes + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > content::kMaxDocumentBytes) {
        err << o.file << ": larger than " << content::kMaxDocumentBytes << " bytes\n";
        return 1;
    }
    if (fleet::nestedDeeperThan(text, fleet::kMaxDocumentDepth)) {
        err << o.file << ": nested deeper than " << fleet::kMaxDocumentDepth << " levels\n";
        return 1;
    }
    const json document = json::parse(text, nullptr, false);
    if (document.is_discarded()) {
        err << o.file << ": not JSON\n";
        return 1;
    }
    auto store = openForCommand(config);
    if (!store) {
        err << "store: " << store.error().message << "\n";
        return 1;
    }
    auto published = publishFleetDocument((*store)->fleetConfig(), {o.name, document, *assign, "cli", nowMs},
                                          config.cases);
    if (!published) {
        err << "store: " << published.error().message << "\n";
        return 1;
    }
    if (const auto* errors = std::get_if<content::ContentErrors>(&*published)) {
        for (const auto& e : *errors) err << o.file << ": " << e.format() << "\n";
        err << "publish: " << errors->size() << " problem" << (errors->size() == 1 ? "" : "s")
            << "; nothing published\n";
        return 1;
    }
    const auto& r = std::get<ConfigDocumentRecord>(*published);
    out << "published " << r.name << " revision " << r.revision << " as config version " << r.id
        << " (survey " << r.surveyId << " version " << r.surveyVersion << ")";
    if (*assign)
        out << ", assigned to " << (*assign)->scope.format() << " from "
            << formatIsoUtcMs((*assign)->startsMs);
    out << "\n";
    return 0;
}

int publishRollbackCommand(const HubConfig& config, const PublishOptions& o, std::ostream& out,
                           std::ostream& err) {
    const auto nowMs = SystemClock::instance().utcMs();
    auto assign = assignmentFrom(o, nowMs, err);
    if (!assign) return 2;
    if (!*assign) {
        err << "publish rollback: --scope is required\n";
        return 2;
    }
    auto store = openForCommand(config);
    if (!store) {
        err << "store: " << store.error().message << "\n";
        return 1;
    }
    auto seq = (*store)->fleetConfig().assign(o.configVersion, **assign, "cli", nowMs);
    if (!seq) {
        err << "store: " << seq.error().message << "\n";
        return 1;
    }
    if (!*seq) {
        err << "publish rollback: no config version " << o.configVersion << "\n";
        return 1;
    }
    out << "assigned config version " << o.configVersion << " to " << (*assign)->scope.format() << " from "
        << formatIsoUtcMs((*assign)->startsMs) << " (assignment " << **seq << ")\n";
    return 0;
}

int publishListCommand(const HubConfig& config, std::ostream& out, std::ostream& err) {
    auto store = openForCommand(config);
    if (!store) {
        err << "store: " << store.error().message << "\n";
        return 1;
    }
    auto docs = (*store)->fleetConfig().documents("");
    auto set = (*store)->fleetConfig().assignments();
    if (!docs || !set) {
        err << "store: " << (!docs ? docs.error().message : set.error().message) << "\n";
        return 1;
    }
    out << "documents (config version, name, revision, survey, published):\n";
    for (const auto& d : *docs) {
        out << d.id << "\t" << d.name << "\t" << d.revision << "\t" << d.surveyId << " v" << d.surveyVersion
            << "\t" << formatIsoUtcMs(d.createdMs) << " by " << d.createdBy << "\n";
    }
    out << "assignments (seq, scope, config version, starts):\n";
    for (const auto& a : set->assignments) {
        out << a.seq << "\t" << a.scope.format() << "\t" << a.documentId << "\t" << formatIsoUtcMs(a.startsMs)
            << "\t"
            << "by " << a.createdBy << "\n";
    }
    out << "regions:\n";
    for (const auto& [storeId, region] : set->regionOfStore) out << storeId << "\t" << region << "\n";
    return 0;
}

}  // namespace touchpoint::hub
