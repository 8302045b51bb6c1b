#pragma once
// The feedback rules (docs/JOURNEY_RULES.md "Alerts and cases"): store-level alerts over sliding windows of
// answers, and cases for single answers, with their notifications queued. Pure code over CaseRepository, run
// in the ingest transaction on the messages it newly accepted (duplicates never reach it).
//
// A window rule is evaluated at every answer of a store (web and app answers name none, and are in no window):
// the window ending at answer e holds the answers of e's store
// captured in (e.at - W, e.at], up to e in (capture time, message id) order. An answer that arrives late is
// counted in every window it falls in, so the windows ending at the answers captured up to W after it are
// evaluated again. A rule fires at most once per store and W-long period of capture time (periods aligned to
// the Unix epoch): the alert's key is (rule, store, period of e, detail). An alert that fired stands: a later
// answer that would have diluted its window does not withdraw it.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hub/cases/case_repository.hpp"
#include "hub/config/cases_config.hpp"
#include "hub/ingest/batch_parser.hpp"

namespace touchpoint::hub {

struct FeedbackRulesOutcome {
    std::int64_t alerts = 0, cases = 0, contacts = 0, notifications = 0;
};

/// A submitted, non-misuse `Feedback Submitted` as the rules read it; nullopt for any other message.
std::optional<FeedbackAnswer> feedbackAnswerOf(const IngestMessage& m);
/// A `Consent Given` with the purpose feedback_contact as the rules read it (contact normalised with
/// `phoneRegion`); nullopt for any other message.
std::optional<ContactRequest> contactRequestOf(const IngestMessage& m, const std::string& phoneRegion);

class FeedbackRules {
  public:
    /// `newId` makes alert and case ids (UUIDv7 in the hub; a counter in tests).
    FeedbackRules(CasesConfig cases, NotificationsConfig notifications, std::string phoneRegion,
                  std::function<std::string(std::int64_t)> newId);

    bool unhappy(const FeedbackAnswer& a) const;
    /// The rules that apply to `store`: per name, the one whose `stores` names it most closely.
    std::vector<const AlertRule*> alertRulesFor(const std::string& store) const;
    std::vector<const CaseRule*> caseRulesFor(const std::string& store) const;

    /// Applies every rule to `accepted` (in order), the messages one ingest transaction newly stored.
    /// `nowMs` is the hub's time (case opening, due times, alert firing).
    StoreResult<FeedbackRulesOutcome> apply(CaseRepository& repo,
                                            const std::vector<const IngestMessage*>& accepted,
                                            std::int64_t nowMs) const;

  private:
    /// One store's case rules, worked out once per batch.
    struct StoreCaseRules {
        std::vector<const CaseRule*> rules;
        bool contactRule = false;  ///< a contact_request rule applies
        bool commentRule = false;  ///< a comment_words rule applies
    };
    /// What decides whether an answer can open anything, read in place (no copies): most answers are happy
    /// and without a comment, and cost only this.
    struct AnswerGlance {
        bool unhappy = false;
        bool comment = false;
    };
    StoreCaseRules storeCaseRules(const std::string& store) const;
    AnswerGlance glanceAt(const IngestMessage& m) const;
    bool unhappyAt(std::optional<std::int64_t> nps, std::optional<std::int64_t> csat) const;
    StoreResult<void> considerCase(CaseRepository& repo, const std::vector<const CaseRule*>& rules,
                                   const FeedbackAnswer& a, bool hasContact, std::int64_t nowMs,
                                   FeedbackRulesOutcome& out) const;
    StoreResult<void> evaluateAlerts(CaseRepository& repo, const std::string& store,
                                     const std::vector<std::int64_t>& newTimes, std::int64_t nowMs,
                                     FeedbackRulesOutcome& out) const;
    /// The three reasons given most often by the unhappy answers in `window`, with their counts.
    std::vector<std::pair<std::string, std::int64_t>> topUnhappyReasons(std::span<const FeedbackAnswer> window) const;
    StoreResult<void> notify(CaseRepository& repo, bool isAlert, const std::string& refId,
                             const std::string& store, const std::string& payload, std::int64_t nowMs,
                             FeedbackRulesOutcome& out) const;

    CasesConfig m_cases;
    NotificationsConfig m_notifications;
    std::string m_phoneRegion;
    std::function<std::string(std::int64_t)> m_newId;
};

}  // namespace touchpoint::hub
