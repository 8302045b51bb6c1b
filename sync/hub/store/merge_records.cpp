#include "hub/store/merge_records.hpp"

#include <nlohmann/json.hpp>
#include <utility>

#include "hub/ingest/identity.hpp"
#include "hub/ingest/json_text.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

std::optional<std::int64_t> optionalFrom(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<std::int64_t>();
}

}  // namespace

std::string profileRowJson(const ProfileRow& p) {
    // Written out directly: a merge records two of these inside the ingest transaction, and building a JSON
    // object (a map of keys) cost about twenty times as much. profileRowFromJson reads it back. Text values
    // go through appendJsonString: a byte that is not part of UTF-8 text becomes U+FFFD (an initial stored
    // before firstInitial() kept whole characters could be half of one), so the merge is recorded rather than
    // the whole batch refused.
    std::string out;
    out.reserve(320 + p.id.size() + p.memberId.size() + p.firstInitial.size() + p.stage.size());
    const auto text = [&out](const char* key, const std::string& value) {
        out += '"';
        out += key;
        out += "\":";
        appendJsonString(out, value);
        out += ',';
    };
    const auto number = [&out](const char* key, std::int64_t value) {
        out += '"';
        out += key;
        out += "\":";
        out += std::to_string(value);
        out += ',';
    };
    const auto optionalNumber = [&](const char* key, const std::optional<std::int64_t>& value) {
        if (value) {
            number(key, *value);
            return;
        }
        out += '"';
        out += key;
        out += "\":null,";
    };
    const auto flag = [&out](const char* key, bool value) {
        out += '"';
        out += key;
        out += value ? "\":true," : "\":false,";
    };
    out += '{';
    text("id", p.id);
    number("createdMs", p.createdMs);
    text("memberId", p.memberId);
    text("firstInitial", p.firstInitial);
    text("stage", p.stage);
    number("points", p.points);
    optionalNumber("latestNps", p.latestNps);
    optionalNumber("latestNpsAtMs", p.latestNpsAtMs);
    optionalNumber("lastCheckinMs", p.lastCheckinMs);
    flag("velocityFlag", p.velocityFlag);
    flag("isMember", p.facts.isMember);
    number("visitDays", p.facts.visitDays);
    number("referrals", p.facts.referrals);
    number("orders", p.facts.orders);
    number("considered", p.facts.considered);
    out.back() = '}';
    return out;
}

std::optional<ProfileRow> profileRowFromJson(const std::string& text) {
    const json j = json::parse(text, nullptr, false);
    if (!j.is_object() || !j.value("id", json()).is_string()) return std::nullopt;
    ProfileRow p;
    try {
        p.id = j.at("id").get<std::string>();
        p.createdMs = j.at("createdMs").get<std::int64_t>();
        p.memberId = j.at("memberId").get<std::string>();
        p.firstInitial = j.at("firstInitial").get<std::string>();
        p.stage = j.at("stage").get<std::string>();
        p.points = j.at("points").get<std::int64_t>();
        p.latestNps = optionalFrom(j, "latestNps");
        p.latestNpsAtMs = optionalFrom(j, "latestNpsAtMs");
        p.lastCheckinMs = optionalFrom(j, "lastCheckinMs");
        p.velocityFlag = j.at("velocityFlag").get<bool>();
        p.facts.isMember = j.at("isMember").get<bool>();
        p.facts.visitDays = j.at("visitDays").get<std::int64_t>();
        p.facts.referrals = j.at("referrals").get<std::int64_t>();
        p.facts.orders = j.at("orders").get<std::int64_t>();
        p.facts.considered = j.at("considered").get<std::int64_t>();
        p.facts.latestNps = p.latestNps;
    } catch (const json::exception&) {
        return std::nullopt;
    }
    return p;
}

StoreResult<void> recordMergeAndMoves(SqlConnection& c, const privacy::FieldCipher& cipher,
                                      const MergeFact& merge, unsigned loserTables) {
    const std::string& winnerId = merge.winnerBefore->id;
    const std::string& loserId = merge.loserBefore->id;
    auto ins = c.query(
        "INSERT INTO merges(at, message_id, source, winner_id, loser_id, winner_before, loser_before) "
        "VALUES(?,?,?,?,?,?,?) RETURNING seq",
        {merge.atMs, merge.messageId, merge.source, winnerId, loserId,
         cipher.seal(privacy::columns::kMergeWinnerBefore, profileRowJson(*merge.winnerBefore)),
         cipher.seal(privacy::columns::kMergeLoserBefore, profileRowJson(*merge.loserBefore))});
    if (!ins) return Fail(ins.error());
    const std::int64_t seq = ins->integer(0, 0);
    for (const auto& [table, bit] : kMergedFactTables) {
        if ((loserTables & bit) == 0) continue;
        auto r =
            c.defer(std::string("INSERT INTO merge_moves(merge_seq, tbl, row_seq, row_key) SELECT ?, '") +
                        table + "', seq, '' FROM " + table + " WHERE profile_id = ?",
                    {seq, loserId});
        if (!r) return Fail(r.error());
    }
    // Identifiers by their keyed tag: the record names no e-mail or phone of its own, and cannot be tested
    // against guessed ones without the data key.
    // The identifiers table holds those tags already (store/identifier_rows.hpp).
    if ((loserTables & kIdentifierRows) != 0) {
        auto ids = c.defer(
            "INSERT INTO merge_moves(merge_seq, tbl, row_seq, row_key) "
            "SELECT ?, 'identifiers', 0, value FROM identifiers WHERE profile_id = ?",
            {seq, loserId});
        if (!ids) return Fail(ids.error());
    }
    // Group links: whether the winner had the group too decides whether an undo takes it from the winner.
    if ((loserTables & kGroupRows) != 0) {
        auto groups = c.defer(
            "INSERT INTO merge_moves(merge_seq, tbl, row_seq, row_key) "
            "SELECT ?, CASE WHEN EXISTS(SELECT 1 FROM profile_groups w WHERE w.profile_id = ? AND "
            "w.group_id = l.group_id) THEN 'groups_shared' ELSE 'groups' END, 0, l.group_id "
            "FROM profile_groups l WHERE l.profile_id = ?",
            {seq, winnerId, loserId});
        if (!groups) return Fail(groups.error());
    }
    return {};
}

StoreResult<bool> mergeWasUndone(SqlConnection& c, const std::string& a, const std::string& b) {
    auto r = c.query("SELECT 1 FROM merges WHERE undone_at IS NOT NULL AND "
                     "((winner_id = ? AND loser_id = ?) OR (winner_id = ? AND loser_id = ?))",
                     {a, b, b, a});
    if (!r) return Fail(r.error());
    return !r->empty();
}

}  // namespace touchpoint::hub
