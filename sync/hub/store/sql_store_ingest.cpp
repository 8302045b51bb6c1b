// The ingest transaction: dedupe and fleet state here; the identity graph, loyalty and journey stage in
// sql_store_journey.cpp. Every message of a batch is applied inside one transaction, in request order.

#include <set>

#include "common/clock.hpp"
#include "event/message.hpp"
#include "hub/ingest/json_props.hpp"
#include "hub/store/sql_store.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

struct KioskUpdate {
    std::int64_t lastSeen = 0;
    std::string appVersion;
    std::optional<std::int64_t> clockOffsetMs;
    bool skewed = false;
    std::int64_t events = 0;
    std::int64_t heartbeatAt = -1;
    std::optional<std::int64_t> queueDepth, oldestPendingS, deadLetters;
    std::optional<std::string> drops;
};

SqlValue opt(const std::optional<std::int64_t>& v) { return v ? SqlValue{*v} : SqlValue{}; }

/// Events about the kiosk or about someone else (a staff lookup) never touch a shopper's profile.
bool carriesShopperIdentity(const IngestMessage& m) {
    return m.event != event::names::kHeartbeat && m.event != event::names::kStaffLookup;
}

/// Removes what could identify a person from a stored payload (tombstoned identities).
void stripPersonal(json& payload) {
    for (const char* section : {"properties", "traits"}) {
        if (!payload.contains(section)) continue;
        json& bag = payload[section];
        if (!bag.is_object()) continue;
        for (const char* key : {"phone", "email", "comment", "name", "firstName", "lastName", "identifier", "address"}) {
            bag.erase(key);
        }
    }
    payload.erase("userId");
    payload.erase("anonymousId");
    if (auto c = payload.find("context"); c != payload.end() && c->is_object()) {
        c->erase("traits");
        c->erase("ip");
    }
}

}  // namespace

StoreResult<std::vector<ReceiptStatus>> SqlHubStore::ingest(const std::vector<const IngestMessage*>& messages,
                                                            IngestStats& stats) {
    std::vector<Identifiers> identifiers;
    identifiers.reserve(messages.size());
    for (const IngestMessage* m : messages) identifiers.push_back(messageIdentifiers(*m));
    // PostgreSQL runs transactions side by side (and groups commits itself); only SQLite has one writer.
    if (m_dialect != Dialect::Sqlite) {
        std::vector<const Identifiers*> ids;
        for (const auto& i : identifiers) ids.push_back(&i);
        return ingestOnce(messages, ids, stats);
    }

    GroupJob mine;
    mine.messages = &messages;
    mine.identifiers = &identifiers;
    std::vector<GroupJob*> group;
    {
        std::unique_lock<std::mutex> lock(m_groupMutex);
        m_groupQueue.push_back(&mine);
        // Wait until a leader has stored our messages, or until no leader runs and we lead the next group.
        m_groupCv.wait(lock, [&] { return mine.done || (!mine.taken && !m_groupLeaderActive); });
        if (mine.done) return std::move(*mine.result);
        m_groupLeaderActive = true;
        group.swap(m_groupQueue);
        for (GroupJob* job : group) job->taken = true;
    }
    std::vector<const IngestMessage*> all;
    std::vector<const Identifiers*> allIds;
    for (const GroupJob* job : group) {
        all.insert(all.end(), job->messages->begin(), job->messages->end());
        for (const auto& i : *job->identifiers) allIds.push_back(&i);
    }
    auto stored = ingestOnce(all, allIds, stats, false);
    {
        std::lock_guard<std::mutex> lock(m_groupMutex);
        m_groupLeaderActive = false;
    }
    // The next group's transaction is written while this one's log reaches the disk; no receipt is given
    // before it has.
    m_groupCv.notify_all();
    if (stored) {
        if (auto d = makeDurable(); !d) stored = Fail(d.error());
    }
    {
        std::lock_guard<std::mutex> lock(m_groupMutex);
        std::size_t offset = 0;
        for (GroupJob* job : group) {
            const auto n = job->messages->size();
            if (stored) {
                job->result.emplace(std::vector<ReceiptStatus>(stored->begin() + static_cast<std::ptrdiff_t>(offset),
                                                               stored->begin() + static_cast<std::ptrdiff_t>(offset + n)));
            } else {
                job->result.emplace(Fail(stored.error()));
            }
            offset += n;
            job->done = true;
        }
    }
    m_groupCv.notify_all();
    return std::move(*mine.result);
}

