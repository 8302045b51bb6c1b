// The journey side of ingest: the identity graph (profiles, identifiers, merges), loyalty check-ins and
// membership, and the journey stage. Everything here runs inside the batch transaction (sql_store_ingest.cpp)
// and reads and writes profiles through the batch's state.

#include "common/clock.hpp"
#include "common/uuid.hpp"
#include "event/message.hpp"
#include "hub/ingest/identity.hpp"
#include "hub/ingest/json_props.hpp"
#include "hub/store/sql_store.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

/// Scores outside the scale are stored as NULL rather than rejected: the rest of the answer still counts.
std::optional<std::int64_t> score(const json& answers, const char* key, int lo, int hi) {
    auto v = intProp(answers, key);
    if (!v || *v < lo || *v > hi) return std::nullopt;
    return v;
}

SqlValue opt(const std::optional<std::int64_t>& v) { return v ? SqlValue{*v} : SqlValue{}; }

constexpr std::int64_t kDayMs = 86'400'000;

/// Midnight UTC of the day `ms` falls on (the `day` column's day).
std::int64_t dayStartMs(std::int64_t ms) { return ms - (((ms % kDayMs) + kDayMs) % kDayMs); }

}  // namespace

StoreResult<std::optional<ProfileRow>> SqlHubStore::loadProfile(SqlConnection& c, const std::string& id) {
    auto rows = c.query(std::string("SELECT created_at, member_id, first_initial, stage, points, latest_nps, "
                                    "latest_nps_at, last_checkin_at, velocity_flag, is_member, visit_days, referrals, "
                                    "orders, considered FROM profiles WHERE id = ?") +
                            std::string(c.forUpdate()),
                        {id});
    if (!rows) return Fail(rows.error());
    if (rows->empty()) return std::optional<ProfileRow>{};
    ProfileRow p;
    p.id = id;
    p.createdMs = rows->integer(0, 0);
    p.memberId = rows->text(0, 1);
    p.firstInitial = rows->text(0, 2);
    p.stage = rows->text(0, 3);
    p.points = rows->integer(0, 4);
    if (!rows->isNull(0, 5)) p.latestNps = rows->integer(0, 5);
    if (!rows->isNull(0, 6)) p.latestNpsAtMs = rows->integer(0, 6);
    if (!rows->isNull(0, 7)) p.lastCheckinMs = rows->integer(0, 7);
    p.velocityFlag = rows->integer(0, 8) != 0;
    p.facts.isMember = rows->integer(0, 9) != 0;
    p.facts.visitDays = rows->integer(0, 10);
    p.facts.referrals = rows->integer(0, 11);
    p.facts.orders = rows->integer(0, 12);
    p.facts.considered = rows->integer(0, 13);
    p.facts.latestNps = p.latestNps;
    return std::optional<ProfileRow>(std::move(p));
}

StoreResult<void> SqlHubStore::saveProfile(SqlConnection& c, const ProfileRow& p) {
    auto r = c.exec("UPDATE profiles SET member_id=?, first_initial=?, stage=?, points=?, latest_nps=?, latest_nps_at=?, "
                    "last_checkin_at=?, velocity_flag=?, is_member=?, visit_days=?, referrals=?, orders=?, considered=? "
                    "WHERE id=?",
                    {p.memberId, p.firstInitial, p.stage, p.points, opt(p.latestNps), opt(p.latestNpsAtMs),
                     opt(p.lastCheckinMs), std::int64_t{p.velocityFlag}, std::int64_t{p.facts.isMember},
                     p.facts.visitDays, p.facts.referrals, p.facts.orders, p.facts.considered, p.id});
    if (!r) return Fail(r.error());
    return {};
}

