#pragma once
// What a message may claim, judged by the token that sent it (docs/PROTOCOL.md "Who may say what"). The hub
// takes the store, kiosk and channel from the token, never from the body: a kiosk token's messages are stamped
// with its store, kiosk and the kiosk channel (a body naming another is refused); a public write key's
// messages get the key's channel and may not claim a store or send what only a kiosk may (sign-ins, loyalty
// consent, heartbeats, staff lookups). Pure code: one verdict per message, so one bad claim rejects only itself.

#include <string>
#include <string_view>

#include "hub/ingest/batch_parser.hpp"
#include "hub/ingest/token_record.hpp"

namespace touchpoint::hub {

/// web | app | server: the public and back-end write keys.
bool isSourceKind(std::string_view kind);

/// Checks `m` against `token` and stamps what the token decides (store, kiosk, channel, source kind). Returns
/// "" when the message may be stored, else the rejection reason ("field: why", as the parser's reasons).
std::string applyTokenClaims(IngestMessage& m, const TokenRecord& token);

}  // namespace touchpoint::hub
