#pragma once
// What a notification says. The queued payload is JSON with nothing personal in it (store, rule, scores,
// counts, the top reasons, a link to the case or the alerts); each channel renders it at delivery: a
// webhook's JSON body (with Slack-compatible `text` when asked), an e-mail's subject and text.

#include <string>

#include "hub/cases/case_repository.hpp"

namespace touchpoint::hub {

std::string alertPayload(const AlertRecord& alert, const std::string& linkBaseUrl);
std::string casePayload(const CaseOpening& opening, const std::string& linkBaseUrl);

/// One line for people: "Store store-1: 3 of 4 answers unhappy in 15 min (unhappy-share) ...".
std::string notificationLine(const std::string& payload);
/// A webhook's body: the payload, plus "text" (notificationLine) when `slack`.
std::string webhookBody(const std::string& payload, bool slack);
/// A complete RFC 5322 message (CRLF lines) for SMTP.
std::string emailMessage(const std::string& payload, const std::string& from,
                         const std::vector<std::string>& to, const std::string& notificationId,
                         std::int64_t nowMs);
/// The e-mail's subject line.
std::string emailSubject(const std::string& payload);

}  // namespace touchpoint::hub