StoreResult<void> SqlHubStore::mergeInto(SqlConnection& c, ProfileRow& w, const std::string& loserId) {
    auto loaded = loadProfile(c, loserId);
    if (!loaded) return Fail(loaded.error());
    if (!*loaded) return Fail(StoreError{"profile vanished during merge", true});
    const ProfileRow& l = **loaded;
    w.points += l.points;
    w.facts.isMember = w.facts.isMember || l.facts.isMember;
    if (w.memberId.empty()) w.memberId = l.memberId;
    if (w.firstInitial.empty()) w.firstInitial = l.firstInitial;
    if (l.latestNpsAtMs && (!w.latestNpsAtMs || *l.latestNpsAtMs > *w.latestNpsAtMs)) {
        w.latestNps = l.latestNps;
        w.latestNpsAtMs = l.latestNpsAtMs;
        w.facts.latestNps = l.latestNps;
    }
    if (l.lastCheckinMs && (!w.lastCheckinMs || *l.lastCheckinMs > *w.lastCheckinMs)) w.lastCheckinMs = l.lastCheckinMs;
    w.velocityFlag = w.velocityFlag || l.velocityFlag;
    w.facts.referrals += l.facts.referrals;
    w.facts.orders += l.facts.orders;
    w.facts.considered += l.facts.considered;
    for (const char* table : {"identifiers", "events", "feedback", "signins", "checkins", "transitions"}) {
        auto r = c.exec(std::string("UPDATE ") + table + " SET profile_id = ? WHERE profile_id = ?", {w.id, loserId});
        if (!r) return Fail(r.error());
    }
    auto ch = c.exec("INSERT INTO channels(profile_id, channel, first_seen, last_seen) "
                     "SELECT ?, channel, first_seen, last_seen FROM channels WHERE profile_id = ? "
                     "ON CONFLICT(profile_id, channel) DO UPDATE SET "
                     "first_seen = CASE WHEN excluded.first_seen < channels.first_seen THEN excluded.first_seen "
                     "ELSE channels.first_seen END, "
                     "last_seen = CASE WHEN excluded.last_seen > channels.last_seen THEN excluded.last_seen "
                     "ELSE channels.last_seen END",
                     {w.id, loserId});
    if (!ch) return Fail(ch.error());
    for (const char* sql : {"DELETE FROM channels WHERE profile_id = ?", "DELETE FROM profiles WHERE id = ?"}) {
        auto r = c.exec(sql, {loserId});
        if (!r) return Fail(r.error());
    }
    auto days = c.query("SELECT COUNT(DISTINCT day) FROM checkins WHERE profile_id = ?", {w.id});
    if (!days) return Fail(days.error());
    w.facts.visitDays = days->integer(0, 0);
    return {};
}

SqlHubStore::Identifiers SqlHubStore::messageIdentifiers(const IngestMessage& m) const {
    Identifiers ids;
    if (!m.userId.empty()) ids.emplace_back("user", m.userId);
    if (!m.anonymousId.empty()) ids.emplace_back("anon", m.anonymousId);
    for (const json* bag : {&m.properties, &m.traits}) {
        if (auto member = strProp(*bag, "memberId"); member && !member->empty()) ids.emplace_back("member", *member);
        if (auto phone = strProp(*bag, "phone")) {
            if (auto e164 = normalizePhone(*phone, m_config.loyalty.defaultPhoneRegion)) ids.emplace_back("phone", *e164);
        }
        if (auto email = strProp(*bag, "email")) {
            if (auto norm = normalizeEmail(*email)) ids.emplace_back("email", *norm);
        }
    }
    return ids;
}

