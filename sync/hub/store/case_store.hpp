#pragma once
// CaseStore: what head office reads and changes about alerts and cases, and the notification queue the hub's
// delivery thread drains (docs/PROTOCOL.md "Cases and alerts", docs/OPERATIONS.md "Notifications"). Apart
// from HubStore so neither grows into a god interface; SqlHubStore hands out its SQL implementation
// (cases()).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hub/cases/case_figures.hpp"
#include "hub/store_result.hpp"

namespace touchpoint::hub {

inline constexpr std::string_view kCaseOpen = "open";
inline constexpr std::string_view kCaseInProgress = "in_progress";
inline constexpr std::string_view kCaseResolved = "resolved";

struct CaseFilter {
    std::string store;         ///< "" for all
    std::string status;        ///< "" for all
    bool overdueOnly = false;  ///< not resolved and past its due time at nowMs
    std::int64_t nowMs = 0;
    std::size_t limit = 200;
};

struct CaseSummary {
    std::string id, rule, kind, feedbackMessageId, storeId, kioskId, status, outcome, assignee;
    std::optional<std::int64_t> nps, csat;
    std::int64_t openedAtMs = 0, dueAtMs = 0, updatedAtMs = 0;
    std::optional<std::int64_t> firstActionAtMs, resolvedAtMs;
    bool hasContact = false;  ///< a contact is held (not yet erased)
};

struct CaseContact {
    std::string kind;                  ///< phone | email
    std::optional<std::string> value;  ///< none once erased
    std::int64_t receivedAtMs = 0;
    std::optional<std::int64_t> erasedAtMs;
    std::string erasedReason;  ///< resolved | retention | erasure
};

struct CaseNote {
    std::int64_t atMs = 0;
    std::string tokenName, text;
};

struct CaseAuditRow {
    std::int64_t atMs = 0;
    std::string tokenName, action, detail;
};

/// A case with what it is about: the answer, the shopper's loyalty standing, the contact, notes and audit.
struct CaseDetail {
    CaseSummary summary;
    std::int64_t answeredAtMs = 0;
    std::string surveyId;
    std::vector<std::string> reasons;
    std::optional<std::string> comment;  ///< as stored (the route masks personal text)
    std::optional<std::string> profileId;
    std::optional<std::int64_t> points;
    bool isMember = false;
    std::string stage;
    std::optional<CaseContact> contact;
    std::vector<CaseNote> notes;
    std::vector<CaseAuditRow> audit;
};

struct StatusChange {
    std::string status;    ///< open | in_progress | resolved
    std::string outcome;   ///< required to resolve
    std::string assignee;  ///< optional: who works on it
};

enum class CaseChange {
    Done,
    NotFound,
    Refused,  ///< not a step the case can take (resolved cases are closed)
};

struct AlertView {
    std::string id, rule, kind, storeId, detail;
    std::int64_t windowStartMs = 0, windowEndMs = 0, firedAtMs = 0;
    std::int64_t responses = 0, unhappy = 0, matching = 0;
    std::string topReasonsJson;
};

struct QueuedNotification {
    std::int64_t seq = 0;
    std::string target, subject, refId, storeId, payload;
    std::int64_t attempts = 0;  ///< this one included
};

/// How one delivery attempt ended.
struct DeliveryOutcome {
    bool delivered = false;
    std::string error;  ///< why not (no personal data: status codes, curl's words)
    std::int64_t nextAttemptAtMs = 0;
    bool dead = false;        ///< no more attempts: a dead letter until replayed
    bool handedBack = false;  ///< not a real attempt (the hub stopped): not counted
};

class CaseStore {
  public:
    virtual ~CaseStore() = default;

    /// Newest first.
    virtual StoreResult<std::vector<CaseSummary>> listCases(const CaseFilter& filter) = 0;
    /// The case, and an audit row saying that `viewer` saw it (`detail`: whether the contact was shown).
    virtual StoreResult<std::optional<CaseDetail>> viewCase(const std::string& id, const std::string& viewer,
                                                            const std::string& detail,
                                                            std::int64_t nowMs) = 0;
    virtual StoreResult<CaseChange> addNote(const std::string& id, const std::string& tokenName,
                                            const std::string& text, std::int64_t nowMs) = 0;
    /// open -> in_progress -> resolved (open -> resolved too); resolving erases the contact. The same status
    /// with an assignee only reassigns.
    virtual StoreResult<CaseChange> changeStatus(const std::string& id, const std::string& tokenName,
                                                 const StatusChange& change, std::int64_t nowMs) = 0;
    /// The times of every case opened in [fromMs, toMs) (store "" for all), with the next-visit NPS of each
    /// resolved one (CaseTimings), for computeCaseFigures().
    virtual StoreResult<std::vector<CaseTimings>> caseTimings(std::int64_t fromMs, std::int64_t toMs,
                                                              const std::string& store) = 0;
    /// Newest first; store "" for all.
    virtual StoreResult<std::vector<AlertView>> listAlerts(const std::string& store, std::int64_t sinceMs,
                                                           std::size_t limit) = 0;
    /// Erases contacts received at or before nowMs - retentionMs. Idempotent: any number of hub processes may
    /// run it. Returns how many it erased.
    virtual StoreResult<std::int64_t> eraseExpiredContacts(std::int64_t nowMs, std::int64_t retentionMs) = 0;

    /// Claims up to `limit` notifications that are due (or whose previous claim's lease ran out) for `claim`
    /// until nowMs + leaseMs. A row is claimed by one caller only, across hub processes.
    virtual StoreResult<std::vector<QueuedNotification>> claimNotifications(std::int64_t nowMs,
                                                                            std::int64_t leaseMs,
                                                                            const std::string& claim,
                                                                            std::size_t limit) = 0;
    /// Records an attempt's end; false when the claim was lost (its lease ran out and another took it).
    virtual StoreResult<bool> finishNotification(std::int64_t seq, const std::string& claim,
                                                 const DeliveryOutcome& outcome, std::int64_t nowMs) = 0;
    /// Dead letters become due again with a fresh count of attempts; returns how many.
    virtual StoreResult<std::int64_t> replayDeadNotifications(std::int64_t nowMs) = 0;
    /// Notifications by state (pending, delivering, delivered, dead).
    virtual StoreResult<std::map<std::string, std::int64_t>> notificationStates() = 0;
};

}  // namespace touchpoint::hub
