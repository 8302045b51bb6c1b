#include "hub/ingest/token_claims.hpp"

#include "event/message.hpp"
#include "hub/ingest/json_props.hpp"

namespace touchpoint::hub {

namespace {

/// Events that record something happening at a kiosk: only a kiosk token can say they happened.
bool kioskOnlyEvent(const IngestMessage& m) {
    namespace n = event::names;
    if (m.event == n::kSignin || m.event == n::kHeartbeat || m.event == n::kStaffLookup) return true;
    // The in-store survey's answers: a public key would move the chain's scores and open cases at will.
    if (m.event == n::kFeedback || m.event == n::kFeedbackAbandoned) return true;
    if (m.event != n::kConsent) return false;
    // Loyalty terms accepted make a member: a sign-up at a kiosk, not something a web page can assert. A
    // consent to be contacted about kiosk feedback opens a case with a contact: kiosks only too.
    return hasPurpose(m.properties, "loyalty_terms") || hasPurpose(m.properties, n::kPurposeFeedbackContact);
}

}  // namespace

bool isSourceKind(std::string_view kind) { return kind == kKindWeb || kind == kKindApp || kind == kKindServer; }

std::string applyTokenClaims(IngestMessage& m, const TokenRecord& token) {
    if (token.kind == kKindKiosk) {
        if (token.storeId.empty() || token.kioskId.empty()) return "token: not bound to a store and kiosk";
        if (!m.storeId.empty() && m.storeId != token.storeId) return "storeId: this token speaks for another store";
        if (!m.kioskId.empty() && m.kioskId != token.kioskId) return "kioskId: this token speaks for another kiosk";
        m.storeId = token.storeId;
        m.kioskId = token.kioskId;
        m.channel = std::string(event::kKioskChannel);
        m.sourceKind = token.kind;
        m.sourceName = token.name;
        return {};
    }
    if (!isSourceKind(token.kind)) return "token: may not send events";
    if (!m.storeId.empty()) return "storeId: a write key cannot claim a store";
    if (!m.kioskId.empty()) return "kioskId: a write key cannot claim a kiosk";
    if (kioskOnlyEvent(m)) return "event: only a kiosk token may send \"" + m.event + "\"";
    // A web or app key's traffic is its kind's. A server key (the retailer's back end) may relay its web and app
    // traffic when the message says or shows so (the parser's channel); anything else it sends is server traffic.
    const bool relayed = token.kind == kKindServer && m.channelStated && (m.channel == "web" || m.channel == "app");
    if (!relayed) m.channel = token.kind;
    m.sourceKind = token.kind;
    m.sourceName = token.name;
    return {};
}

}  // namespace touchpoint::hub
