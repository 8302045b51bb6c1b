#include "hub/store/sql_journey_repository.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/clock.hpp"
#include "hub/ingest/identity.hpp"
#include "hub/store/identifier_rows.hpp"
#include "hub/store/merge_records.hpp"
#include "hub/store/sealed_fields.hpp"
#include "hub/store/tombstones.hpp"

namespace touchpoint::hub {

namespace {

SqlValue opt(const std::optional<std::int64_t>& v) { return v ? SqlValue{*v} : SqlValue{}; }
SqlValue opt(const std::optional<std::string>& v) { return v ? SqlValue{std::string_view(*v)} : SqlValue{}; }


constexpr const char* kProfileColumns =
    "id, created_at, member_id, first_initial, stage, points, latest_nps, latest_nps_at, last_checkin_at, velocity_flag, "
    "is_member, visit_days, referrals, orders, considered";

/// A profile from row `r` of a SELECT of kProfileColumns (its member number opened).
StoreResult<ProfileRow> profileFrom(const privacy::FieldCipher& cipher, const SqlRows& rows, std::size_t r) {
    ProfileRow p;
    p.id = rows.text(r, 0);
    p.createdMs = rows.integer(r, 1);
    auto member = revealField(cipher, privacy::columns::kProfileMemberId, rows.text(r, 2));
    if (!member) return Fail(member.error());
    p.memberId = std::move(member).value();
    p.firstInitial = rows.text(r, 3);
    p.stage = rows.text(r, 4);
    p.points = rows.integer(r, 5);
    if (!rows.isNull(r, 6)) p.latestNps = rows.integer(r, 6);
    if (!rows.isNull(r, 7)) p.latestNpsAtMs = rows.integer(r, 7);
    if (!rows.isNull(r, 8)) p.lastCheckinMs = rows.integer(r, 8);
    p.velocityFlag = rows.integer(r, 9) != 0;
    p.facts.isMember = rows.integer(r, 10) != 0;
    p.facts.visitDays = rows.integer(r, 11);
    p.facts.referrals = rows.integer(r, 12);
    p.facts.orders = rows.integer(r, 13);
    p.facts.considered = rows.integer(r, 14);
    p.facts.latestNps = p.latestNps;
    return p;
}

/// Moves a merge's loser's sightings in `table` (a profile's first and last sighting per `key`: its channels,
/// its groups) to the winner: where both have one, the earlier first and the later last sighting stand.
StoreResult<void> moveSightings(SqlConnection& c, const std::string& table, const std::string& key,
                                const std::string& winnerId, const std::string& loserId) {
    std::string sql = "INSERT INTO " + table + "(profile_id, " + key + ", first_seen, last_seen) ";
    sql += "SELECT ?, " + key + ", first_seen, last_seen FROM " + table + " WHERE profile_id = ? ";
    sql += "ON CONFLICT(profile_id, " + key + ") DO UPDATE SET ";
    sql += "first_seen = CASE WHEN excluded.first_seen < " + table + ".first_seen ";
    sql += "THEN excluded.first_seen ELSE " + table + ".first_seen END, ";
    sql += "last_seen = CASE WHEN excluded.last_seen > " + table + ".last_seen ";
    sql += "THEN excluded.last_seen ELSE " + table + ".last_seen END";
    auto moved = c.defer(sql, {winnerId, loserId});
    if (!moved) return Fail(moved.error());
    return c.defer("DELETE FROM " + table + " WHERE profile_id = ?", {loserId});
}

}  // namespace

void SqlJourneyRepository::knowTags(const Identifiers& identifiers,
                                    const std::vector<std::vector<std::string>>& tags) {
    for (std::size_t i = 0; i < identifiers.size() && i < tags.size(); ++i)
        m_tags.emplace(identifiers[i], &tags[i]);
}

const std::vector<std::string>& SqlJourneyRepository::tagsOf(const Identifier& id) {
    if (auto known = m_tags.find(id); known != m_tags.end()) return *known->second;
    const auto& made = m_computedTags.emplace_back(m_keys.identifierTags(id.first, id.second));
    m_tags.emplace(id, &made);
    return made;
}

StoreResult<void> SqlJourneyRepository::prefetch(const std::vector<const Identifiers*>& identifiers,
                                                 std::int64_t checkinsFromMs, std::int64_t checkinsToMs) {
    constexpr std::size_t kChunk = 128;
    // The (kind, value) index serves `kind = ? AND value IN`; `value` holds keyed tags (store/identifier_rows.hpp).
    std::map<std::string, std::set<std::string>> byKind;
    for (const Identifiers* ids : identifiers) {
        for (const auto& [kind, value] : *ids) {
            if (!m_identifiers.count({kind, value})) byKind[kind].insert(value);
        }
    }
    std::set<std::string> owners;
    for (const auto& [kind, values] : byKind) {
        std::vector<std::string> all(values.begin(), values.end());
        for (std::size_t from = 0; from < all.size(); from += kChunk) {
            std::vector<SqlValue> list;
            std::unordered_map<std::string, const std::string*> valueOfTag;
            for (std::size_t i = from; i < std::min(all.size(), from + kChunk); ++i) {
                for (const auto& tag : tagsOf({kind, all[i]})) {
                    list.emplace_back(std::string_view(tag));
                    valueOfTag.emplace(tag, &all[i]);
                }
            }
            auto rows = queryIn(m_c, "SELECT value, profile_id, verified FROM identifiers WHERE kind = ? AND value",
                                {std::string_view(kind)}, list);
            if (!rows) return Fail(rows.error());
            for (std::size_t r = 0; r < rows->size(); ++r) {
                const auto value = valueOfTag.find(rows->text(r, 0));
                if (value == valueOfTag.end()) continue;
                m_identifiers.emplace(Identifier{kind, *value->second}, rows->text(r, 1));
                if (rows->integer(r, 2) != 0) m_verified.insert(Identifier{kind, *value->second});
                owners.insert(rows->text(r, 1));
            }
            for (std::size_t i = from; i < std::min(all.size(), from + kChunk); ++i) {
                if (!m_identifiers.count({kind, all[i]})) m_absent.insert({kind, all[i]});
            }
        }
    }
    for (const auto& held : m_profiles) owners.erase(held.first);
    std::vector<std::string> ids(owners.begin(), owners.end());  // sorted: rows are locked in id order
    for (std::size_t from = 0; from < ids.size(); from += kChunk) {
        std::vector<SqlValue> list;
        for (std::size_t i = from; i < std::min(ids.size(), from + kChunk); ++i) list.emplace_back(std::string_view(ids[i]));
        auto rows = queryIn(m_c, std::string("SELECT ") + kProfileColumns + " FROM profiles WHERE id", {}, list,
                            std::string(" ORDER BY id") + std::string(m_c.forUpdate()));
        if (!rows) return Fail(rows.error());
        for (std::size_t r = 0; r < rows->size(); ++r) {
            auto p = profileFrom(m_cipher, *rows, r);
            if (!p) return Fail(p.error());
            m_storedMemberIds[p->id] = {p->memberId, rows->text(r, 2)};
            std::string id = p->id;
            m_profiles.emplace(std::move(id), std::move(p).value());
        }
        // After the locks: no other writer adds check-ins for these profiles until this transaction ends.
        auto held = queryIn(m_c, "SELECT profile_id, message_id, at, awarded, reason FROM checkins WHERE at >= ? AND at < ? "
                                 "AND profile_id",
                            {checkinsFromMs, checkinsToMs}, list);
        if (!held) return Fail(held.error());
        for (std::size_t r = 0; r < rows->size(); ++r) m_checkins.try_emplace(rows->text(r, 0));
        for (std::size_t r = 0; r < held->size(); ++r) {
            auto it = m_checkins.find(held->text(r, 0));
            if (it == m_checkins.end()) continue;
            it->second.push_back({held->text(r, 1), held->integer(r, 2), held->integer(r, 3) != 0,
                                  held->text(r, 4) != kOutOfWindow});
        }
        // Undone merges naming these profiles, asked once here rather than before each merge. An undo locks the
        // merge's surviving profile (the other exists again only once the undo commits), so no merge naming one
        // of these can be undone while this transaction holds them.
        for (const char* sql : {kUndoneMergesByWinner, kUndoneMergesByLoser}) {
            auto undone = queryIn(m_c, sql, {}, list);
            if (!undone) return Fail(undone.error());
            for (std::size_t r = 0; r < undone->size(); ++r) m_undonePairs.emplace(undone->text(r, 0), undone->text(r, 1));
        }
        for (std::size_t r = 0; r < rows->size(); ++r) m_undoneKnown.insert(rows->text(r, 0));
    }
    m_checkinsFrom = checkinsFromMs;
    m_checkinsTo = checkinsToMs;
    return {};
}

const std::vector<SqlJourneyRepository::HeldCheckin>* SqlJourneyRepository::heldCheckins(const std::string& profileId,
                                                                                       std::int64_t fromMs,
                                                                                       std::int64_t toMs) const {
    if (fromMs < m_checkinsFrom || toMs > m_checkinsTo) return nullptr;
    auto it = m_checkins.find(profileId);
    return it == m_checkins.end() ? nullptr : &it->second;
}

StoreResult<bool> SqlJourneyRepository::isTombstoned(const Identifier& id) {
    if (!m_hasTombstones) {
        auto any = anyTombstones(m_c);
        if (!any) return Fail(any.error());
        m_hasTombstones = *any;
    }
    if (!*m_hasTombstones) return false;
    return hub::isTombstoned(m_c, m_keys, id.first, id.second);
}

StoreResult<std::optional<std::string>> SqlJourneyRepository::findProfileId(const Identifier& id) {
    if (auto hit = m_identifiers.find(id); hit != m_identifiers.end()) return std::optional<std::string>(hit->second);
    if (m_absent.count(id)) return std::optional<std::string>{};
    auto r = identifierOwner(m_c, m_keys, id.first, id.second);
    if (!r) return Fail(r.error());
    if (!*r) return std::optional<std::string>{};
    m_identifiers.emplace(id, **r);
    return r;
}

StoreResult<std::vector<std::string>> SqlJourneyRepository::userOrAnonKinds(const std::string& value) {
    // The tag covers the kind: one list of tags per kind.
    std::vector<SqlValue> params;
    std::string sql = "SELECT kind FROM identifiers WHERE";
    for (const char* kind : {"user", "anon"}) {
        auto tags = identifierTagParams(m_keys, kind, value);
        sql += params.empty() ? " (kind = ? AND value IN (?" : " OR (kind = ? AND value IN (?";
        for (std::size_t i = 1; i < tags.size(); ++i) sql += ",?";
        sql += "))";
        params.emplace_back(std::string(kind));
        params.insert(params.end(), tags.begin(), tags.end());
    }
    auto graph = m_c.query(sql, params);
    if (!graph) return Fail(graph.error());
    std::vector<std::string> kinds;
    for (std::size_t i = 0; i < graph->size(); ++i) kinds.push_back(graph->text(i, 0));
    return kinds;
}

StoreResult<void> SqlJourneyRepository::addIdentifier(const Identifier& id, const std::string& profileId,
                                                      bool verified) {
    const StoreError claimed{"identifier claimed concurrently", true};
    // Repeated within one message or transaction: already added (to this profile, or the rules made a mistake).
    if (auto held = m_identifiers.find(id); held != m_identifiers.end()) {
        if (held->second != profileId) return Fail(claimed);
        return verified ? markVerified(id) : StoreResult<void>{};
    }
    // Another hub may claim this identifier after it was looked up: then the insert changes no row and the
    // transaction starts again, to find the identifier and merge properly.
    auto r = m_c.defer(
        kInsertIdentifierSql,
        identifierInsertParams(tagsOf(id).front(), m_cipher, id.first, id.second, profileId, verified),
        claimed);
    if (!r) return Fail(r.error());
    m_absent.erase(id);
    m_identifiers.emplace(id, profileId);
    if (verified) m_verified.insert(id);
    noteRows(profileId, kIdentifierRows);
    return {};
}

StoreResult<void> SqlJourneyRepository::markVerified(const Identifier& id) {
    // A returning shopper's identifier was read verified by the prefetch: no statement.
    if (m_verified.count(id)) return {};
    // Under whichever key's tag its row holds (store/identifier_rows.hpp).
    const auto& tags = tagsOf(id);
    std::string sql = "UPDATE identifiers SET verified = 1 WHERE kind = ? AND verified = 0 AND value IN (?";
    for (std::size_t i = 1; i < tags.size(); ++i) sql += ",?";
    sql += ")";
    std::vector<SqlValue> params{id.first};
    for (const auto& tag : tags) params.emplace_back(std::string_view(tag));
    if (auto r = m_c.defer(sql, params); !r) return Fail(r.error());
    m_verified.insert(id);
    return {};
}

StoreResult<bool> SqlJourneyRepository::holdsVerifiedIdentifier(const std::string& profileId) {
    auto r = m_c.query("SELECT 1 FROM identifiers WHERE profile_id = ? AND verified = 1 LIMIT 1", {profileId});
    if (!r) return Fail(r.error());
    return !r->empty();
}

StoreResult<std::int64_t> SqlJourneyRepository::countIdentifiers(const std::string& profileId, const std::string& kind) {
    auto r = m_c.query("SELECT COUNT(*) FROM identifiers WHERE profile_id = ? AND kind = ?", {profileId, kind});
    if (!r) return Fail(r.error());
    return r->integer(0, 0);
}

StoreResult<std::optional<std::string>> SqlJourneyRepository::memberIdentifier(const std::string& profileId) {
    auto r = m_c.query("SELECT sealed_value FROM identifiers WHERE profile_id = ? AND kind = 'member'", {profileId});
    if (!r) return Fail(r.error());
    if (r->empty()) return std::optional<std::string>{};
    auto member = openIdentifier(m_cipher, r->text(0, 0));
    if (!member) return Fail(member.error());
    return std::optional<std::string>(std::move(member).value());
}

StoreResult<ProfileRow*> SqlJourneyRepository::createProfile(const std::string& id, std::int64_t createdMs) {
    // Written by flush(): nothing in the transaction reads a profile it made from SQL (m_profiles holds it).
    m_unwritten.insert(id);
    m_madeHere.emplace(id, 0u);
    ProfileRow fresh;  // as the table's defaults make it
    fresh.id = id;
    fresh.createdMs = createdMs;
    fresh.stage = "awareness";
    m_checkins[id];  // a profile made here has no check-ins but those this transaction adds
    return &m_profiles.insert_or_assign(id, std::move(fresh)).first->second;
}

StoreResult<ProfileRow*> SqlJourneyRepository::profile(const std::string& id) {
    if (auto hit = m_profiles.find(id); hit != m_profiles.end()) return &hit->second;
    auto p = loadProfile(id);
    if (!p) return Fail(p.error());
    if (!*p) return Fail(StoreError{"profile vanished", true});
    return &m_profiles.emplace(id, std::move(**p)).first->second;
}

StoreResult<std::optional<ProfileRow>> SqlJourneyRepository::loadProfile(const std::string& id) {
    auto rows = m_c.query(std::string("SELECT ") + kProfileColumns + " FROM profiles WHERE id = ?" +
                              std::string(m_c.forUpdate()),
                          {id});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<ProfileRow>{};
    auto p = profileFrom(m_cipher, *rows, 0);
    if (!p) return Fail(p.error());
    m_storedMemberIds[p->id] = {p->memberId, rows->text(0, 2)};
    return std::optional<ProfileRow>(std::move(p).value());
}

StoreResult<void> SqlJourneyRepository::saveProfile(const ProfileRow& p) {
    // The member number as read, when it did not change: a profile is saved after most messages.
    const auto stored = m_storedMemberIds.find(p.id);
    std::string memberId = stored != m_storedMemberIds.end() && stored->second.first == p.memberId
                               ? stored->second.second
                               : sealUnlessEmpty(m_cipher, privacy::columns::kProfileMemberId, p.memberId);
    m_storedMemberIds[p.id] = {p.memberId, memberId};
    if (m_unwritten.erase(p.id) != 0) {
        return m_c.defer(
            "INSERT INTO profiles(id, created_at, member_id, first_initial, stage, points, latest_nps, "
            "latest_nps_at, last_checkin_at, velocity_flag, is_member, visit_days, referrals, orders, "
            "considered) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            {p.id, p.createdMs, std::move(memberId), p.firstInitial, p.stage, p.points, opt(p.latestNps),
             opt(p.latestNpsAtMs), opt(p.lastCheckinMs), std::int64_t{p.velocityFlag},
             std::int64_t{p.facts.isMember}, p.facts.visitDays, p.facts.referrals, p.facts.orders,
             p.facts.considered});
    }
    return m_c.defer("UPDATE profiles SET member_id=?, first_initial=?, stage=?, points=?, latest_nps=?, "
                         "latest_nps_at=?, last_checkin_at=?, velocity_flag=?, is_member=?, visit_days=?, referrals=?, "
                         "orders=?, considered=? WHERE id=?",
                         {std::move(memberId), p.firstInitial, p.stage, p.points, opt(p.latestNps), opt(p.latestNpsAtMs),
                          opt(p.lastCheckinMs), std::int64_t{p.velocityFlag}, std::int64_t{p.facts.isMember},
                          p.facts.visitDays, p.facts.referrals, p.facts.orders, p.facts.considered, p.id});
}

