// POST /v1/batch, /v1/import and the single-call endpoints /v1/track, /v1/identify, /v1/alias, /v1/page,
// /v1/screen, /v1/group (docs/PROTOCOL.md).

#include "common/log.hpp"
#include "hub/http/hub_server.hpp"
#include "hub/ingest/personal_text.hpp"
#include "hub/ingest/rejection_excerpt.hpp"
#include "hub/ingest/token_claims.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

const char* statusName(ReceiptStatus s) { return s == ReceiptStatus::Accepted ? "accepted" : "duplicate"; }

/// Rejections of one request kept with their masked payloads (the store keeps the newest per source anyway).
constexpr std::size_t kRejectionsKeptPerRequest = 10;
constexpr std::size_t kExcerptBytes = 2048;

/// Logs a rejection (rate-limited per source; no personal data: token name, message id, reason) and keeps it
/// for the Sources page. The message id and the reason can hold the sender's text (a reason names the key at
/// fault, and a key can be an e-mail address): both are masked like a comment before they are logged or kept.
void noteRejection(HubContext& ctx, const std::string& source, std::int64_t nowMs, const std::string& rawMessageId,
                   const std::string& rawReason, const nlohmann::json* message, std::vector<SourceRejection>& kept) {
    ctx.metrics.countReject(source, rawReason);
    const std::string messageId = maskPersonalText(rawMessageId.substr(0, kMaxIdLength));
    const std::string reason = maskPersonalText(rawReason.substr(0, 512));
    std::int64_t suppressed = 0;
    const bool admitted = ctx.sourceLedger.admitLogLine(source, nowMs, suppressed);
    if (suppressed > 0) {
        log::warn("ingest", "rejections not logged (rate limit)", {{"source", source}, {"count", std::to_string(suppressed)}});
    }
    if (admitted) {
        log::warn("ingest", "message rejected",
                  {{"source", source}, {"messageId", messageId.substr(0, 128)}, {"reason", reason.substr(0, 256)}});
    }
    if (kept.size() < kRejectionsKeptPerRequest) {
        kept.push_back({nowMs, messageId, reason, message ? maskedExcerpt(*message, kExcerptBytes) : std::string()});
    }
}

/// Hands one request's outcome to the ledger and writes the ledger when due; a failed write is retried later.
void recordSource(HubContext& ctx, const std::string& source, std::int64_t nowMs, const std::string& library,
                  std::int64_t accepted, std::int64_t duplicate, std::int64_t rejected, std::vector<SourceRejection> kept) {
    ctx.metrics.countSource(source, "accepted", accepted);
    ctx.metrics.countSource(source, "duplicate", duplicate);
    ctx.metrics.countSource(source, "rejected", rejected);
    ctx.sourceLedger.record(source, nowMs, library, accepted, duplicate, rejected, std::move(kept));
    if (auto r = ctx.sourceLedger.flush(*ctx.store, nowMs); !r) {
        log::warn("ingest", "source counts not stored yet", {{"error", r.error().message}});
    }
}

