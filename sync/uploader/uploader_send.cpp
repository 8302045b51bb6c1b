// Sending the outbox's batches: read ahead, encoded and gzipped while the previous request is in flight, a
// whole-batch refusal bisected to find the poison message. Part of the uploader's worker (uploader_worker.hpp).
#include <algorithm>
#include <future>

#include "common/log.hpp"
#include "protocol/gzip.hpp"
#include "protocol/wire.hpp"
#include "uploader/uploader_worker.hpp"

namespace touchpoint::uploader {

Classification Uploader::Worker::deliver(std::vector<outbox::PendingEvent>& batch) {
    // A payload that is not a JSON object would break the whole batch body: it is poison, found locally.
    std::vector<std::string> bad;
    std::erase_if(batch, [&](const outbox::PendingEvent& e) {
        if (protocol::checkPayload(e.payload)) return false;
        bad.push_back(e.messageId);
        return true;
    });
    if (!bad.empty()) {
        if (auto r = outbox->deadLetter(bad, "invalid_payload", 0); !r) {
            log::error(kLog, "cannot dead-letter invalid payloads", {{"error", r.error().message}});
        } else {
            log::warn(kLog, "invalid payloads dead-lettered", {{"count", std::to_string(bad.size())}});
            updateHealth([&](HealthSnapshot& h) { h.eventsRejected += static_cast<std::int64_t>(bad.size()); });
        }
    }
    if (batch.empty()) {
        Classification c;
        c.verdict = Verdict::Delivered;
        c.causeCode = "ok";
        return c;
    }

    // The batch read may hold several requests' worth. Cut it into requests by bytes, and while one request
    // is in flight compress the next on a helper thread: the hub's work and ours overlap. (Its sentAt is then
    // stamped a request earlier than it leaves, which the hub's skew correction tolerates.)
    std::vector<std::pair<std::size_t, std::size_t>> chunks;
    std::size_t chunkStart = 0;
    std::size_t bytes = kBatchOverhead;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        bytes += batch[i].payload.size() + 1;
        if (i > chunkStart && (bytes > opt.maxBatchBytes || i - chunkStart >= std::max<std::size_t>(1, opt.maxBatchEvents))) {
            chunks.emplace_back(chunkStart, i);
            chunkStart = i;
            bytes = kBatchOverhead + batch[i].payload.size() + 1;
        }
    }
    chunks.emplace_back(chunkStart, batch.size());

    std::size_t chunkBase = 0;
    auto send = [&](std::size_t begin, std::size_t end) { return sendRange(batch, chunkBase + begin, chunkBase + end); };
    auto poison = [&](std::size_t relative, const Classification& why) {
        const auto& e = batch[chunkBase + relative];
        auto r = outbox->deadLetter({e.messageId}, why.causeCode, why.httpStatus);
        if (!r) {
            log::error(kLog, "cannot dead-letter a refused message", {{"error", r.error().message}});
            return false;
        }
        log::warn(kLog, "message refused by the hub dead-lettered",
                  {{"messageId", e.messageId}, {"status", std::to_string(why.httpStatus)}, {"cause", why.cause}});
        updateHealth([](HealthSnapshot& h) { ++h.eventsRejected; });
        return true;
    };
    SplitOutcome out;
    for (std::size_t ci = 0; ci < chunks.size(); ++ci) {
        const auto [cb, ce] = chunks[ci];
        chunkBase = cb;
        std::future<Prepared> next;
        if (ci + 1 < chunks.size()) {
            const auto [nb, ne] = chunks[ci + 1];
            next = std::async(std::launch::async, [this, &batch, nb = nb, ne = ne] { return prepare(batch, nb, ne); });
        }
        out = deliverSplitting(ce - cb, send, poison);
        if (next.valid()) {
            ready = next.get();  // waits for the helper; a failed chunk below simply drops it
        }
        if (out.last.verdict != Verdict::Delivered) break;
    }
    ready.reset();
    if (out.last.verdict != Verdict::Delivered && out.last.verdict != Verdict::Aborted && out.last.requestSent) {
        std::vector<std::int64_t> rows;
        rows.reserve(batch.size());
        for (const auto& e : batch) rows.push_back(e.rowId);
        if (auto r = outbox->noteAttempt(rows); !r) {
            log::warn(kLog, "cannot record the failed attempt", {{"error", r.error().message}});
        }
    }
    return out.last;
}