void SqlJourneyRepository::seenOnChannel(const std::string& profileId, std::string_view channel, std::int64_t atMs) {
    auto [seen, fresh] = m_channels.try_emplace({profileId, std::string(channel)}, atMs, atMs);
    if (!fresh) {
        seen->second.first = std::min(seen->second.first, atMs);
        seen->second.second = std::max(seen->second.second, atMs);
    }
}

StoreResult<void> SqlJourneyRepository::flush() {
    // The profiles made here first, in the order they were made, then the changed ones read before.
    while (!m_unwritten.empty()) {
        const std::string id = *m_unwritten.begin();  // saveProfile takes it off the list
        if (auto r = saveProfile(m_profiles.at(id)); !r) return Fail(r.error());
        m_dirty.erase(id);
    }
    for (const auto& id : m_dirty) {
        if (auto r = saveProfile(m_profiles.at(id)); !r) return Fail(r.error());
    }
    m_dirty.clear();
    for (const auto& [key, seen] : m_channels) {
        auto r = m_c.defer("INSERT INTO channels(profile_id, channel, first_seen, last_seen) VALUES(?,?,?,?) "
                          "ON CONFLICT(profile_id, channel) DO UPDATE SET "
                          "first_seen = CASE WHEN excluded.first_seen < channels.first_seen THEN excluded.first_seen "
                          "ELSE channels.first_seen END, "
                          "last_seen = CASE WHEN excluded.last_seen > channels.last_seen THEN excluded.last_seen "
                          "ELSE channels.last_seen END",
                          {key.first, key.second, seen.first, seen.second});
        if (!r) return Fail(r.error());
        noteRows(key.first, kChannelRows);
    }
    m_channels.clear();
    return {};
}

