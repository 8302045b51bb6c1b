// POST /v1/batch, /v1/track, /v1/identify, /v1/alias (docs/PROTOCOL.md).

#include "common/log.hpp"
#include "hub/http/hub_server.hpp"
#include "hub/ingest/token_claims.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

const char* statusName(ReceiptStatus s) { return s == ReceiptStatus::Accepted ? "accepted" : "duplicate"; }

void ingest(HubContext& ctx, const http::Request& req, http::Response& res, std::optional<std::string> single) {
    const auto token = ctx.authorize(req, res, kScopeIngest);
    if (!token) return;
    ParseOptions options;
    options.singleType = std::move(single);
    options.receivedAtMs = ctx.clock->utcMs();
    options.unsealer = &ctx.unsealer;
    auto parsed = parseBatch(req.body, options);
    if (!parsed) {
        ctx.metrics.countReject(parsed.error().status == 413 ? "body_too_large" : "body_malformed");
        sendError(res, parsed.error().status, parsed.error().message);
        return;
    }
    std::vector<const IngestMessage*> valid;
    for (auto& v : parsed->verdicts) {
        if (!v.message) continue;
        // Store, kiosk and channel come from the token; a claim it may not make rejects that message only.
        if (auto refused = applyTokenClaims(*v.message, *token); !refused.empty()) {
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
            ctx.writeHealth.recordFailure(r.error().message, ctx.clock->utcMs());
            res.setHeader("Retry-After", r.error().retryable ? "1" : "10");
            sendError(res, 503, "store unavailable, retry later");
            return;
        }
        stored = std::move(r).value();
        ctx.writeHealth.recordSuccess();
        ctx.metrics.countMerges(stats.merges);
        ctx.metrics.countSkewed(stats.skewFlagged);
        if (stats.identityConflicts > 0) {
            // Counted and logged by token, never with the identifiers themselves.
            ctx.metrics.countIdentityConflicts(stats.identityConflicts);
            log::warn("hub", "identity ties refused", {{"token", token->name}, {"count", std::to_string(stats.identityConflicts)}});
        }
    }
    json receipts = json::array();
    std::size_t next = 0;
    std::int64_t accepted = 0, duplicate = 0;
    for (const auto& v : parsed->verdicts) {
        if (v.message) {
            const auto status = stored.at(next++);
            (status == ReceiptStatus::Accepted ? accepted : duplicate) += 1;
            receipts.push_back({{"messageId", v.messageId}, {"status", statusName(status)}});
        } else {
            ctx.metrics.countReject(v.reason);
            receipts.push_back({{"messageId", v.messageId}, {"status", "rejected"}, {"reason", v.reason}});
        }
    }
    ctx.metrics.countReceipt("accepted", accepted);
    ctx.metrics.countReceipt("duplicate", duplicate);
    ctx.metrics.countReceipt("rejected", static_cast<std::int64_t>(parsed->verdicts.size() - valid.size()));
    sendJson(res, {{"receipts", std::move(receipts)}, {"serverTime", formatIsoUtcMs(ctx.clock->utcMs())}});
}

}  // namespace

void registerIngestRoutes(http::Router& router, HubContext& ctx) {
    // Bodies may be gzip: the cap applies to what arrives and again while inflating.
    auto options = [](const std::string& path) {
        auto o = routeOptions(path, kScopeIngest, event::kMaxBatchBytes);
        o.maxInflatedBytes = event::kMaxBatchBytes;
        return o;
    };
    router.post("/v1/batch", options("/v1/batch"),
                guarded(ctx, "/v1/batch", [&ctx](const http::Request& req, http::Response& res) {
                    ingest(ctx, req, res, std::nullopt);
                }));
    for (const char* type : {"track", "identify", "alias", "page", "screen"}) {
        const std::string path = std::string("/v1/") + type;
        router.post(path, options(path),
                    guarded(ctx, path, [&ctx, t = std::string(type)](const http::Request& req, http::Response& res) {
                        ingest(ctx, req, res, t);
                    }));
    }
}

}  // namespace touchpoint::hub