void ingest(HubContext& ctx, const http::Request& req, http::Response& res, std::optional<std::string> single) {
    const auto source = ctx.authorize(req, res, kScopeIngest);
    if (!source) return;
    ParseOptions options;
    options.singleType = std::move(single);
    options.receivedAtMs = ctx.clock->utcMs();
    options.unsealer = &ctx.unsealer;
    auto parsed = parseBatch(req.body, options);
    if (!parsed) {
        // The whole body is refused: one rejection for the source, named by what was wrong with the body.
        const std::string label = parsed.error().status == 413 ? "body_too_large" : "body_malformed";
        std::vector<SourceRejection> kept;
        noteRejection(ctx, source->name, options.receivedAtMs, "", label + ": " + parsed.error().message, nullptr, kept);
        recordSource(ctx, source->name, options.receivedAtMs, "", 0, 0, 1, std::move(kept));
        sendError(res, parsed.error().status, parsed.error().message);
        return;
    }
    std::vector<const IngestMessage*> valid;
    for (auto& v : parsed->verdicts) {
        if (!v.message) continue;
        // Store, kiosk and channel come from the token; a claim it may not make rejects that message only.
        if (auto refused = applyTokenClaims(*v.message, *source); !refused.empty()) {
            v.message.reset();
            v.reason = std::move(refused);
            continue;
        }
        valid.push_back(&*v.message);
    }
    std::vector<ReceiptStatus> stored;
    if (!valid.empty()) {
        IngestStats stats;
        auto r = ctx.store->ingest(valid, stats);
        if (!r) {
            // Nothing of the batch was committed; the sender keeps it and retries. /healthz says degraded
            // until a write succeeds again.
            log::error("hub", "ingest failed", {{"error", r.error().message}});
            ctx.writeHealth.recordFailure("store writes failing: " + r.error().message, ctx.clock->utcMs());
            res.setHeader("Retry-After", r.error().retryable ? "1" : "10");
            sendError(res, 503, "store unavailable, retry later");
            return;
        }
        stored = std::move(r).value();
        ctx.writeHealth.recordSuccess();
        ctx.metrics.countMerges(stats.merges);
        ctx.metrics.countSkewed(stats.skewFlagged);
        ctx.metrics.countAlertWindows(stats.alertWindowsFromMemory, stats.alertWindowsFromDatabase);
        if (stats.identityConflicts > 0) {
            // Counted and logged by token, never with the identifiers themselves.
            ctx.metrics.countIdentityConflicts(stats.identityConflicts);
            log::warn("hub", "identity ties refused", {{"token", source->name}, {"count", std::to_string(stats.identityConflicts)}});
        }
    }
    json receipts = json::array();
    std::size_t next = 0;
    std::int64_t accepted = 0, duplicate = 0;
    std::string library;
    std::vector<SourceRejection> kept;
    for (const auto& v : parsed->verdicts) {
        if (v.message) {
            const auto status = stored.at(next++);
            (status == ReceiptStatus::Accepted ? accepted : duplicate) += 1;
            if (!v.message->library.empty()) library = v.message->library;
            receipts.push_back({{"messageId", v.messageId}, {"status", statusName(status)}});
        } else {
            noteRejection(ctx, source->name, options.receivedAtMs, v.messageId, v.reason, &v.rejected, kept);
            receipts.push_back({{"messageId", v.messageId}, {"status", "rejected"}, {"reason", v.reason}});
        }
    }
    const auto rejected = static_cast<std::int64_t>(parsed->verdicts.size() - valid.size());
    ctx.metrics.countReceipt("accepted", accepted);
    ctx.metrics.countReceipt("duplicate", duplicate);
    ctx.metrics.countReceipt("rejected", rejected);
    recordSource(ctx, source->name, options.receivedAtMs, library, accepted, duplicate, rejected, std::move(kept));
    sendJson(res, {{"receipts", std::move(receipts)}, {"serverTime", formatIsoUtcMs(ctx.clock->utcMs())}});
}

}  // namespace

void registerIngestRoutes(http::Router& router, HubContext& ctx) {
    // Bodies may be gzip: the cap applies to what arrives and again while inflating. Web pages post here from
    // their own site (analytics.js), so every answer allows any origin (the write key decides what is kept).
    auto options = [](const std::string& path) {
        auto o = routeOptions(path, kScopeIngest, event::kMaxBatchBytes);
        o.maxInflatedBytes = event::kMaxBatchBytes;
        o.cors = true;
        return o;
    };
    // A browser asks before it posts with an Authorization header (a CORS preflight): no token, no body.
    auto preflight = [&router](const std::string& path) {
        auto o = routeOptions("OPTIONS " + path, "");
        o.cors = true;
        router.add("OPTIONS", path, o, [](const http::Request&, http::Response& res) {
            res.status = 204;
            res.setHeader("Access-Control-Allow-Methods", "POST");
            res.setHeader("Access-Control-Allow-Headers",
                          "Authorization, Content-Type, Content-Encoding, X-Retry-Count");
            res.setHeader("Access-Control-Max-Age", "600");
        });
    };
    // Segment's /v1/import is /v1/batch under another name (historical imports carry their own timestamps),
    // and /v1/b is analytics.js's short name for it (its batching delivery).
    for (const char* path : {"/v1/batch", "/v1/import", "/v1/b"}) {
        const std::string name = std::string(path) == "/v1/b" ? "/v1/batch" : path;
        router.post(path, options(name),
                    guarded(ctx, name, [&ctx](const http::Request& req, http::Response& res) {
                        ingest(ctx, req, res, std::nullopt);
                    }));
        preflight(path);
    }
    // analytics.js (Segment's browser library) posts each call to the type's first letter: /v1/t, /v1/p, ...
    for (const char* type : {"track", "identify", "alias", "page", "screen", "group"}) {
        const std::string path = std::string("/v1/") + type;
        for (const std::string& posted : {path, "/v1/" + std::string(1, type[0])}) {
            router.post(posted, options(path),
                        guarded(ctx, path,
                                [&ctx, t = std::string(type)](const http::Request& req, http::Response& res) {
                                    ingest(ctx, req, res, t);
                                }));
            preflight(posted);
        }
    }
}

}  // namespace touchpoint::hub
