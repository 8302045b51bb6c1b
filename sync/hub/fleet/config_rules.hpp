#pragma once
// Which published kiosk configuration a kiosk runs, as pure rules (no SQL, no HTTP): docs/OPERATIONS.md
// "Publishing kiosk configuration". Documents are assigned along a hierarchy (all stores > region > store >
// kiosk) with a start time; the nearest scope with an assignment that has started wins. A rollback is a new
// assignment of an earlier document, so the history stays whole.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "content/fleet_document.hpp"
#include "hub/config/cases_config.hpp"

namespace touchpoint::hub::fleet {

enum class ScopeKind { All, Region, Store, Kiosk };
std::string_view toString(ScopeKind kind);
std::optional<ScopeKind> scopeKindNamed(std::string_view name);

/// Where an assignment applies. value: "" for all, the region's name, the store id, or "store/kiosk".
struct Scope {
    ScopeKind kind = ScopeKind::All;
    std::string value;

    /// "all", "region:R", "store:S", "kiosk:S/K" (what parseScope reads).
    std::string format() const;
    bool operator==(const Scope&) const = default;
};

/// Reads "all" | "region:R" | "store:S" | "kiosk:S/K". Regions are 1..64 bytes of printable ASCII; store and
/// kiosk ids as kiosks send them (1..64 printable ASCII bytes without spaces) and, in a kiosk scope, without
/// '/', which separates the two.
Result<Scope, std::string> parseScope(std::string_view text);

/// A region's name: 1..64 bytes, printable ASCII (spaces allowed inside).
bool isRegionName(std::string_view name);
/// A store or kiosk id as kiosks send them: 1..64 printable ASCII bytes, no spaces.
bool isPlaceId(std::string_view id);
/// A document's name: [A-Za-z0-9_.-]{1,64}.
bool isDocumentName(std::string_view name);

/// Deepest nesting a publish body or document file may have before it is parsed: a document is a few levels
/// deep, and copying or walking a JSON value recurses once per level, so deeper input is refused unread.
inline constexpr int kMaxDocumentDepth = 32;
/// Whether JSON text nests arrays and objects deeper than `maxDepth` (brackets inside strings do not count).
/// Linear, no recursion; says nothing about whether the text is valid JSON.
bool nestedDeeperThan(std::string_view jsonText, int maxDepth);

/// One assignment of a document (its id is the global "config version") to a scope from a start time.
struct Assignment {
    std::int64_t seq = 0;  ///< increasing with each assignment made
    Scope scope;
    std::int64_t documentId = 0;
    std::int64_t startsMs = 0;
    std::int64_t createdMs = 0;
    std::string createdBy;
};

/// Everything resolution needs: every assignment (past and scheduled) and the region of each store.
struct AssignmentSet {
    std::vector<Assignment> assignments;
    std::map<std::string, std::string> regionOfStore;
};

/// The assignment kiosk `kioskId` of store `storeId` runs at `nowMs`: among assignments that have started
/// (startsMs <= nowMs), those of the nearest scope (kiosk, then store, then the store's region, then all);
/// within that scope the latest start, ties broken by the highest seq. Nothing when none applies.
std::optional<Assignment> resolveAssignment(const AssignmentSet& set, const std::string& storeId,
                                            const std::string& kioskId, std::int64_t nowMs);

/// The earliest start after `nowMs` among the assignments (when resolution can next change by time alone).
std::optional<std::int64_t> nextScheduledStart(const AssignmentSet& set, std::int64_t nowMs);

/// An assignment's start as a client gives it: absent = now; otherwise an ISO-8601 time (parsed strictly) at
/// most kMaxScheduleAheadMs after now. Earlier times are allowed (they apply at once).
inline constexpr std::int64_t kMaxScheduleAheadMs = 366LL * 24 * 3600 * 1000;
Result<std::int64_t, std::string> parseStartsAt(const std::optional<std::string>& text, std::int64_t nowMs);

/// What the store knows about earlier publications when a new revision of a document is published.
struct SurveyHistory {
    /// The latest revision of the same document name, its survey with the version it was published as.
    std::optional<content::FleetDocument> previousRevision;
    /// The highest survey version ever published for the incoming survey's id (0 when never).
    std::int64_t highestVersionForId = 0;
};

/// The version the hub gives a published survey: the previous revision's when it asks the same questions
/// (same id, content::sameSurveyQuestions: the same steps, options and branching, and the same wording in every
/// language), else one more than the highest ever published for the id, so figures never mix a changed
/// question with its predecessor. Attract texts and settings do not change the survey's version.
std::int64_t publishedSurveyVersion(const content::FleetDocument& incoming, const SurveyHistory& history);

/// A document's contact thresholds against the hub's [cases] unhappy thresholds: a kiosk asking "May we
/// contact you about this?" at a score the hub does not call unhappy promises a call no case is opened for.
/// One error per threshold above the hub's, naming both values; none when the document has no feedback part
/// (the kiosk's kiosk.toml applies, which the hub cannot see) or its question is off.
content::ContentErrors feedbackBeyondCases(const content::FleetDocument& document, const CasesConfig& cases);

/// The publish check: the kiosk's own validator, then the hub's rules (feedbackBeyondCases with `cases`, the
/// hub's [cases]). What /v1/fleet/documents/validate answers and publishing refuses on.
Result<content::FleetDocument, content::ContentErrors> checkPublishable(const nlohmann::json& document,
                                                                        const CasesConfig& cases);

}  // namespace touchpoint::hub::fleet
