// Reads (lookups, statistics, exports, fleet) and the rarer writes (erasure, member import).

#include <charconv>

#include "common/clock.hpp"
#include "common/uuid.hpp"
#include "hub/ingest/identity.hpp"
#include "hub/ingest/json_props.hpp"
#include "hub/store/sql_store.hpp"

namespace touchpoint::hub {

namespace {
using nlohmann::json;

std::optional<int> optInt(const SqlRows& r, std::size_t i, std::size_t c) {
    if (r.isNull(i, c)) return std::nullopt;
    return static_cast<int>(r.integer(i, c));
}

json cellJson(const SqlRows& r, std::size_t i, std::size_t c) {
    if (r.isNull(i, c)) return nullptr;
    return r.text(i, c);
}

json intJson(const SqlRows& r, std::size_t i, std::size_t c) {
    if (r.isNull(i, c)) return nullptr;
    return r.integer(i, c);
}

std::optional<std::int64_t> optInteger(const SqlRows& r, std::size_t i, std::size_t c) {
    if (r.isNull(i, c)) return std::nullopt;
    return r.integer(i, c);
}
}  // namespace

StoreResult<std::optional<ProfileView>> SqlHubStore::findProfile(const std::string& kind, const std::string& value) {
    auto lease = acquire();
    SqlConnection& c = *lease;
    StoreResult<SqlRows> ids = Fail(StoreError{});
    if (kind == "member") {
        // Kiosk member cards arrive as userId as well as memberId; either finds the member.
        ids = c.query("SELECT profile_id FROM identifiers WHERE (kind = 'member' OR kind = 'user') AND value = ? "
                      "ORDER BY kind LIMIT 1",
                      {value});
    } else {
        ids = c.query("SELECT profile_id FROM identifiers WHERE kind = ? AND value = ?", {kind, value});
    }
    if (!ids) return Fail(ids.error());
    if (ids->empty()) return std::optional<ProfileView>{};
    const std::string id = ids->text(0, 0);
    auto p = c.query("SELECT member_id, first_initial, is_member, points, stage, latest_nps, latest_nps_at, "
                     "last_checkin_at, velocity_flag FROM profiles WHERE id = ?",
                     {id});
    if (!p) return Fail(p.error());
    if (p->empty()) return std::optional<ProfileView>{};
    ProfileView v;
    v.profileId = id;
    v.memberId = p->text(0, 0);
    v.firstInitial = p->text(0, 1);
    v.isMember = p->integer(0, 2) != 0;
    v.points = p->integer(0, 3);
    v.stage = p->text(0, 4);
    if (!p->isNull(0, 5)) v.latestNps = p->integer(0, 5);
    if (!p->isNull(0, 6)) v.latestNpsAtMs = p->integer(0, 6);
    if (!p->isNull(0, 7)) v.lastCheckinMs = p->integer(0, 7);
    v.velocityFlag = p->integer(0, 8) != 0;
    auto ch = c.query("SELECT channel, last_seen FROM channels WHERE profile_id = ? ORDER BY channel", {id});
    if (!ch) return Fail(ch.error());
    for (std::size_t i = 0; i < ch->size(); ++i) v.lastSeenByChannel[ch->text(i, 0)] = ch->integer(i, 1);
    return std::optional<ProfileView>(std::move(v));
}

StoreResult<std::optional<Timeline>> SqlHubStore::timeline(const std::string& profileId, std::size_t limit) {
    auto lease = acquire();
    SqlConnection& c = *lease;
    auto exists = c.query("SELECT 1 FROM profiles WHERE id = ?", {profileId});
    if (!exists) return Fail(exists.error());
    if (exists->empty()) return std::optional<Timeline>{};
    Timeline t;
    auto ch = c.query("SELECT channel, first_seen, last_seen FROM channels WHERE profile_id = ? ORDER BY first_seen, channel",
                      {profileId});
    if (!ch) return Fail(ch.error());
    for (std::size_t i = 0; i < ch->size(); ++i) t.channels.push_back({ch->text(i, 0), ch->integer(i, 1), ch->integer(i, 2)});
    auto ev = c.query("SELECT at, channel, type, event, store_id, kiosk_id, message_id FROM events WHERE profile_id = ? "
                      "ORDER BY at DESC, seq DESC LIMIT ?",
                      {profileId, static_cast<std::int64_t>(limit)});
    if (!ev) return Fail(ev.error());
    for (std::size_t i = 0; i < ev->size(); ++i) {
        t.touchpoints.push_back({ev->integer(i, 0), ev->text(i, 1), ev->text(i, 2), ev->text(i, 3), ev->text(i, 4),
                                 ev->text(i, 5), ev->text(i, 6)});
    }
    return std::optional<Timeline>(std::move(t));
}

StoreResult<bool> SqlHubStore::eraseProfile(const std::string& profileId) {
    return write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        auto p = c.query(std::string("SELECT id FROM profiles WHERE id = ?") + std::string(c.forUpdate()), {profileId});
        if (!p) return Fail(p.error());
        if (p->empty()) return false;
        auto ids = c.query("SELECT kind, value FROM identifiers WHERE profile_id = ?", {profileId});
        if (!ids) return Fail(ids.error());
        const auto now = m_clock.utcMs();
        for (std::size_t i = 0; i < ids->size(); ++i) {
            auto r = c.exec("INSERT INTO tombstones(hash, erased_at) VALUES(?, ?) ON CONFLICT(hash) DO NOTHING",
                            {identifierHash(ids->text(i, 0), ids->text(i, 1)), now});
            if (!r) return Fail(r.error());
        }
        // Facts without the person stay (counts, scores); anything that names or contacts them goes.
        for (const char* sql : {
                 "UPDATE events SET payload = '{\"erased\":true}', profile_id = NULL WHERE profile_id = ?",
                 "UPDATE feedback SET comment = NULL, profile_id = NULL WHERE profile_id = ?",
                 "UPDATE signins SET profile_id = NULL WHERE profile_id = ?",
                 "UPDATE transitions SET profile_id = NULL WHERE profile_id = ?",
                 "DELETE FROM checkins WHERE profile_id = ?",
                 "DELETE FROM channels WHERE profile_id = ?",
                 "DELETE FROM identifiers WHERE profile_id = ?",
                 "DELETE FROM profiles WHERE id = ?",
             }) {
            auto r = c.exec(sql, {profileId});
            if (!r) return Fail(r.error());
        }
        return true;
    });
}

