#pragma once
// One row of a head-office export (HubStore::exportPage, GET /v1/export/{kind}), as the store reads it. The
// route turns rows into JSON or CSV (http/export_format.hpp); personal text is masked there, not here.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace touchpoint::hub {

enum class ExportKind { Events, Feedback, Signins, Profiles };

/// events | feedback | signins | profiles; nullopt for anything else.
inline std::optional<ExportKind> exportKindNamed(std::string_view name) {
    if (name == "events") return ExportKind::Events;
    if (name == "feedback") return ExportKind::Feedback;
    if (name == "signins") return ExportKind::Signins;
    if (name == "profiles") return ExportKind::Profiles;
    return std::nullopt;
}

/// Columns shared by every fact row (events, feedback, sign-ins).
struct ExportedFact {
    std::string messageId;
    std::int64_t atMs = 0;  ///< capture time, skew-corrected
    std::string store, kiosk;
    std::optional<std::string> profileId;
};

struct ExportedEvent {
    ExportedFact fact;
    std::string channel, type, event;
    std::string payloadJson;  ///< the stored message, as the hub keeps it (sealed fields opened, masked on ingest)
};

struct ExportedFeedback {
    ExportedFact fact;
    bool abandoned = false, misuse = false;
    std::optional<std::int64_t> nps, csat, ces;
    std::string reasonsJson;            ///< a JSON array of reason codes, as stored
    std::optional<std::string> comment;  ///< unmasked: the route masks it
    std::string surveyId, abandonReason;
    std::int64_t surveyVersion = 0;  ///< 0: the answer did not say
};

struct ExportedSignin {
    ExportedFact fact;
    std::string method;
    bool newMember = false, pointsAwarded = false;
};

struct ExportedProfile {
    std::string profileId, memberId;
    bool member = false;
    std::int64_t points = 0;
    std::string stage;
    std::optional<std::int64_t> latestNps;
    std::int64_t createdAtMs = 0;
};

using ExportRow = std::variant<ExportedEvent, ExportedFeedback, ExportedSignin, ExportedProfile>;

}  // namespace touchpoint::hub
