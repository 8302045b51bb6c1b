// Reads (lookups, statistics, exports, fleet) and the rarer writes (erasure, member import).

#include <charconv>

#include "common/clock.hpp"
#include "common/log.hpp"
#include "common/text.hpp"
#include "common/uuid.hpp"
#include "hub/ingest/identity.hpp"
#include "hub/ingest/json_props.hpp"
#include "hub/store/identifier_rows.hpp"
#include "hub/store/sealed_fields.hpp"
#include "hub/store/sql_store.hpp"
#include "hub/store/tombstones.hpp"

namespace touchpoint::hub {

namespace {
using nlohmann::json;

std::optional<int> optInt(const SqlRows& r, std::size_t i, std::size_t c) {
    if (r.isNull(i, c)) return std::nullopt;
    return static_cast<int>(r.integer(i, c));
}

std::optional<std::string> optText(const SqlRows& r, std::size_t i, std::size_t c) {
    if (r.isNull(i, c)) return std::nullopt;
    return r.text(i, c);
}

std::optional<std::int64_t> optInteger(const SqlRows& r, std::size_t i, std::size_t c) {
    if (r.isNull(i, c)) return std::nullopt;
    return r.integer(i, c);
}
}  // namespace

StoreResult<std::optional<ProfileView>> SqlHubStore::findProfile(const std::string& kind, const std::string& value) {
    auto lease = acquire();
    SqlConnection& c = *lease;
    // By keyed tag under every key (store/identifier_rows.hpp). Kiosk member cards arrive as userId as well as
    // memberId; either finds the member, the member row first.
    auto found = identifierOwner(c, m_keys, kind, value);
    if (!found) return Fail(found.error());
    if (!*found && kind == "member") {
        found = identifierOwner(c, m_keys, "user", value);
        if (!found) return Fail(found.error());
    }
    if (!*found) return std::optional<ProfileView>{};
    const std::string id = **found;
    auto p = c.query("SELECT member_id, first_initial, is_member, points, stage, latest_nps, latest_nps_at, "
                     "last_checkin_at, velocity_flag FROM profiles WHERE id = ?",
                     {id});
    if (!p) return Fail(p.error());
    if (p->empty()) return std::optional<ProfileView>{};
    ProfileView v;
    v.profileId = id;
    auto member = revealField(m_cipher, privacy::columns::kProfileMemberId, p->text(0, 0));
    if (!member) return Fail(member.error());
    v.memberId = std::move(member).value();
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
    auto gr = c.query("SELECT g.group_id, a.traits, g.first_seen, g.last_seen FROM profile_groups g "
                      "JOIN account_groups a ON a.group_id = g.group_id WHERE g.profile_id = ? ORDER BY g.first_seen, g.group_id",
                      {profileId});
    if (!gr) return Fail(gr.error());
    for (std::size_t i = 0; i < gr->size(); ++i) {
        auto traits = revealField(m_cipher, privacy::columns::kGroupTraits, gr->text(i, 1));
        if (!traits) return Fail(traits.error());
        t.groups.push_back({gr->text(i, 0), std::move(traits).value(), gr->integer(i, 2), gr->integer(i, 3)});
    }
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

StoreResult<bool> SqlHubStore::eraseProfile(const std::string& profileId, const TokenRecord& by) {
    // The audit row commits with the erasure or not at all: no erasure goes unrecorded, and none is recorded
    // that did not happen. It names no profile (HubStore::eraseProfile).
    auto erased = write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        auto done = erasePersonalData(c, profileId);
        if (!done) return done;
        if (auto a = insertAudit(c, by, "erase", "profile", "", *done); !a) return Fail(a.error());
        return done;
    });
    if (!erased || !*erased) return erased;
    // The erased values are still in the database's log until it is copied back and cut (SQLite).
    if (auto t = m_writes->truncateLog(); !t) {
        log::warn("hub", "erasure: log not truncated", {{"error", t.error().message}});
    }
    return true;
}