StoreResult<void> SqlHubStore::importMember(const MemberImport& m) {
    auto r = write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        std::vector<std::pair<std::string, std::string>> ids{{"member", m.memberId}};
        if (!m.email.empty()) ids.emplace_back("email", m.email);
        if (!m.phone.empty()) ids.emplace_back("phone", m.phone);
        for (const auto& [kind, value] : ids) {
            auto t = c.query("SELECT 1 FROM tombstones WHERE hash = ?", {identifierHash(kind, value)});
            if (!t) return Fail(t.error());
            if (!t->empty()) return Fail(StoreError{"member " + m.memberId + " was erased; not re-imported", false});
        }
        auto existing = c.query("SELECT profile_id FROM identifiers WHERE kind = 'member' AND value = ?", {m.memberId});
        if (!existing) return Fail(existing.error());
        std::string id = existing->empty() ? newUuidV7(m_clock.utcMs()) : existing->text(0, 0);
        const std::string initial =
            m.firstName.empty() ? "" : std::string(1, static_cast<char>(std::toupper(static_cast<unsigned char>(m.firstName[0]))));
        if (existing->empty()) {
            auto ins = c.exec("INSERT INTO profiles(id, created_at, member_id, first_initial, is_member, points, stage) "
                              "VALUES(?,?,?,?,1,?,'purchase')",
                              {id, m_clock.utcMs(), m.memberId, initial, m.points});
            if (!ins) return Fail(ins.error());
        } else {
            // Re-importing the same file is harmless: the file's points balance wins.
            auto up = c.exec("UPDATE profiles SET is_member = 1, points = ?, member_id = ?, "
                             "first_initial = CASE WHEN ? <> '' THEN ? ELSE first_initial END WHERE id = ?",
                             {m.points, m.memberId, initial, initial, id});
            if (!up) return Fail(up.error());
        }
        for (const auto& [kind, value] : ids) {
            auto owner = c.query("SELECT profile_id FROM identifiers WHERE kind = ? AND value = ?", {kind, value});
            if (!owner) return Fail(owner.error());
            if (!owner->empty() && owner->text(0, 0) != id) {
                return Fail(StoreError{"member " + m.memberId + ": " + kind + " already belongs to another profile", false});
            }
            auto ins = c.exec("INSERT INTO identifiers(kind, value, profile_id) VALUES(?,?,?) ON CONFLICT(kind, value) DO NOTHING",
                              {kind, value, id});
            if (!ins) return Fail(ins.error());
        }
        return true;
    });
    if (!r) return Fail(r.error());
    return {};
}

