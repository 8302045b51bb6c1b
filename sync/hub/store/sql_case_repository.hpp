#pragma once
// CaseRepository on the ingest transaction's connection (the feedback rules' reads and writes). Internal to
// the hub library.

#include "hub/cases/case_repository.hpp"
#include "hub/privacy/field_cipher.hpp"
#include "hub/store/answer_windows.hpp"
#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub {

class SqlCaseRepository final : public CaseRepository {
  public:
    /// `cipher` seals the contacts it saves and opens the stored messages it reads; `windows` (may be null)
    /// holds the stores' recent answers that this transaction stamped.
    SqlCaseRepository(SqlConnection& c, const privacy::FieldCipher& cipher, AnswerWindows::Transaction* windows)
        : m_c(c), m_cipher(cipher), m_windows(windows) {}

    StoreResult<std::span<const FeedbackAnswer>> answers(const std::string& store, std::int64_t fromMs,
                                                         std::int64_t toMs) override;
    StoreResult<std::optional<FeedbackAnswer>> feedback(const std::string& messageId) override;
    StoreResult<std::set<std::pair<std::string, std::string>>> contactsGiven(
        const std::vector<std::string>& feedbackMessageIds) override;
    StoreResult<bool> saveContact(const ContactRequest& contact) override;
    StoreResult<bool> recordAlert(const AlertRecord& alert) override;
    StoreResult<bool> openCase(const CaseOpening& opening) override;
    StoreResult<void> enqueueNotification(const NotificationRequest& request) override;

    /// Windows answers() found in memory, and read from the database.
    std::int64_t windowsFromMemory() const { return m_fromMemory; }
    std::int64_t windowsFromDatabase() const { return m_fromDatabase; }

  private:
    /// Answers of `store` captured in [fromMs, toMs] from the database, in order; at most `limit` (0: all).
    StoreResult<std::vector<FeedbackAnswer>> readAnswers(const std::string& store, std::int64_t fromMs,
                                                         std::int64_t toMs, std::size_t limit);

    SqlConnection& m_c;
    const privacy::FieldCipher& m_cipher;
    AnswerWindows::Transaction* m_windows;
    std::vector<FeedbackAnswer> m_read;  ///< the last window read from the database
    std::int64_t m_fromMemory = 0, m_fromDatabase = 0;
};

}  // namespace touchpoint::hub