StoreResult<std::vector<ReceiptStatus>> SqlHubStore::ingestOnce(const std::vector<const IngestMessage*>& messages,
                                                                const std::vector<const Identifiers*>& identifiers,
                                                                IngestStats& stats, bool durable) {
    return write<std::vector<ReceiptStatus>>([&](SqlConnection& c) -> StoreResult<std::vector<ReceiptStatus>> {
        std::vector<ReceiptStatus> out;
        out.reserve(messages.size());
        BatchState b;
        auto t = c.query("SELECT 1 FROM tombstones LIMIT 1");
        if (!t) return Fail(t.error());
        b.hasTombstones = !t->empty();
        std::map<std::pair<std::string, std::string>, KioskUpdate> kiosks;
        std::set<std::string> inBatch;
        std::int64_t skewed = 0;

        for (std::size_t i = 0; i < messages.size(); ++i) {
            const IngestMessage& m = *messages[i];
            if (!inBatch.insert(m.messageId).second) {
                out.push_back(ReceiptStatus::Duplicate);
                continue;
            }
            auto seen = c.query("SELECT 1 FROM events WHERE message_id = ?", {std::string_view(m.messageId)});
            if (!seen) return Fail(seen.error());
            if (!seen->empty()) {
                out.push_back(ReceiptStatus::Duplicate);
                continue;
            }
            std::optional<std::string> profile;
            bool tombstoned = false;
            if (carriesShopperIdentity(m)) {
                auto p = resolveProfile(c, m, *identifiers[i], b);
                if (!p) {
                    if (p.error().message != "tombstoned") return Fail(p.error());
                    tombstoned = true;  // an erased person's late event: keep the fact, not the person
                } else {
                    profile = std::move(p).value();
                }
            }
            std::string strippedText;
            if (tombstoned) {
                json payload = json::parse(m.payloadText, nullptr, false);
                stripPersonal(payload);
                strippedText = payload.dump(-1, ' ', false, json::error_handler_t::replace);
            }
            auto ins = c.exec("INSERT INTO events(message_id, type, event, at, day, received_at, store_id, kiosk_id, channel, "
                              "profile_id, payload) VALUES(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(message_id) DO NOTHING",
                              {std::string_view(m.messageId), std::string_view(m.type), std::string_view(m.event),
                               m.correctedMs, formatIsoUtcDay(m.correctedMs), m.receivedMs, std::string_view(m.storeId),
                               std::string_view(m.kioskId), std::string_view(m.channel),
                               profile ? SqlValue{std::string_view(*profile)} : SqlValue{},
                               std::string_view(tombstoned ? strippedText : m.payloadText)});
            if (!ins) return Fail(ins.error());
            // Another hub stored this message since we looked: redo the batch so it is reported as duplicate.
            if (*ins == 0) return Fail(StoreError{"message stored concurrently", true});
            if (auto r = applyMessage(c, b, m, profile, tombstoned); !r) return Fail(r.error());

            if (!m.kioskId.empty()) {
                auto& k = kiosks[{m.storeId, m.kioskId}];
                ++k.events;
                k.lastSeen = std::max(k.lastSeen, m.receivedMs);
                if (!m.appVersion.empty()) k.appVersion = m.appVersion;
                if (m.clockOffsetMs) {
                    k.clockOffsetMs = m.clockOffsetMs;
                    k.skewed = std::llabs(*m.clockOffsetMs) > m_config.clockSkewFlagSeconds * 1000;
                    if (k.skewed) ++skewed;
                }
                if (m.event == event::names::kHeartbeat && m.correctedMs >= k.heartbeatAt) {
                    k.heartbeatAt = m.correctedMs;
                    k.queueDepth = intProp(m.properties, "queueDepth");
                    k.oldestPendingS = intProp(m.properties, "oldestPendingAgeS");
                    k.deadLetters = intProp(m.properties, "deadLetters");
                    if (auto d = m.properties.find("drops"); d != m.properties.end() && d->is_object()) k.drops = d->dump();
                    if (auto v = strProp(m.properties, "appVersion")) k.appVersion = *v;
                }
            }
            out.push_back(ReceiptStatus::Accepted);
        }
        if (auto f = flushBatch(c, b); !f) return Fail(f.error());
        for (const auto& [key, k] : kiosks) {
            auto r = c.exec(
                "INSERT INTO kiosks(store_id, kiosk_id, last_seen, app_version, clock_offset_ms, skew_flag, queue_depth, "
                "oldest_pending_s, dead_letters, drops, events) VALUES(?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(store_id, kiosk_id) DO UPDATE SET "
                "last_seen = CASE WHEN excluded.last_seen > kiosks.last_seen THEN excluded.last_seen ELSE kiosks.last_seen END, "
                "app_version = CASE WHEN excluded.app_version <> '' THEN excluded.app_version ELSE kiosks.app_version END, "
                "clock_offset_ms = COALESCE(excluded.clock_offset_ms, kiosks.clock_offset_ms), "
                "skew_flag = CASE WHEN excluded.clock_offset_ms IS NULL THEN kiosks.skew_flag ELSE excluded.skew_flag END, "
                "queue_depth = COALESCE(excluded.queue_depth, kiosks.queue_depth), "
                "oldest_pending_s = COALESCE(excluded.oldest_pending_s, kiosks.oldest_pending_s), "
                "dead_letters = COALESCE(excluded.dead_letters, kiosks.dead_letters), "
                "drops = COALESCE(excluded.drops, kiosks.drops), events = kiosks.events + excluded.events",
                {key.first, key.second, k.lastSeen, k.appVersion, opt(k.clockOffsetMs), std::int64_t{k.skewed},
                 opt(k.queueDepth), opt(k.oldestPendingS), opt(k.deadLetters), k.drops ? SqlValue{*k.drops} : SqlValue{},
                 k.events});
            if (!r) return Fail(r.error());
        }
        stats.merges += b.merges;
        stats.skewFlagged += skewed;
        return out;
    }, durable);
}

}  // namespace touchpoint::hub