StoreResult<StatsData> SqlHubStore::statsData(const std::string& fromDay, const std::string& toDay,
                                              const std::string& store) {
    auto lease = acquire();
    SqlConnection& c = *lease;
    StatsData out;
    const std::string storeFilter = store.empty() ? "" : " AND store_id = ?";
    std::vector<SqlValue> params{fromDay, toDay};
    if (!store.empty()) params.emplace_back(store);

    auto f = c.query("SELECT day, store_id, at, abandoned, misuse, nps, csat, ces, reasons, comment FROM feedback "
                     "WHERE day >= ? AND day <= ?" + storeFilter + " ORDER BY at",
                     params);
    if (!f) return Fail(f.error());
    for (std::size_t i = 0; i < f->size(); ++i) {
        FeedbackRow r;
        r.day = f->text(i, 0);
        r.store = f->text(i, 1);
        r.atMs = f->integer(i, 2);
        r.abandoned = f->integer(i, 3) != 0;
        r.misuse = f->integer(i, 4) != 0;
        r.nps = optInt(*f, i, 5);
        r.csat = optInt(*f, i, 6);
        r.ces = optInt(*f, i, 7);
        const auto reasons = json::parse(f->text(i, 8), nullptr, false);
        if (reasons.is_array()) {
            for (const auto& x : reasons) {
                if (x.is_string()) r.reasons.push_back(x.get<std::string>());
            }
        }
        if (!f->isNull(i, 9)) r.comment = f->text(i, 9);
        out.feedback.push_back(std::move(r));
    }
    auto s = c.query("SELECT day, store_id, new_member FROM signins WHERE day >= ? AND day <= ?" + storeFilter, params);
    if (!s) return Fail(s.error());
    for (std::size_t i = 0; i < s->size(); ++i) out.signins.push_back({s->text(i, 0), s->text(i, 1), s->integer(i, 2) != 0});

    for (auto stage : kStages) out.stages[std::string(stage)] = 0;
    auto st = c.query("SELECT stage, COUNT(*) FROM profiles GROUP BY stage");
    if (!st) return Fail(st.error());
    for (std::size_t i = 0; i < st->size(); ++i) out.stages[st->text(i, 0)] = st->integer(i, 1);

    // Transitions are attributed to the store of the event that caused them.
    auto tr = c.query(std::string("SELECT t.from_stage, t.to_stage, t.channel, COUNT(*) FROM transitions t ") +
                          (store.empty() ? "" : "JOIN events e ON e.message_id = t.message_id ") +
                          "WHERE t.day >= ? AND t.day <= ?" + (store.empty() ? "" : " AND e.store_id = ?") +
                          " GROUP BY t.from_stage, t.to_stage, t.channel ORDER BY COUNT(*) DESC, t.from_stage, t.to_stage",
                      params);
    if (!tr) return Fail(tr.error());
    for (std::size_t i = 0; i < tr->size(); ++i) {
        out.transitions.push_back({tr->text(i, 0), tr->text(i, 1), tr->text(i, 2), tr->integer(i, 3)});
    }
    return out;
}