StoreResult<std::optional<std::string>> SqlHubStore::resolveProfile(SqlConnection& c, const IngestMessage& m,
                                                                   const Identifiers& named, BatchState& b) {
    Identifiers ids = named;
    if (m.type == "alias" && !m.previousId.empty()) {
        // previousId is an earlier userId or an anonymousId; join whichever the graph knows.
        auto graph = c.query("SELECT kind FROM identifiers WHERE kind IN ('user', 'anon') AND value = ?", {m.previousId});
        if (!graph) return Fail(graph.error());
        if (graph->empty()) ids.emplace_back("anon", m.previousId);
        for (std::size_t i = 0; i < graph->size(); ++i) ids.emplace_back(graph->text(i, 0), m.previousId);
    }
    if (ids.empty()) return std::optional<std::string>{};
    if (b.hasTombstones) {
        for (const auto& [kind, value] : ids) {
            auto t = c.query("SELECT 1 FROM tombstones WHERE hash = ?", {identifierHash(kind, value)});
            if (!t) return Fail(t.error());
            if (!t->empty()) return Fail(StoreError{"tombstoned", false});
        }
    }
    std::vector<std::string> profiles;
    std::vector<bool> known(ids.size(), false);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        std::string pid;
        if (auto hit = b.identifiers.find(ids[i]); hit != b.identifiers.end()) {
            pid = hit->second;
        } else {
            auto r = c.query("SELECT profile_id FROM identifiers WHERE kind = ? AND value = ?", {ids[i].first, ids[i].second});
            if (!r) return Fail(r.error());
            if (r->empty()) continue;
            pid = r->text(0, 0);
            b.identifiers.emplace(ids[i], pid);
        }
        known[i] = true;
        if (std::find(profiles.begin(), profiles.end(), pid) == profiles.end()) profiles.push_back(pid);
    }
    std::string winner;
    if (profiles.empty()) {
        winner = newUuidV7(m.receivedMs);
        auto r = c.exec("INSERT INTO profiles(id, created_at) VALUES(?, ?)", {winner, m.correctedMs});
        if (!r) return Fail(r.error());
        ProfileRow fresh;  // as the table's defaults make it
        fresh.id = winner;
        fresh.createdMs = m.correctedMs;
        fresh.stage = "awareness";
        b.profiles.emplace(winner, std::move(fresh));
    } else if (profiles.size() == 1) {
        winner = profiles.front();
    } else {
        // Merges move rows between profiles in the database: write what this batch holds first, and forget
        // it, so nothing stale is used or written back afterwards.
        if (auto f = flushBatch(c, b); !f) return Fail(f.error());
        b.profiles.clear();
        b.identifiers.clear();
        // One event ties identifiers of several profiles: they are one person. The member (else the oldest)
        // profile survives; rows are locked in id order so two hubs merging the same pair cannot deadlock.
        std::sort(profiles.begin(), profiles.end());
        std::vector<ProfileRow> rows;
        for (const auto& id : profiles) {
            auto p = loadProfile(c, id);
            if (!p) return Fail(p.error());
            if (!*p) return Fail(StoreError{"profile vanished during merge", true});
            rows.push_back(std::move(**p));
        }
        std::size_t best = 0;
        for (std::size_t i = 1; i < rows.size(); ++i) {
            const auto& a = rows[i];
            const auto& cur = rows[best];
            if ((a.facts.isMember && !cur.facts.isMember) ||
                (a.facts.isMember == cur.facts.isMember && a.createdMs < cur.createdMs)) {
                best = i;
            }
        }
        ProfileRow w = rows[best];
        for (std::size_t i = 0; i < rows.size(); ++i) {
            if (i == best) continue;
            if (auto r = mergeInto(c, w, rows[i].id); !r) return Fail(r.error());
            ++b.merges;
        }
        if (auto r = saveProfile(c, w); !r) return Fail(r.error());
        winner = w.id;
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (known[i]) continue;
        auto r = c.exec("INSERT INTO identifiers(kind, value, profile_id) VALUES(?,?,?) ON CONFLICT(kind, value) DO NOTHING",
                        {ids[i].first, ids[i].second, winner});
        if (!r) return Fail(r.error());
        // Another hub claimed this identifier since we looked: start the transaction again to merge properly.
        // (Repeated identifiers within one message are harmless: the second insert finds our own row.)
        if (*r == 0) {
            auto mine = c.query("SELECT profile_id FROM identifiers WHERE kind = ? AND value = ?", {ids[i].first, ids[i].second});
            if (!mine) return Fail(mine.error());
            if (mine->empty() || mine->text(0, 0) != winner) return Fail(StoreError{"identifier claimed concurrently", true});
        }
        b.identifiers.emplace(ids[i], winner);
    }
    return std::optional<std::string>(winner);
}