StoreResult<void> SqlJourneyRepository::recordMerge(const MergeFact& merge) {
    const std::string winnerId = merge.winnerBefore->id, loserId = merge.loserBefore->id;
    // A loser made in this transaction has rows only where it wrote them here: the other tables are not
    // asked.
    const auto made = m_madeHere.find(loserId);
    const unsigned loserTables = made == m_madeHere.end() ? kAllMergedTables : made->second;
    // After the merge record (which answers its sequence number), writes only: on PostgreSQL they go in one
    // pipeline with the next statement that needs an answer.
    if (auto r = recordMergeAndMoves(m_c, m_cipher, merge, loserTables); !r) return r;
    if ((loserTables & kIdentifierRows) != 0) {
        auto r = m_c.defer("UPDATE identifiers SET profile_id = ? WHERE profile_id = ?", {winnerId, loserId});
        if (!r) return Fail(r.error());
    }
    for (const auto& [table, bit] : kMergedFactTables) {
        if ((loserTables & bit) == 0) continue;
        auto r = m_c.defer(std::string("UPDATE ") + table + " SET profile_id = ? WHERE profile_id = ?",
                           {winnerId, loserId});
        if (!r) return Fail(r.error());
    }
    if ((loserTables & kChannelRows) != 0) {
        if (auto r = moveSightings(m_c, "channels", "channel", winnerId, loserId); !r) return r;
    }
    if ((loserTables & kGroupRows) != 0) {
        if (auto r = moveSightings(m_c, "profile_groups", "group_id", winnerId, loserId); !r) return r;
    }
    if (m_unwritten.erase(loserId) == 0) {  // a loser made here and never written has no row to delete
        if (auto r = m_c.defer("DELETE FROM profiles WHERE id = ?", {loserId}); !r) return Fail(r.error());
    }
    noteRows(winnerId, loserTables);  // a winner made here holds the loser's rows from now on
    if (made != m_madeHere.end()) m_madeHere.erase(made);
    // Sightings not yet written go to the winner, as the statement above moved the written ones (first and
    // last seen combine the same way when flush() writes them).
    for (auto it = m_channels.lower_bound({loserId, std::string()});
         it != m_channels.end() && it->first.first == loserId;) {
        auto [held, fresh] = m_channels.try_emplace({winnerId, it->first.second}, it->second);
        if (!fresh) {
            held->second.first = std::min(held->second.first, it->second.first);
            held->second.second = std::max(held->second.second, it->second.second);
        }
        it = m_channels.erase(it);
    }
    m_dirty.erase(loserId);
    m_profiles.erase(loserId);
    m_checkins.erase(loserId);  // the loser's check-ins moved to the winner: SQL answers for both from now on
    m_checkins.erase(winnerId);
    for (auto& [identifier, owner] : m_identifiers) {
        if (owner == loserId) owner = winnerId;
    }
    return {};
}