StoreResult<std::vector<json>> SqlHubStore::exportPage(const std::string& kind, const std::string& fromDay,
                                                       const std::string& toDay, const std::string& store,
                                                       std::string& cursor, std::size_t limit) {
    auto lease = acquire();
    SqlConnection& c = *lease;
    std::vector<json> out;
    std::vector<SqlValue> params;
    std::string sql;
    const auto lim = static_cast<std::int64_t>(limit);
    if (kind == "profiles") {
        sql = "SELECT id, member_id, is_member, points, stage, latest_nps, created_at FROM profiles WHERE id > ? "
              "ORDER BY id LIMIT ?";
        params = {cursor, lim};
    } else {
        std::string table = kind == "events" ? "events" : kind == "feedback" ? "feedback" : "signins";
        std::string cols = kind == "events"     ? "message_id, at, store_id, kiosk_id, channel, type, event, profile_id, payload"
                           : kind == "feedback" ? "message_id, at, store_id, kiosk_id, profile_id, abandoned, misuse, nps, csat, "
                                                  "ces, reasons, comment, survey_id, abandon_reason"
                                                : "message_id, at, store_id, kiosk_id, profile_id, method, new_member, awarded";
        // Keyset pagination on (day, seq): stable while new rows arrive (they get larger seqs), no OFFSET scans.
        const auto bar = cursor.find('|');
        const std::string cDay = bar == std::string::npos ? "" : cursor.substr(0, bar);
        std::int64_t cSeq = 0;
        if (bar != std::string::npos) {
            const auto digits = std::string_view(cursor).substr(bar + 1);
            (void)std::from_chars(digits.data(), digits.data() + digits.size(), cSeq);
        }
        sql = "SELECT " + cols + ", day, seq FROM " + table +
              " WHERE day >= ? AND day <= ? AND (day > ? OR (day = ? AND seq > ?))" +
              (store.empty() ? "" : " AND store_id = ?") + " ORDER BY day, seq LIMIT ?";
        params = {fromDay, toDay, cDay, cDay, cSeq};
        if (!store.empty()) params.emplace_back(store);
        params.emplace_back(lim);
    }
    auto rows = c.query(sql, params);
    if (!rows) return Fail(rows.error());
    for (std::size_t i = 0; i < rows->size(); ++i) {
        json j;
        if (kind == "profiles") {
            j = {{"profileId", rows->text(i, 0)}, {"memberId", rows->text(i, 1)}, {"member", rows->integer(i, 2) != 0},
                 {"points", rows->integer(i, 3)}, {"stage", rows->text(i, 4)}, {"latestNps", intJson(*rows, i, 5)},
                 {"createdAt", formatIsoUtcMs(rows->integer(i, 6))}};
            cursor = rows->text(i, 0);
        } else {
            j = {{"messageId", rows->text(i, 0)}, {"at", formatIsoUtcMs(rows->integer(i, 1))},
                 {"store", rows->text(i, 2)}, {"kiosk", rows->text(i, 3)}};
            if (kind == "events") {
                j["channel"] = rows->text(i, 4);
                j["type"] = rows->text(i, 5);
                j["event"] = rows->text(i, 6);
                j["profileId"] = cellJson(*rows, i, 7);
                j["payload"] = json::parse(rows->text(i, 8), nullptr, false);
                cursor = rows->text(i, 9) + "|" + rows->text(i, 10);
            } else if (kind == "feedback") {
                j["profileId"] = cellJson(*rows, i, 4);
                j["abandoned"] = rows->integer(i, 5) != 0;
                j["misuse"] = rows->integer(i, 6) != 0;
                j["nps"] = intJson(*rows, i, 7);
                j["csat"] = intJson(*rows, i, 8);
                j["ces"] = intJson(*rows, i, 9);
                j["reasons"] = json::parse(rows->text(i, 10), nullptr, false);
                j["comment"] = rows->isNull(i, 11) ? json(nullptr) : json(maskPersonalText(rows->text(i, 11)));
                j["surveyId"] = rows->text(i, 12);
                j["abandonReason"] = rows->text(i, 13);
                cursor = rows->text(i, 14) + "|" + rows->text(i, 15);
            } else {
                j["profileId"] = cellJson(*rows, i, 4);
                j["method"] = rows->text(i, 5);
                j["newMember"] = rows->integer(i, 6) != 0;
                j["pointsAwarded"] = rows->integer(i, 7) != 0;
                cursor = rows->text(i, 8) + "|" + rows->text(i, 9);
            }
        }
        out.push_back(std::move(j));
    }
    return out;
}

StoreResult<std::vector<KioskRecord>> SqlHubStore::fleet() {
    auto lease = acquire();
    auto rows = lease->query("SELECT store_id, kiosk_id, last_seen, app_version, clock_offset_ms, skew_flag, queue_depth, "
                             "oldest_pending_s, dead_letters, drops, events FROM kiosks ORDER BY store_id, kiosk_id");
    if (!rows) return Fail(rows.error());
    std::vector<KioskRecord> out;
    out.reserve(rows->size());
    for (std::size_t i = 0; i < rows->size(); ++i) {
        KioskRecord k;
        k.store = rows->text(i, 0);
        k.kiosk = rows->text(i, 1);
        k.lastSeenMs = rows->integer(i, 2);
        k.appVersion = rows->text(i, 3);
        k.clockOffsetMs = optInteger(*rows, i, 4);
        k.clockSkewed = rows->integer(i, 5) != 0;
        k.queueDepth = optInteger(*rows, i, 6);
        k.oldestPendingS = optInteger(*rows, i, 7);
        k.deadLetters = optInteger(*rows, i, 8);
        // Drops were range-checked when the heartbeat was stored; anything else in the column is skipped.
        if (!rows->isNull(i, 9)) {
            const json drops = json::parse(rows->text(i, 9), nullptr, false);
            if (drops.is_object()) {
                for (const auto& [reason, n] : drops.items()) {
                    if (auto count = toInt64(n)) k.drops[reason] = *count;
                }
            }
        }
        k.events = rows->integer(i, 10);
        out.push_back(std::move(k));
    }
    // Welcome lookups per kiosk, from the audit (an index-only count).
    auto welcomes = lease->query("SELECT store_id, kiosk_id, COUNT(*) FROM audit WHERE route = 'welcome' "
                                 "GROUP BY store_id, kiosk_id");
    if (!welcomes) return Fail(welcomes.error());
    for (std::size_t i = 0; i < welcomes->size(); ++i) {
        const auto store = welcomes->text(i, 0), kiosk = welcomes->text(i, 1);
        for (auto& k : out) {
            if (k.store == store && k.kiosk == kiosk) k.welcomeLookups = welcomes->integer(i, 2);
        }
    }
    return out;
}

}  // namespace touchpoint::hub