StoreResult<void> SqlHubStore::becomeMember(SqlConnection& c, ProfileRow& row) {
    if (row.facts.isMember) return {};
    row.facts.isMember = true;
    if (row.memberId.empty()) {
        auto existing = c.query("SELECT value FROM identifiers WHERE profile_id = ? AND kind = 'member'", {row.id});
        if (!existing) return Fail(existing.error());
        if (!existing->empty()) {
            row.memberId = existing->text(0, 0);
        } else {
            // A member number for people who joined with a phone or e-mail: "TP" + 10 digits of a fresh uuid.
            std::string digits;
            for (char ch : newUuidV4()) {
                if (std::isxdigit(static_cast<unsigned char>(ch))) digits += static_cast<char>('0' + (ch % 10));
                if (digits.size() == 10) break;
            }
            row.memberId = "TP" + digits;
            auto r = c.exec("INSERT INTO identifiers(kind, value, profile_id) VALUES('member', ?, ?) "
                            "ON CONFLICT(kind, value) DO NOTHING",
                            {row.memberId, row.id});
            if (!r) return Fail(r.error());
        }
    }
    // Check-ins made before the membership was recorded (the consent event can arrive after the sign-in)
    // are judged now, in capture order, by the same cooldown rule.
    auto pending = c.query("SELECT message_id, at FROM checkins WHERE profile_id = ? AND reason = 'not_member' ORDER BY at",
                           {row.id});
    if (!pending) return Fail(pending.error());
    for (std::size_t i = 0; i < pending->size(); ++i) {
        const auto at = pending->integer(i, 1);
        const auto cd = m_config.loyalty.cooldownSeconds * 1000;
        auto near = c.query("SELECT at FROM checkins WHERE profile_id = ? AND awarded = 1 AND at > ? AND at < ? LIMIT 1",
                            {row.id, at - cd, at + cd});
        if (!near) return Fail(near.error());
        const bool earns = earnsPoints(at, near->empty() ? std::nullopt : std::optional(near->integer(0, 0)),
                                       m_config.loyalty.cooldownSeconds);
        const std::int64_t pts = earns ? m_config.loyalty.pointsPerCheckin : 0;
        // (profile_id, at) leads the checkins_profile index: the row is found without a scan.
        auto u = c.exec("UPDATE checkins SET awarded = ?, points = ?, reason = ? "
                        "WHERE profile_id = ? AND at = ? AND message_id = ?",
                        {std::int64_t{earns}, pts, std::string(earns ? "" : "cooldown"), row.id, at, pending->text(i, 0)});
        if (!u) return Fail(u.error());
        if (earns) {
            row.points += pts;
            if (!row.lastCheckinMs || at > *row.lastCheckinMs) row.lastCheckinMs = at;
        }
    }
    return {};
}