StoreResult<bool> SqlJourneyRepository::mergeUndone(const std::string& profileA, const std::string& profileB) {
    // A pair with a profile the prefetch locked is answered from what it read: any undone merge of the pair names
    // that profile.
    if (m_undoneKnown.count(profileA) || m_undoneKnown.count(profileB)) {
        return m_undonePairs.count({profileA, profileB}) > 0 || m_undonePairs.count({profileB, profileA}) > 0;
    }
    return mergeWasUndone(m_c, profileA, profileB);
}

StoreResult<std::optional<std::int64_t>> SqlJourneyRepository::earningCheckinBetween(const std::string& profileId,
                                                                                     std::int64_t fromMs,
                                                                                     std::int64_t toMs) {
    if (const auto* held = heldCheckins(profileId, fromMs, toMs)) {
        for (const auto& k : *held) {
            if (k.awarded && k.atMs > fromMs && k.atMs < toMs) return std::optional<std::int64_t>(k.atMs);
        }
        return std::optional<std::int64_t>{};
    }
    auto near = m_c.query("SELECT at FROM checkins WHERE profile_id = ? AND awarded = 1 AND at > ? AND at < ? LIMIT 1",
                          {profileId, fromMs, toMs});
    if (!near) return Fail(near.error());
    if (near->empty()) return std::optional<std::int64_t>{};
    return std::optional<std::int64_t>(near->integer(0, 0));
}

