#include "hub/fleet/config_rules.hpp"

#include <algorithm>

#include "common/clock.hpp"

namespace touchpoint::hub::fleet {

namespace {

bool printable(unsigned char c) {
    return c >= 0x20 && c < 0x7f;
}

/// Nearest first: the rank of a scope for a kiosk (lower wins).
int rank(ScopeKind kind) {
    switch (kind) {
        case ScopeKind::Kiosk:
            return 0;
        case ScopeKind::Store:
            return 1;
        case ScopeKind::Region:
            return 2;
        case ScopeKind::All:
            return 3;
    }
    return 4;
}

}  // namespace

std::string_view toString(ScopeKind kind) {
    switch (kind) {
        case ScopeKind::All:
            return "all";
        case ScopeKind::Region:
            return "region";
        case ScopeKind::Store:
            return "store";
        case ScopeKind::Kiosk:
            return "kiosk";
    }
    return "all";
}

std::optional<ScopeKind> scopeKindNamed(std::string_view name) {
    for (auto k : {ScopeKind::All, ScopeKind::Region, ScopeKind::Store, ScopeKind::Kiosk}) {
        if (toString(k) == name) return k;
    }
    return std::nullopt;
}

std::string Scope::format() const {
    if (kind == ScopeKind::All) return "all";
    return std::string(toString(kind)) + ":" + value;
}

bool isRegionName(std::string_view name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return printable(static_cast<unsigned char>(c));
    });
}

bool isPlaceId(std::string_view id) {
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7f;
    });
}

bool isDocumentName(std::string_view name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
               c == '.' || c == '-';
    });
}

Result<Scope, std::string> parseScope(std::string_view text) {
    constexpr const char* kShape = "expected all, region:NAME, store:STORE or kiosk:STORE/KIOSK";
    if (text == "all") return Scope{ScopeKind::All, ""};
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return Fail(std::string(kShape));
    const auto kind = scopeKindNamed(text.substr(0, colon));
    const std::string value(text.substr(colon + 1));
    if (!kind || *kind == ScopeKind::All) return Fail(std::string(kShape));
    switch (*kind) {
        case ScopeKind::Region:
            if (!isRegionName(value)) return Fail(std::string("region: 1..64 printable ASCII bytes"));
            break;
        case ScopeKind::Store:
            if (!isPlaceId(value))
                return Fail(std::string("store: 1..64 printable ASCII bytes without spaces"));
            break;
        case ScopeKind::Kiosk: {
            const auto slash = value.find('/');
            if (slash == std::string::npos || value.find('/', slash + 1) != std::string::npos ||
                !isPlaceId(value.substr(0, slash)) || !isPlaceId(value.substr(slash + 1))) {
                return Fail(
                    std::string("kiosk: expected STORE/KIOSK, each 1..64 printable ASCII bytes without "
                                "spaces or '/'"));
            }
            break;
        }
        case ScopeKind::All:
            break;
    }
    return Scope{*kind, value};
}

bool nestedDeeperThan(std::string_view jsonText, int maxDepth) {
    int depth = 0;
    bool inString = false, escaped = false;
    for (const char c : jsonText) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            if (++depth > maxDepth) return true;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return false;
}

std::optional<Assignment> resolveAssignment(const AssignmentSet& set, const std::string& storeId,
                                            const std::string& kioskId, std::int64_t nowMs) {
    const std::string kioskValue = storeId + "/" + kioskId;
    const auto region = set.regionOfStore.find(storeId);
    const Assignment* best = nullptr;
    for (const auto& a : set.assignments) {
        if (a.startsMs > nowMs) continue;
        bool applies = false;
        switch (a.scope.kind) {
            case ScopeKind::All:
                applies = true;
                break;
            case ScopeKind::Region:
                applies = region != set.regionOfStore.end() && region->second == a.scope.value;
                break;
            case ScopeKind::Store:
                applies = a.scope.value == storeId;
                break;
            case ScopeKind::Kiosk:
                applies = a.scope.value == kioskValue;
                break;
        }
        if (!applies) continue;
        if (!best) {
            best = &a;
            continue;
        }
        const int r = rank(a.scope.kind), bestRank = rank(best->scope.kind);
        if (r != bestRank) {
            if (r < bestRank) best = &a;
            continue;
        }
        if (a.startsMs != best->startsMs ? a.startsMs > best->startsMs : a.seq > best->seq) best = &a;
    }
    if (!best) return std::nullopt;
    return *best;
}

std::optional<std::int64_t> nextScheduledStart(const AssignmentSet& set, std::int64_t nowMs) {
    std::optional<std::int64_t> next;
    for (const auto& a : set.assignments) {
        if (a.startsMs > nowMs && (!next || a.startsMs < *next)) next = a.startsMs;
    }
    return next;
}

Result<std::int64_t, std::string> parseStartsAt(const std::optional<std::string>& text, std::int64_t nowMs) {
    if (!text) return nowMs;
    std::int64_t at = 0;
    // A date alone, a time without a zone and the like are refused: a schedule is an instant.
    if (text->size() > 40 || !parseIsoUtcMs(*text, at)) {
        return Fail(
            std::string("startsAt: expected an ISO-8601 time with a zone, e.g. 2026-12-24T06:00:00Z"));
    }
    if (at > nowMs + kMaxScheduleAheadMs) return Fail(std::string("startsAt: at most a year ahead"));
    return at;
}

std::int64_t publishedSurveyVersion(const content::FleetDocument& incoming, const SurveyHistory& history) {
    if (history.previousRevision && history.previousRevision->survey.id == incoming.survey.id &&
        content::sameSurveyQuestions(*history.previousRevision, incoming)) {
        return history.previousRevision->survey.version;
    }
    return std::max<std::int64_t>(history.highestVersionForId, 0) + 1;
}

content::ContentErrors feedbackBeyondCases(const content::FleetDocument& document, const CasesConfig& cases) {
    content::ContentErrors errors;
    const auto& feedback = document.settings.feedback;
    if (!feedback || !feedback->contactQuestion) return errors;
    constexpr const char* kWhy = ": shoppers would be promised a call no case is opened for";
    if (feedback->contactNpsMax > cases.unhappyNpsMax) {
        errors.push_back(
            {"settings.feedback.contactNpsMax", std::to_string(feedback->contactNpsMax) +
                                                    " is above the hub's [cases] unhappy_nps_max " +
                                                    std::to_string(cases.unhappyNpsMax) + kWhy});
    }
    if (feedback->contactCsatMax > cases.unhappyCsatMax) {
        errors.push_back(
            {"settings.feedback.contactCsatMax", std::to_string(feedback->contactCsatMax) +
                                                     " is above the hub's [cases] unhappy_csat_max " +
                                                     std::to_string(cases.unhappyCsatMax) + kWhy});
    }
    return errors;
}

Result<content::FleetDocument, content::ContentErrors> checkPublishable(const nlohmann::json& document,
                                                                        const CasesConfig& cases) {
    auto parsed = content::fleetDocumentFromJson(document);
    if (!parsed) return parsed;
    auto beyond = feedbackBeyondCases(*parsed, cases);
    if (!beyond.empty()) return Fail(std::move(beyond));
    return parsed;
}

}  // namespace touchpoint::hub::fleet