Uploader::Worker::Prepared Uploader::Worker::prepare(const std::vector<outbox::PendingEvent>& batch, std::size_t begin,
                                                    std::size_t end) const {
    Prepared p;
    p.begin = begin;
    std::vector<std::string_view> payloads;
    payloads.reserve(end - begin);
    p.ids.reserve(end - begin);
    std::size_t bytes = kBatchOverhead;
    for (std::size_t i = begin; i < end; ++i) {
        // readBatch bounds the payload bytes; the commas and the wrapper must fit too.
        bytes += batch[i].payload.size() + 1;
        if (bytes > opt.maxBatchBytes && !payloads.empty()) {
            end = i;
            break;
        }
        payloads.push_back(batch[i].payload);
        p.ids.push_back(batch[i].messageId);
    }
    p.end = end;
    std::string body;
    p.sentAt = clock.utcMs();
    protocol::encodeBatch(payloads, p.sentAt, body);
    auto gz = protocol::gzipCompress(body, opt.gzipLevel);
    if (gz) {
        p.gz = std::move(gz.value());
    } else {
        p.error = gz.error();
    }
    return p;
}

Classification Uploader::Worker::sendRange(const std::vector<outbox::PendingEvent>& batch, std::size_t begin,
                                           std::size_t end) {
    Prepared p;
    if (ready && ready->begin == begin && ready->end == end) {
        p = std::move(*ready);
    } else {
        p = prepare(batch, begin, end);
    }
    ready.reset();
    if (!p.error.empty()) {
        Classification c;
        c.verdict = Verdict::Retry;
        c.causeCode = "gzip_error";
        c.cause = p.error;
        return c;
    }
    const auto& ids = p.ids;
    const std::int64_t sentAt = p.sentAt;
    const Prepared& gzHolder = p;
    static const std::vector<std::string> kHeaders{"Content-Type: application/json", "Content-Encoding: gzip"};
    const auto result = client->post(protocol::kBatchPath, gzHolder.gz, kHeaders, opt.token);
    const std::int64_t receivedAt = clock.utcMs();
    Classification c = classifyResponse(result, ids, receivedAt);

    std::optional<std::int64_t> offset;
    if (c.verdict == Verdict::Delivered && c.receipts.serverTimeMs) {
        offset = *c.receipts.serverTimeMs - (sentAt + receivedAt) / 2;
    } else if (c.serverDateMs) {
        offset = *c.serverDateMs + 500 - receivedAt;  // Date has whole seconds: assume the middle
    }
    std::int64_t acknowledged = 0;
    std::int64_t duplicates = 0;
    std::int64_t rejected = 0;
    if (c.verdict == Verdict::Delivered) {
        std::vector<outbox::Receipt> receipts;
        receipts.reserve(c.receipts.receipts.size());
        for (const auto& r : c.receipts.receipts) {
            outbox::Receipt o;
            o.messageId = r.messageId;
            o.reason = r.reason;
            switch (r.status) {
            case protocol::ReceiptStatus::Accepted: o.status = outbox::Receipt::Status::Accepted; ++acknowledged; break;
            case protocol::ReceiptStatus::Duplicate: o.status = outbox::Receipt::Status::Duplicate; ++acknowledged; ++duplicates; break;
            case protocol::ReceiptStatus::Rejected: o.status = outbox::Receipt::Status::Rejected; ++rejected; break;
            }
            receipts.push_back(std::move(o));
        }
        if (auto r = outbox->applyReceipts(receipts, 200); !r) {
            // The hub has the batch; the rows stay pending and the next attempt gets "duplicate" receipts.
            c.verdict = Verdict::Retry;
            c.causeCode = "outbox_error";
            c.cause = "cannot record the hub's receipt: " + r.error().message;
            acknowledged = duplicates = rejected = 0;
        }
    }
    const std::int64_t wire = result.ok() ? result->bytesUploaded : 0;
    updateHealth([&](HealthSnapshot& h) {
        ++h.requests;
        h.bytesSent += wire;
        h.eventsSent += acknowledged;
        // The applied receipts left the queue in the same step, so a reader never sees them sent and still
        // queued; the next stats refresh sets the exact figures (bytes and age too).
        h.queueDepth = std::max<std::int64_t>(0, h.queueDepth - acknowledged - rejected);
        h.eventsDuplicate += duplicates;
        h.eventsRejected += rejected;
        h.lastAttemptMs = receivedAt;
        h.lastHttpStatus = c.httpStatus;
        if (offset) h.clockOffsetMs = offset;
    });
    log::debug(kLog, "batch attempt",
               {{"events", std::to_string(ids.size())}, {"bytes", std::to_string(gzHolder.gz.size())},
                {"verdict", std::string(toString(c.verdict))}, {"status", std::to_string(c.httpStatus)}});
    return c;
}

}  // namespace touchpoint::uploader
