// Export rows → JSON objects and CSV lines (GET /v1/export/{kind}).

#include "hub/http/export_format.hpp"

#include "common/clock.hpp"
#include "hub/ingest/personal_text.hpp"
#include "hub/ingest/rejection_excerpt.hpp"
#include "hub/ingest/token_claims.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

template <typename T>
json orNull(const std::optional<T>& v) {
    return v ? json(*v) : json(nullptr);
}

json factJson(const ExportedFact& f) {
    return json{{"messageId", f.messageId},
                {"at", formatIsoUtcMs(f.atMs)},
                {"store", f.store},
                {"kiosk", f.kiosk},
                {"profileId", orNull(f.profileId)}};
}

/// A stored JSON document embedded as JSON; one that no longer parses becomes null rather than failing the export.
json document(const std::string& text) { return json::parse(text, nullptr, false); }

json rowJson(const ExportedEvent& e, ExportPersonal personal) {
    json j = factJson(e.fact);
    j["channel"] = e.channel;
    j["type"] = e.type;
    j["event"] = e.event;
    j["payload"] = personal == ExportPersonal::Shown ? document(e.payloadJson) : maskedPersonalValues(document(e.payloadJson));
    return j;
}

json rowJson(const ExportedFeedback& f) {
    json j = factJson(f.fact);
    j["abandoned"] = f.abandoned;
    j["misuse"] = f.misuse;
    j["nps"] = orNull(f.nps);
    j["csat"] = orNull(f.csat);
    j["ces"] = orNull(f.ces);
    j["reasons"] = document(f.reasonsJson);
    j["comment"] = f.comment ? json(maskPersonalText(*f.comment)) : json(nullptr);
    j["surveyId"] = f.surveyId;
    j["abandonReason"] = f.abandonReason;
    j["surveyVersion"] = f.surveyVersion;
    return j;
}

json rowJson(const ExportedSignin& s) {
    json j = factJson(s.fact);
    j["method"] = s.method;
    j["newMember"] = s.newMember;
    j["pointsAwarded"] = s.pointsAwarded;
    return j;
}

json rowJson(const ExportedProfile& p) {
    return json{{"profileId", p.profileId}, {"memberId", p.memberId},     {"member", p.member},
                {"points", p.points},       {"stage", p.stage},           {"latestNps", orNull(p.latestNps)},
                {"createdAt", formatIsoUtcMs(p.createdAtMs)}};
}

std::string csvCell(const json& v) {
    std::string s;
    if (v.is_null()) return s;
    if (v.is_string()) s = v.get<std::string>();
    else s = v.dump(-1, ' ', false, json::error_handler_t::replace);
    // Cells that a spreadsheet would run as a formula are prefixed (CSV injection).
    if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') && !v.is_number()) s = "'" + s;
    if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

}  // namespace

const std::vector<std::string>& exportColumns(ExportKind kind) {
    static const std::vector<std::string> events{"messageId", "at", "store", "kiosk", "channel", "type", "event",
                                                 "profileId", "payload"};
    static const std::vector<std::string> feedback{"messageId", "at", "store", "kiosk", "profileId", "abandoned",
                                                   "misuse", "nps", "csat", "ces", "reasons", "comment", "surveyId",
                                                   "abandonReason", "surveyVersion"};
    static const std::vector<std::string> signins{"messageId", "at", "store", "kiosk", "profileId", "method",
                                                  "newMember", "pointsAwarded"};
    static const std::vector<std::string> profiles{"profileId", "memberId", "member", "points", "stage", "latestNps",
                                                   "createdAt"};
    switch (kind) {
        case ExportKind::Events: return events;
        case ExportKind::Feedback: return feedback;
        case ExportKind::Signins: return signins;
        case ExportKind::Profiles: break;
    }
    return profiles;
}

ExportPersonal personalValuesFor(std::string_view role) {
    return role == kRoleAdmin ? ExportPersonal::Shown : ExportPersonal::Masked;
}

bool exportShowsPersonalValues(ExportKind kind, ExportPersonal personal) {
    switch (kind) {
        case ExportKind::Events: return personal == ExportPersonal::Shown;  // rowJson(ExportedEvent) masks otherwise
        case ExportKind::Profiles: return true;                             // memberId, unmasked for every role
        case ExportKind::Feedback:                                          // comments masked for every role
        case ExportKind::Signins: break;
    }
    return false;
}

json exportJson(const ExportRow& row, ExportPersonal personal) {
    return std::visit(
        [personal](const auto& r) {
            if constexpr (std::is_same_v<std::decay_t<decltype(r)>, ExportedEvent>) {
                return rowJson(r, personal);
            } else {
                return rowJson(r);
            }
        },
        row);
}

std::string exportCsvLine(const ExportRow& row, ExportKind kind, ExportPersonal personal) {
    const json j = exportJson(row, personal);
    std::string line;
    const auto& cols = exportColumns(kind);
    for (std::size_t i = 0; i < cols.size(); ++i) {
        if (i) line += ',';
        const auto it = j.find(cols[i]);
        line += csvCell(it == j.end() ? json(nullptr) : *it);
    }
    return line;
}

}  // namespace touchpoint::hub
