// The ingest transaction: dedupe, stored events and fleet state here; the identity graph, loyalty and journey
// stage are the journey rules (journey/journey_rules.hpp) over a SqlJourneyRepository on the transaction's
// connection. Every message of a batch is applied inside one transaction, in request order.

#include <limits>
#include <set>
#include <unordered_set>

#include "common/clock.hpp"
#include "event/message.hpp"
#include "hub/ingest/json_props.hpp"
#include "hub/store/merge_records.hpp"
#include "hub/store/sql_case_repository.hpp"
#include "hub/store/sql_journey_repository.hpp"
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
    /// Heartbeat configVersion / configRefusal: set together (refusal "" when none) once a kiosk reports either.
    std::optional<std::int64_t> configVersion;
    std::optional<std::string> configRefusal;
};

SqlValue opt(const std::optional<std::int64_t>& v) { return v ? SqlValue{*v} : SqlValue{}; }

/// A contact given for one feedback answer lives in feedback_contacts only, where resolving its case or the
/// retention pass erases it; the stored event keeps the consent without it.
bool isContactConsent(const IngestMessage& m) {
    return m.event == event::names::kConsent && hasPurpose(m.properties, event::names::kPurposeFeedbackContact);
}

/// Whether the stored message keeps less than arrived, whoever sent it (an erased person's is known only in the
/// transaction).
bool storesLessThanArrived(const IngestMessage& m) {
    return isContactConsent(m) || m.event == event::names::kStaffLookup;
}

}  // namespace