StoreResult<bool> SqlHubStore::checkin(SqlConnection& c, ProfileRow& row, const IngestMessage& m) {
    const auto at = m.correctedMs;
    const auto day = formatIsoUtcDay(at);
    bool earns = false;
    std::string reason = "not_member";
    if (row.facts.isMember) {
        const auto cd = m_config.loyalty.cooldownSeconds * 1000;
        auto near = c.query("SELECT at FROM checkins WHERE profile_id = ? AND awarded = 1 AND at > ? AND at < ? LIMIT 1",
                            {row.id, at - cd, at + cd});
        if (!near) return Fail(near.error());
        earns = earnsPoints(at, near->empty() ? std::nullopt : std::optional(near->integer(0, 0)),
                            m_config.loyalty.cooldownSeconds);
        reason = earns ? "" : "cooldown";
    }
    const std::int64_t pts = earns ? m_config.loyalty.pointsPerCheckin : 0;
    auto r = c.exec("INSERT INTO checkins(message_id, profile_id, at, day, awarded, points, reason) VALUES(?,?,?,?,?,?,?)",
                    {std::string_view(m.messageId), row.id, at, day, std::int64_t{earns}, pts, reason});
    if (!r) return Fail(r.error());
    if (earns) {
        row.points += pts;
        if (!row.lastCheckinMs || at > *row.lastCheckinMs) row.lastCheckinMs = at;
    }
    // Check-ins on this one day (this one included): the first of a day is a new visit day, and too many
    // in a day raise the velocity flag. Counting one day keeps this cheap for a regular's long history.
    auto sameDay = c.query("SELECT COUNT(*) FROM checkins WHERE profile_id = ? AND at >= ? AND at < ?",
                           {row.id, dayStartMs(at), dayStartMs(at) + kDayMs});
    if (!sameDay) return Fail(sameDay.error());
    const auto onThatDay = sameDay->integer(0, 0);
    if (onThatDay == 1) ++row.facts.visitDays;
    if (onThatDay > m_config.loyalty.velocityPerDay) row.velocityFlag = true;
    return earns;
}

StoreResult<ProfileRow*> SqlHubStore::batchProfile(SqlConnection& c, BatchState& b, const std::string& id) {
    if (auto hit = b.profiles.find(id); hit != b.profiles.end()) return &hit->second;
    auto p = loadProfile(c, id);
    if (!p) return Fail(p.error());
    if (!*p) return Fail(StoreError{"profile vanished", true});
    return &b.profiles.emplace(id, std::move(**p)).first->second;
}

StoreResult<void> SqlHubStore::flushBatch(SqlConnection& c, BatchState& b) {
    for (const auto& id : b.dirty) {
        if (auto r = saveProfile(c, b.profiles.at(id)); !r) return Fail(r.error());
    }
    b.dirty.clear();
    for (const auto& [key, seen] : b.channels) {
        auto r = c.exec("INSERT INTO channels(profile_id, channel, first_seen, last_seen) VALUES(?,?,?,?) "
                        "ON CONFLICT(profile_id, channel) DO UPDATE SET "
                        "first_seen = CASE WHEN excluded.first_seen < channels.first_seen THEN excluded.first_seen "
                        "ELSE channels.first_seen END, "
                        "last_seen = CASE WHEN excluded.last_seen > channels.last_seen THEN excluded.last_seen "
                        "ELSE channels.last_seen END",
                        {key.first, key.second, seen.first, seen.second});
        if (!r) return Fail(r.error());
    }
    b.channels.clear();
    return {};
}