StoreResult<void> SqlHubStore::importMember(const MemberImport& m) {
    auto r = write<bool>([&](SqlConnection& c) -> StoreResult<bool> {
        std::vector<std::pair<std::string, std::string>> ids{{"member", m.memberId}};
        if (!m.email.empty()) ids.emplace_back("email", m.email);
        if (!m.phone.empty()) ids.emplace_back("phone", m.phone);
        for (const auto& [kind, value] : ids) {
            auto t = isTombstoned(c, m_keys, kind, value);
            if (!t) return Fail(t.error());
            if (*t) return Fail(StoreError{"member " + m.memberId + " was erased; not re-imported", false});
        }
        auto existing = identifierOwner(c, m_keys, "member", m.memberId);
        if (!existing) return Fail(existing.error());
        std::string id = *existing ? **existing : newUuidV7(m_clock.utcMs());
        const std::string initial = firstInitial(m.firstName);
        if (!*existing) {
            auto ins = c.exec("INSERT INTO profiles(id, created_at, member_id, first_initial, is_member, points, stage) "
                              "VALUES(?,?,?,?,1,?,'purchase')",
                              {id, m_clock.utcMs(), sealUnlessEmpty(m_cipher, privacy::columns::kProfileMemberId, m.memberId),
                               initial, m.points});
            if (!ins) return Fail(ins.error());
        } else {
            // Re-importing the same file is harmless: the file's points balance wins.
            auto up = c.exec("UPDATE profiles SET is_member = 1, points = ?, member_id = ?, "
                             "first_initial = CASE WHEN ? <> '' THEN ? ELSE first_initial END WHERE id = ?",
                             {m.points, sealUnlessEmpty(m_cipher, privacy::columns::kProfileMemberId, m.memberId), initial,
                              initial, id});
            if (!up) return Fail(up.error());
        }
        for (const auto& [kind, value] : ids) {
            auto owner = identifierOwner(c, m_keys, kind, value);
            if (!owner) return Fail(owner.error());
            if (*owner && **owner != id) {
                return Fail(StoreError{"member " + m.memberId + ": " + kind + " already belongs to another profile", false});
            }
            if (*owner) continue;  // held already (possibly under a retired key's tag)
            // A membership protects its identifiers already; verified marks what a kiosk proved.
            auto ins = c.exec(kInsertIdentifierSql,
                              identifierInsertParams(m_keys, m_cipher, kind, value, id, /*verified=*/false));
            if (!ins) return Fail(ins.error());
        }
        return true;
    });
    if (!r) return Fail(r.error());
    return {};
}