void stripPersonalFields(json& payload) {
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

namespace {

/// The message ids of `messages` already stored, looked up together: a few statements per transaction instead
/// of one per message.
StoreResult<std::unordered_set<std::string>> storedMessageIds(SqlConnection& c,
                                                              const std::vector<const IngestMessage*>& messages) {
    constexpr std::size_t kChunk = 256;
    std::unordered_set<std::string> stored;
    for (std::size_t from = 0; from < messages.size(); from += kChunk) {
        std::vector<SqlValue> ids;
        for (std::size_t i = from; i < std::min(messages.size(), from + kChunk); ++i) {
            ids.emplace_back(std::string_view(messages[i]->messageId));
        }
        auto rows = queryIn(c, "SELECT message_id FROM events WHERE message_id", {}, ids);
        if (!rows) return Fail(rows.error());
        for (std::size_t r = 0; r < rows->size(); ++r) stored.insert(rows->text(r, 0));
    }
    return stored;
}

/// A `group` call: the account's traits (the newest call's win, so hubs sharing a database agree whatever the
/// arrival order) and the profile's link to it.
StoreResult<void> linkGroup(SqlConnection& c, const privacy::FieldCipher& cipher, const IngestMessage& m,
                            const std::optional<std::string>& profile) {
    const std::string traits = cipher.seal(privacy::columns::kGroupTraits,
                                           m.groupTraits.dump(-1, ' ', false, json::error_handler_t::replace));
    auto g = c.exec("INSERT INTO account_groups(group_id, traits, updated_at) VALUES(?,?,?) ON CONFLICT(group_id) DO UPDATE "
                    "SET traits = CASE WHEN excluded.updated_at >= account_groups.updated_at THEN excluded.traits "
                    "ELSE account_groups.traits END, updated_at = CASE WHEN excluded.updated_at >= account_groups.updated_at "
                    "THEN excluded.updated_at ELSE account_groups.updated_at END",
                    {std::string_view(m.groupId), std::string_view(traits), m.correctedMs});
    if (!g) return Fail(g.error());
    if (!profile) return {};
    auto l = c.exec("INSERT INTO profile_groups(profile_id, group_id, first_seen, last_seen) VALUES(?,?,?,?) "
                    "ON CONFLICT(profile_id, group_id) DO UPDATE SET "
                    "first_seen = CASE WHEN excluded.first_seen < profile_groups.first_seen THEN excluded.first_seen "
                    "ELSE profile_groups.first_seen END, "
                    "last_seen = CASE WHEN excluded.last_seen > profile_groups.last_seen THEN excluded.last_seen "
                    "ELSE profile_groups.last_seen END",
                    {std::string_view(*profile), std::string_view(m.groupId), m.correctedMs, m.correctedMs});
    if (!l) return Fail(l.error());
    return {};
}

}  // namespace

StoreResult<std::vector<ReceiptStatus>> SqlHubStore::ingest(const std::vector<const IngestMessage*>& messages,
                                                            IngestStats& stats) {
    std::vector<PreparedMessage> prepared;
    prepared.reserve(messages.size());
    for (const IngestMessage* m : messages) {
        PreparedMessage& p = prepared.emplace_back();
        p.identifiers = m_rules.messageIdentifiers(*m);
        p.identifierTags.reserve(p.identifiers.size());
        for (const auto& [kind, value] : p.identifiers)
            p.identifierTags.push_back(m_keys.identifierTags(kind, value));
        if (!storesLessThanArrived(*m)) p.sealedPayload = m_cipher.seal(privacy::columns::kEventPayload, m->payloadText);
    }
    return m_writes->ingest(messages, prepared,
                            [&](SqlConnection& c, const std::vector<const IngestMessage*>& all,
                                const std::vector<const PreparedMessage*>& allPrepared) {
                                return ingestTransaction(c, all, allPrepared, stats);
                            });
}

StoreResult<std::vector<ReceiptStatus>> SqlHubStore::ingestTransaction(SqlConnection& c,
                                                                       const std::vector<const IngestMessage*>& messages,
                                                                       const std::vector<const PreparedMessage*>& prepared,
                                                                       IngestStats& stats) {
    if (c.dialect() == Dialect::Postgres) {
        // Every statement here finds rows by key (tags, ids, message ids, a profile's or a store's recent rows),
        // which one generic plan per statement serves as well as a plan made for its values. PostgreSQL would
        // otherwise plan the batched lookups (up to 128 values in an IN list) afresh on every execution: measured,
        // 7-12% of the server's CPU in an ingest (docs/ARCHITECTURE.md). Only for this transaction.
        if (auto r = c.script("SET LOCAL plan_cache_mode = force_generic_plan"); !r) return Fail(r.error());
    }
    std::vector<ReceiptStatus> out;
    out.reserve(messages.size());
    SqlJourneyRepository repo(c, m_keys, m_cipher);
    std::int64_t merges = 0, conflicts = 0;
    std::map<std::pair<std::string, std::string>, KioskUpdate> kiosks;
    std::set<std::string> inBatch;
    std::vector<const IngestMessage*> forFeedbackRules;
    std::int64_t skewed = 0;
    auto stored = storedMessageIds(c, messages);
    if (!stored) return Fail(stored.error());
    {
        std::vector<const Identifiers*> toResolve;
        std::int64_t firstMs = std::numeric_limits<std::int64_t>::max(), lastMs = std::numeric_limits<std::int64_t>::min();
        for (std::size_t i = 0; i < messages.size(); ++i) {
            if (!stored->count(messages[i]->messageId) && carriesShopperIdentity(*messages[i])) {
                repo.knowTags(prepared[i]->identifiers, prepared[i]->identifierTags);
                toResolve.push_back(&prepared[i]->identifiers);
                firstMs = std::min(firstMs, messages[i]->correctedMs);
                lastMs = std::max(lastMs, messages[i]->correctedMs);
            }
        }
        // The check-ins the rules ask about: within a cooldown of a message's time, or on its UTC day.
        constexpr std::int64_t kDayMs = 86'400'000;
        const std::int64_t margin = std::max(m_config.loyalty.cooldownSeconds * 1000, kDayMs) + kDayMs;
        // A batch spread over a long time (a kiosk back after weeks offline) would read a regular's whole history:
        // then SQL answers each question instead.
        const bool any = !toResolve.empty() && firstMs > std::numeric_limits<std::int64_t>::min() / 2 &&
                         lastMs < std::numeric_limits<std::int64_t>::max() / 2 && lastMs - firstMs <= 31 * kDayMs;
        if (auto p = repo.prefetch(toResolve, any ? firstMs - margin : 0, any ? lastMs + margin : 0); !p) {
            return Fail(p.error());
        }
    }

    for (std::size_t i = 0; i < messages.size(); ++i) {
        const IngestMessage& m = *messages[i];
        if (!inBatch.insert(m.messageId).second) {
            out.push_back(ReceiptStatus::Duplicate);
            continue;
        }
        if (stored->count(m.messageId) != 0) {
            out.push_back(ReceiptStatus::Duplicate);
            continue;
        }
        auto resolved = m_rules.resolveProfile(repo, m, prepared[i]->identifiers);
        if (!resolved) return Fail(resolved.error());
        merges += resolved->merges;
        for (const auto& conflict : resolved->conflicts) {
            // Visible to head office (GET /v1/identity/conflicts): the kind of identifier, never its value.
            auto r = c.defer("INSERT INTO identity_conflicts(at, message_id, source, profile_id, held_by, "
                             "identifier_kind, reason) VALUES(?,?,?,?,?,?,?)",
                             {m.receivedMs, std::string_view(m.messageId), std::string_view(m.sourceName),
                              resolved->profileId ? SqlValue{*resolved->profileId} : SqlValue{},
                              conflict.heldBy ? SqlValue{*conflict.heldBy} : SqlValue{},
                              std::string_view(conflict.identifierKind), std::string_view(conflict.reason)});
            if (!r) return Fail(r.error());
            ++conflicts;
        }
        const std::optional<std::string>& profile = resolved->profileId;
        const bool tombstoned = resolved->tombstoned;  // an erased person's late event: keep the fact, not the person
        std::string strippedText;
        const bool contactConsent = isContactConsent(m);
        if (tombstoned || contactConsent) {
            json payload = json::parse(m.payloadText, nullptr, false);
            if (tombstoned) {
                stripPersonalFields(payload);
            } else if (auto p = payload.find("properties"); p != payload.end() && p->is_object()) {
                p->erase("phone");
                p->erase("email");
            }
            strippedText = payload.dump(-1, ' ', false, json::error_handler_t::replace);
        } else if (m.event == event::names::kStaffLookup) {
            auto text = storeStaffLookup(c, m);  // the looked-up identifier only as a keyed tag
            if (!text) return Fail(text.error());
            strippedText = std::move(text).value();
        }
        // The stored message keeps its personal fields (sealed ones opened) only encrypted: sealed before the
        // transaction as it arrived, or here when less is kept.
        const std::string sealedPayload = strippedText.empty() && !prepared[i]->sealedPayload.empty()
                                              ? prepared[i]->sealedPayload
                                              : m_cipher.seal(privacy::columns::kEventPayload,
                                                              strippedText.empty() ? m.payloadText : strippedText);
        // Another hub may store this message after the look-up: then the insert changes no row and the batch runs
        // again, so the message is reported as a duplicate.
        auto ins = c.defer("INSERT INTO events(message_id, type, event, at, day, received_at, store_id, kiosk_id, channel, "
                          "profile_id, payload) VALUES(?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(message_id) DO NOTHING",
                          {std::string_view(m.messageId), std::string_view(m.type), std::string_view(m.event),
                           m.correctedMs, formatIsoUtcDay(m.correctedMs), m.receivedMs, std::string_view(m.storeId),
                           std::string_view(m.kioskId), std::string_view(m.channel),
                           profile ? SqlValue{std::string_view(*profile)} : SqlValue{},
                           std::string_view(sealedPayload)},
                          StoreError{"message stored concurrently", true});
        if (!ins) return Fail(ins.error());
        if (profile) repo.noteRows(*profile, kEventRows);
        if (!resolved->conflicts.empty() && !tombstoned) {
            if (auto r = recordUnlinkedMentions(c, m, prepared[i]->identifiers); !r) return Fail(r.error());
        }
        if (auto r = m_rules.apply(repo, m, profile, tombstoned); !r) return Fail(r.error());
        // The feedback rules read answers and contacts. An erased person's late message opens nothing and leaves
        // no contact (its answer still counts in the store's windows, read from the feedback table).
        if (!tombstoned && (m.event == event::names::kFeedback || contactConsent)) forFeedbackRules.push_back(&m);
        if (m.type == "group") {
            if (auto r = linkGroup(c, m_cipher, m, tombstoned ? std::nullopt : profile); !r) return Fail(r.error());
            if (profile && !tombstoned) repo.noteRows(*profile, kGroupRows);
        }

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
                if (m.properties.contains("configVersion") || m.properties.contains("configRefusal")) {
                    k.configVersion = intProp(m.properties, "configVersion");
                    k.configRefusal = strProp(m.properties, "configRefusal").value_or("");
                }
            }
        }
        out.push_back(ReceiptStatus::Accepted);
    }
    if (auto f = repo.flush(); !f) return Fail(f.error());
    // Every transaction that stores answers replaces their stores' stamps, rules or not: another hub process
    // on the same database may cache those stores' windows (store/answer_windows.hpp).
    AnswerWindows::Transaction windows(m_answerWindows, c);
    if (auto r = windows.stamp(repo.storedAnswers()); !r) return Fail(r.error());
    if (!forFeedbackRules.empty()) {
        SqlCaseRepository cases(c, m_cipher, &windows);
        auto fired = m_feedbackRules.apply(cases, forFeedbackRules, m_clock.utcMs());
        if (!fired) return Fail(fired.error());
        stats.alertWindowsFromMemory += cases.windowsFromMemory();
        stats.alertWindowsFromDatabase += cases.windowsFromDatabase();
    }
    for (const auto& [key, k] : kiosks) {
        auto r = c.defer(
            "INSERT INTO kiosks(store_id, kiosk_id, last_seen, app_version, clock_offset_ms, skew_flag, queue_depth, "
            "oldest_pending_s, dead_letters, drops, events, config_version, config_refusal) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(store_id, kiosk_id) DO UPDATE SET "
            "last_seen = CASE WHEN excluded.last_seen > kiosks.last_seen THEN excluded.last_seen ELSE kiosks.last_seen END, "
            "app_version = CASE WHEN excluded.app_version <> '' THEN excluded.app_version ELSE kiosks.app_version END, "
            "clock_offset_ms = COALESCE(excluded.clock_offset_ms, kiosks.clock_offset_ms), "
            "skew_flag = CASE WHEN excluded.clock_offset_ms IS NULL THEN kiosks.skew_flag ELSE excluded.skew_flag END, "
            "queue_depth = COALESCE(excluded.queue_depth, kiosks.queue_depth), "
            "oldest_pending_s = COALESCE(excluded.oldest_pending_s, kiosks.oldest_pending_s), "
            "dead_letters = COALESCE(excluded.dead_letters, kiosks.dead_letters), "
            "drops = COALESCE(excluded.drops, kiosks.drops), events = kiosks.events + excluded.events, "
            "config_version = CASE WHEN excluded.config_refusal IS NULL THEN kiosks.config_version "
            "ELSE excluded.config_version END, "
            "config_refusal = COALESCE(excluded.config_refusal, kiosks.config_refusal)",
            {key.first, key.second, k.lastSeen, k.appVersion, opt(k.clockOffsetMs), std::int64_t{k.skewed},
             opt(k.queueDepth), opt(k.oldestPendingS), opt(k.deadLetters), k.drops ? SqlValue{*k.drops} : SqlValue{},
             k.events, opt(k.configVersion), k.configRefusal ? SqlValue{*k.configRefusal} : SqlValue{}});
        if (!r) return Fail(r.error());
    }
    stats.merges += merges;
    stats.identityConflicts += conflicts;
    stats.skewFlagged += skewed;
    return out;
}

}  // namespace touchpoint::hub