StoreResult<std::int64_t> SqlJourneyRepository::countCheckins(const std::string& profileId, std::int64_t fromMs,
                                                              std::int64_t toMs) {
    if (const auto* held = heldCheckins(profileId, fromMs, toMs)) {
        return static_cast<std::int64_t>(std::count_if(held->begin(), held->end(), [&](const HeldCheckin& k) {
            return k.visit && k.atMs >= fromMs && k.atMs < toMs;
        }));
    }
    auto n = m_c.query("SELECT COUNT(*) FROM checkins WHERE profile_id = ? AND at >= ? AND at < ? AND reason <> ?",
                       {profileId, fromMs, toMs, std::string(kOutOfWindow)});
    if (!n) return Fail(n.error());
    return n->integer(0, 0);
}

StoreResult<std::int64_t> SqlJourneyRepository::countCheckinDays(const std::string& profileId) {
    auto days = m_c.query("SELECT COUNT(DISTINCT day) FROM checkins WHERE profile_id = ? AND reason <> ?",
                          {profileId, std::string(kOutOfWindow)});
    if (!days) return Fail(days.error());
    return days->integer(0, 0);
}

StoreResult<void> SqlJourneyRepository::insertCheckin(const CheckinFact& k) {
    noteRows(k.profileId, kCheckinRows);
    if (auto held = m_checkins.find(k.profileId); held != m_checkins.end()) {
        held->second.push_back({std::string(k.messageId), k.atMs, k.awarded, k.reason != kOutOfWindow});
    }
    return m_c.defer("INSERT INTO checkins(message_id, profile_id, at, day, awarded, points, reason) VALUES(?,?,?,?,?,?,?)",
                         {k.messageId, k.profileId, k.atMs, formatIsoUtcDay(k.atMs), std::int64_t{k.awarded}, k.points,
                          k.reason});
}