StoreResult<StatsData> SqlHubStore::statsData(const std::string& fromDay, const std::string& toDay,
                                              const std::string& store, const SurveyFilter& survey) {
    auto lease = acquire();
    SqlConnection& c = *lease;
    StatsData out;
    const std::string storeFilter = store.empty() ? "" : " AND store_id = ?";
    std::vector<SqlValue> params{fromDay, toDay};
    if (!store.empty()) params.emplace_back(store);

    // The survey filter is a condition on rows the day index already narrows to the range; no index of its own,
    // so ingest writes no extra B-tree for it.
    std::string surveyFilter;
    std::vector<SqlValue> feedbackParams = params;
    if (survey.surveyId) {
        surveyFilter += " AND survey_id = ?";
        feedbackParams.emplace_back(*survey.surveyId);
        if (survey.version) {
            surveyFilter += " AND survey_version = ?";
            feedbackParams.emplace_back(*survey.version);
        }
    }
    auto f = c.query("SELECT day, store_id, at, abandoned, misuse, nps, csat, ces, reasons, comment, survey_id, "
                     "survey_version FROM feedback WHERE day >= ? AND day <= ?" + storeFilter + surveyFilter + " ORDER BY at",
                     feedbackParams);
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
        auto comment = revealCell(m_cipher, privacy::columns::kFeedbackComment, *f, i, 9);
        if (!comment) return Fail(comment.error());
        r.comment = std::move(comment).value();
        r.surveyId = f->text(i, 10);
        r.surveyVersion = f->integer(i, 11);
        out.feedback.push_back(std::move(r));
    }
    if (survey.any()) {
        auto v = c.query("SELECT survey_id, survey_version, CAST(SUM(1 - abandoned) AS BIGINT) FROM feedback WHERE day >= ? AND day <= ?" +
                             storeFilter + " GROUP BY survey_id, survey_version ORDER BY survey_id, survey_version",
                         params);
        if (!v) return Fail(v.error());
        for (std::size_t i = 0; i < v->size(); ++i) {
            out.surveyVersionsInRange.push_back({v->text(i, 0), v->integer(i, 1), v->integer(i, 2)});
        }
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

StoreResult<std::vector<ExportRow>> SqlHubStore::exportPage(ExportKind kind, const std::string& fromDay,
                                                            const std::string& toDay, const std::string& store,
                                                            std::string& cursor, std::size_t limit) {
    auto lease = acquire();
    SqlConnection& c = *lease;
    std::vector<SqlValue> params;
    std::string sql;
    const auto lim = static_cast<std::int64_t>(limit);
    if (kind == ExportKind::Profiles) {
        sql = "SELECT id, member_id, is_member, points, stage, latest_nps, created_at FROM profiles WHERE id > ? "
              "ORDER BY id LIMIT ?";
        params = {cursor, lim};
    } else {
        const char* table = kind == ExportKind::Events ? "events" : kind == ExportKind::Feedback ? "feedback" : "signins";
        const char* cols = kind == ExportKind::Events ? "message_id, at, store_id, kiosk_id, profile_id, channel, type, event, payload"
                           : kind == ExportKind::Feedback ? "message_id, at, store_id, kiosk_id, profile_id, abandoned, misuse, nps, "
                                                            "csat, ces, reasons, comment, survey_id, abandon_reason, "
                                                            "survey_version"
                                                          : "message_id, at, store_id, kiosk_id, profile_id, method, new_member, awarded";
        // Keyset pagination on (day, seq): stable while new rows arrive (they get larger seqs), no OFFSET scans.
        const auto bar = cursor.find('|');
        const std::string cDay = bar == std::string::npos ? "" : cursor.substr(0, bar);
        std::int64_t cSeq = 0;
        if (bar != std::string::npos) {
            const auto digits = std::string_view(cursor).substr(bar + 1);
            (void)std::from_chars(digits.data(), digits.data() + digits.size(), cSeq);
        }
        sql = std::string("SELECT ") + cols + ", day, seq FROM " + table +
              " WHERE day >= ? AND day <= ? AND (day > ? OR (day = ? AND seq > ?))" +
              (store.empty() ? "" : " AND store_id = ?") + " ORDER BY day, seq LIMIT ?";
        params = {fromDay, toDay, cDay, cDay, cSeq};
        if (!store.empty()) params.emplace_back(store);
        params.emplace_back(lim);
    }
    auto rows = c.query(sql, params);
    if (!rows) return Fail(rows.error());
    const SqlRows& r = *rows;
    std::vector<ExportRow> out;
    out.reserve(r.size());
    for (std::size_t i = 0; i < r.size(); ++i) {
        if (kind == ExportKind::Profiles) {
            auto member = revealField(m_cipher, privacy::columns::kProfileMemberId, r.text(i, 1));
            if (!member) return Fail(member.error());
            out.emplace_back(ExportedProfile{r.text(i, 0), std::move(member).value(), r.integer(i, 2) != 0,
                                             r.integer(i, 3), r.text(i, 4), optInteger(r, i, 5), r.integer(i, 6)});
            cursor = r.text(i, 0);
            continue;
        }
        ExportedFact fact{r.text(i, 0), r.integer(i, 1), r.text(i, 2), r.text(i, 3), optText(r, i, 4)};
        std::size_t next = 5;  // the first column after the fact's
        if (kind == ExportKind::Events) {
            auto payload = revealField(m_cipher, privacy::columns::kEventPayload, r.text(i, 8));
            if (!payload) return Fail(payload.error());
            out.emplace_back(
                ExportedEvent{std::move(fact), r.text(i, 5), r.text(i, 6), r.text(i, 7), std::move(payload).value()});
            next = 9;
        } else if (kind == ExportKind::Feedback) {
            auto comment = revealCell(m_cipher, privacy::columns::kFeedbackComment, r, i, 11);
            if (!comment) return Fail(comment.error());
            out.emplace_back(ExportedFeedback{std::move(fact), r.integer(i, 5) != 0, r.integer(i, 6) != 0,
                                              optInteger(r, i, 7), optInteger(r, i, 8), optInteger(r, i, 9),
                                              r.text(i, 10), std::move(comment).value(), r.text(i, 12), r.text(i, 13),
                                              r.integer(i, 14)});
            next = 15;
        } else {
            out.emplace_back(ExportedSignin{std::move(fact), r.text(i, 5), r.integer(i, 6) != 0, r.integer(i, 7) != 0});
            next = 8;
        }
        cursor = r.text(i, next) + "|" + r.text(i, next + 1);
    }
    return out;
}

StoreResult<std::vector<KioskRecord>> SqlHubStore::fleet() {
    auto lease = acquire();
    auto rows = lease->query("SELECT store_id, kiosk_id, last_seen, app_version, clock_offset_ms, skew_flag, queue_depth, "
                             "oldest_pending_s, dead_letters, drops, events, config_version, config_refusal FROM kiosks "
                             "ORDER BY store_id, kiosk_id");
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
        k.configVersion = optInteger(*rows, i, 11);
        if (!rows->isNull(i, 12)) k.configRefusal = rows->text(i, 12);
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
