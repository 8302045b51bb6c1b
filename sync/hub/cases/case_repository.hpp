#pragma once
// What the feedback rules (feedback_rules.hpp) read and write inside an ingest transaction. The SQL
// implementation is store/sql_case_repository.cpp (on the ingest transaction's connection); the unit tests
// use an in-memory one. "Exactly once" lives here: an alert's key and a case's feedback are unique in the
// store, so a re-sent, late or out-of-order message, or another hub process, cannot fire a rule twice.

#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "hub/store_result.hpp"

namespace touchpoint::hub {

/// One submitted feedback answer as the rules see it (abandoned and misuse answers are never rules' input).
struct FeedbackAnswer {
    std::string messageId, storeId, kioskId;
    std::int64_t atMs = 0;  ///< capture time, skew-corrected
    std::optional<std::int64_t> nps, csat;
    std::vector<std::string> reasons;
    std::optional<std::string> comment;
};

/// A shopper's consent to be contacted about one answer, with the contact.
struct ContactRequest {
    std::string consentMessageId, feedbackMessageId, storeId;
    std::string kind;       ///< phone | email
    std::string value;      ///< E.164 or lower-cased e-mail when it could be normalised, else as typed
    std::int64_t atMs = 0;  ///< when the hub received it (the retention clock)
};

/// A store-level alert. Its key is (rule, storeId, periodStartMs, detail).
struct AlertRecord {
    std::string id;
    std::string rule, kind, storeId;
    std::string detail;  ///< frequent_reason: the reason; else ""
    std::int64_t periodStartMs = 0;
    std::int64_t windowStartMs = 0, windowEndMs = 0;  ///< the window that fired: (start, end] by capture time
    std::int64_t responses = 0, unhappy = 0, matching = 0;
    std::vector<std::pair<std::string, std::int64_t>>
        topReasons;  ///< the unhappy answers' reasons, most first
    std::int64_t firedAtMs = 0;
};

/// A case for one answer. At most one per feedback message.
struct CaseOpening {
    std::string id, rule, kind, feedbackMessageId, storeId, kioskId;
    std::optional<std::int64_t> nps, csat;
    std::int64_t openedAtMs = 0, dueAtMs = 0;
};

/// One notification to one recipient, queued in the transaction that fired it.
struct NotificationRequest {
    std::string target;   ///< "webhook:<name>" | "smtp"
    std::string subject;  ///< "alert" | "case"
    std::string refId;    ///< the alert's or case's id
    std::string storeId;
    std::string payload;  ///< JSON without personal data (notification_text.hpp)
    std::int64_t createdAtMs = 0;
};

class CaseRepository {
  public:
    virtual ~CaseRepository() = default;

    /// Submitted answers of `store` captured in [fromMs, toMs], this transaction's included, ordered by
    /// capture time then message id. What the window rules read: the message id, time, scores and reasons
    /// (not the kiosk or the comment). Valid until the next call.
    virtual StoreResult<std::span<const FeedbackAnswer>> answers(const std::string& store, std::int64_t fromMs,
                                                                 std::int64_t toMs) = 0;
    virtual StoreResult<std::optional<FeedbackAnswer>> feedback(const std::string& messageId) = 0;
    /// The contacts held for these answers, as (answer's message id, store of the kiosk that gave it): one
    /// question for a batch.
    virtual StoreResult<std::set<std::pair<std::string, std::string>>> contactsGiven(
        const std::vector<std::string>& feedbackMessageIds) = 0;
    /// Keeps the first contact given for an answer; false when there was one already.
    virtual StoreResult<bool> saveContact(const ContactRequest& contact) = 0;
    /// Stores the alert unless one with its key exists; true when it is new.
    virtual StoreResult<bool> recordAlert(const AlertRecord& alert) = 0;
    /// Opens the case unless its answer has one; true when it is new.
    virtual StoreResult<bool> openCase(const CaseOpening& opening) = 0;
    virtual StoreResult<void> enqueueNotification(const NotificationRequest& request) = 0;
};

}  // namespace touchpoint::hub