StoreResult<std::vector<PendingCheckin>> SqlJourneyRepository::pendingCheckins(const std::string& profileId) {
    auto pending = m_c.query("SELECT message_id, at FROM checkins WHERE profile_id = ? AND reason = 'not_member' ORDER BY at",
                             {profileId});
    if (!pending) return Fail(pending.error());
    std::vector<PendingCheckin> out;
    for (std::size_t i = 0; i < pending->size(); ++i) out.push_back({pending->text(i, 0), pending->integer(i, 1)});
    return out;
}

StoreResult<void> SqlJourneyRepository::settleCheckin(const CheckinFact& k) {
    if (auto held = m_checkins.find(k.profileId); held != m_checkins.end()) {
        for (auto& h : held->second) {
            if (h.messageId == k.messageId && h.atMs == k.atMs) h.awarded = k.awarded;
        }
    }
    // (profile_id, at) leads the checkins_profile index: the row is found without a scan.
    return m_c.defer("UPDATE checkins SET awarded = ?, points = ?, reason = ? "
                         "WHERE profile_id = ? AND at = ? AND message_id = ?",
                         {std::int64_t{k.awarded}, k.points, k.reason, k.profileId, k.atMs, k.messageId});
}

StoreResult<void> SqlJourneyRepository::insertFeedback(const FeedbackFact& f) {
    if (f.profileId) noteRows(*f.profileId, kFeedbackRows);
    if (!f.abandoned && !f.misuse) {
        FeedbackAnswer& a = m_storedAnswers.emplace_back();
        a.messageId = f.messageId;
        a.storeId = f.storeId;
        a.atMs = f.atMs;
        a.nps = f.nps;
        a.csat = f.csat;
        a.reasons = f.reasons;
    }
    return m_c.defer("INSERT INTO feedback(message_id, at, day, store_id, kiosk_id, profile_id, abandoned, misuse, nps, "
                         "csat, ces, reasons, comment, survey_id, abandon_reason, survey_version) "
                         "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                         {f.messageId, f.atMs, formatIsoUtcDay(f.atMs), f.storeId, f.kioskId, opt(f.profileId),
                          std::int64_t{f.abandoned}, std::int64_t{f.misuse}, opt(f.nps), opt(f.csat), opt(f.ces),
                          nlohmann::json(f.reasons).dump(),
                          sealedParam(m_cipher, privacy::columns::kFeedbackComment, f.comment), f.surveyId, f.abandonReason,
                          f.surveyVersion});
}

