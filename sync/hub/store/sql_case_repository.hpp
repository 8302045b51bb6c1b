#pragma once
// CaseRepository on the ingest transaction's connection (the feedback rules' reads and writes). Internal to
// the hub library.

#include "hub/cases/case_repository.hpp"
#include "hub/privacy/field_cipher.hpp"
#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub {

class SqlCaseRepository final : public CaseRepository {
  public:
    /// `cipher` seals the contacts it saves and opens the stored messages it reads.
    SqlCaseRepository(SqlConnection& c, const privacy::FieldCipher& cipher) : m_c(c), m_cipher(cipher) {}

    StoreResult<std::vector<FeedbackAnswer>> answers(const std::string& store, std::int64_t fromMs,
                                                     std::int64_t toMs) override;
    StoreResult<std::optional<FeedbackAnswer>> feedback(const std::string& messageId) override;
    StoreResult<std::set<std::pair<std::string, std::string>>> contactsGiven(
        const std::vector<std::string>& feedbackMessageIds) override;
    StoreResult<bool> saveContact(const ContactRequest& contact) override;
    StoreResult<bool> recordAlert(const AlertRecord& alert) override;
    StoreResult<bool> openCase(const CaseOpening& opening) override;
    StoreResult<void> enqueueNotification(const NotificationRequest& request) override;

  private:
    SqlConnection& m_c;
    const privacy::FieldCipher& m_cipher;
};

}  // namespace touchpoint::hub