StoreResult<void> SqlHubStore::applyMessage(SqlConnection& c, BatchState& b, const IngestMessage& m,
                                            const std::optional<std::string>& profile, bool tombstoned) {
    const auto day = formatIsoUtcDay(m.correctedMs);
    const SqlValue pid = profile ? SqlValue{*profile} : SqlValue{};
    const bool signin = m.event == event::names::kSignin;
    const bool feedback = m.event == event::names::kFeedback || m.event == event::names::kFeedbackAbandoned;
    ProfileRow* row = nullptr;
    if (profile) {
        auto p = batchProfile(c, b, *profile);
        if (!p) return Fail(p.error());
        row = *p;
    }
    const std::optional<ProfileRow> loaded = row ? std::optional<ProfileRow>(*row) : std::nullopt;
    const std::string before = row ? (row->stage.empty() ? "awareness" : row->stage) : "";

    if (feedback) {
        const json emptyAnswers = json::object();
        const auto it = m.properties.find("answers");
        const json& answers = it != m.properties.end() && it->is_object() ? *it : emptyAnswers;
        json reasons = json::array();
        if (auto r = answers.find("reasons"); r != answers.end() && r->is_array()) {
            for (const auto& x : *r) {
                if (x.is_string()) reasons.push_back(x.get<std::string>().substr(0, 64));
            }
        }
        const auto nps = score(answers, "nps", 0, 10);
        auto comment = strProp(m.properties, "comment");
        if (tombstoned) comment.reset();
        auto r = c.exec("INSERT INTO feedback(message_id, at, day, store_id, kiosk_id, profile_id, abandoned, misuse, nps, "
                        "csat, ces, reasons, comment, survey_id, abandon_reason) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        {std::string_view(m.messageId), m.correctedMs, day, m.storeId, m.kioskId, pid,
                         std::int64_t{m.event == event::names::kFeedbackAbandoned}, std::int64_t{boolProp(m.properties, "misuse")},
                         opt(nps), opt(score(answers, "csat", 1, 5)), opt(score(answers, "ces", 1, 7)), reasons.dump(),
                         comment ? SqlValue{*comment} : SqlValue{}, strProp(m.properties, "surveyId").value_or(""),
                         strProp(m.properties, "abandonReason").value_or("")});
        if (!r) return Fail(r.error());
        if (row && nps && m.event == event::names::kFeedback &&
            (!row->latestNpsAtMs || m.correctedMs >= *row->latestNpsAtMs)) {
            row->latestNps = nps;
            row->latestNpsAtMs = m.correctedMs;
            row->facts.latestNps = nps;
        }
    }
    if (signin) {
        const bool newMember = boolProp(m.properties, "newMember");
        if (row && newMember) {
            if (auto r = becomeMember(c, *row); !r) return Fail(r.error());
        }
        bool awarded = false;
        if (row) {
            auto r = checkin(c, *row, m);
            if (!r) return Fail(r.error());
            awarded = *r;
        }
        auto r = c.exec("INSERT INTO signins(message_id, at, day, store_id, kiosk_id, profile_id, method, new_member, awarded) "
                        "VALUES(?,?,?,?,?,?,?,?,?)",
                        {std::string_view(m.messageId), m.correctedMs, day, m.storeId, m.kioskId, pid,
                         strProp(m.properties, "method").value_or(""), std::int64_t{newMember},
                         std::int64_t{awarded}});
        if (!r) return Fail(r.error());
    }
    if (!row) return {};

    if (m.event == event::names::kConsent) {
        const auto it = m.properties.find("purposes");
        if (it != m.properties.end() && it->is_array()) {
            for (const auto& p : *it) {
                if (p.is_string() && p.get<std::string>() == "loyalty_terms") {
                    if (auto r = becomeMember(c, *row); !r) return Fail(r.error());
                }
            }
        }
    }
    if (isConsiderationEvent(m.event)) ++row->facts.considered;
    if (isPurchaseEvent(m.event)) ++row->facts.orders;
    if (isReferralEvent(m.event)) ++row->facts.referrals;
    if (row->firstInitial.empty()) {
        for (const char* key : {"firstName", "name"}) {
            if (auto n = strProp(m.traits, key); n && !n->empty()) {
                row->firstInitial = std::string(1, static_cast<char>(std::toupper(static_cast<unsigned char>((*n)[0]))));
                break;
            }
        }
    }
    auto [seen, fresh] = b.channels.try_emplace({row->id, m.channel}, m.correctedMs, m.correctedMs);
    if (!fresh) {
        seen->second.first = std::min(seen->second.first, m.correctedMs);
        seen->second.second = std::max(seen->second.second, m.correctedMs);
    }

    row->stage = deriveStage(row->facts);
    if (row->stage != before) {
        auto t = c.exec("INSERT INTO transitions(message_id, profile_id, at, day, from_stage, to_stage, channel) "
                        "VALUES(?,?,?,?,?,?,?)",
                        {std::string_view(m.messageId), row->id, m.correctedMs, day, before, row->stage, m.channel});
        if (!t) return Fail(t.error());
    }
    if (*row != *loaded) b.dirty.insert(row->id);  // written once, when the batch is flushed
    return {};
}

}  // namespace touchpoint::hub