StoreResult<void> SqlJourneyRepository::insertSignin(const SigninFact& s) {
    if (s.profileId) noteRows(*s.profileId, kSigninRows);
    return m_c.defer("INSERT INTO signins(message_id, at, day, store_id, kiosk_id, profile_id, method, new_member, awarded) "
                         "VALUES(?,?,?,?,?,?,?,?,?)",
                         {s.messageId, s.atMs, formatIsoUtcDay(s.atMs), s.storeId, s.kioskId, opt(s.profileId), s.method,
                          std::int64_t{s.newMember}, std::int64_t{s.awarded}});
}

StoreResult<void> SqlJourneyRepository::insertTransition(const TransitionFact& t) {
    noteRows(t.profileId, kTransitionRows);
    return m_c.defer("INSERT INTO transitions(message_id, profile_id, at, day, from_stage, to_stage, channel) "
                         "VALUES(?,?,?,?,?,?,?)",
                         {t.messageId, t.profileId, t.atMs, formatIsoUtcDay(t.atMs), t.from, t.to, t.channel});
}

void SqlJourneyRepository::noteRows(const std::string& profileId, unsigned tables) {
    if (auto made = m_madeHere.find(profileId); made != m_madeHere.end()) made->second |= tables;
}

}  // namespace touchpoint::hub
