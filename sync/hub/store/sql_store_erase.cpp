// Erasure (DELETE /v1/profiles/{id}) and the one ingest path that would otherwise keep an identifier it cannot
// link to a profile: staff lookups. What an erasure removes is listed in docs/OPERATIONS.md "Personal data:
// keys, erasure, retention"; facts without the person (counts, scores, times) stay.

#include <algorithm>

#include "common/log.hpp"
#include "event/message.hpp"
#include "hub/ingest/identity.hpp"
#include "hub/ingest/json_props.hpp"
#include "hub/store/identifier_rows.hpp"
#include "hub/store/sealed_fields.hpp"
#include "hub/store/sql_store.hpp"
#include "hub/store/tombstones.hpp"

namespace touchpoint::hub {

namespace {

using nlohmann::json;

/// The kinds a looked-up identifier could have been recorded under for this stored identifier: a member card
/// arrives as userId as well as memberId, and staff look members up as "member".
std::vector<std::string_view> lookupKindsOf(std::string_view kind) {
    if (kind == "user") return {"user", "member"};
    return {kind};
}

}  // namespace

StoreResult<bool> SqlHubStore::erasePersonalData(SqlConnection& c, const std::string& profileId) {
    auto p = c.query(std::string("SELECT id FROM profiles WHERE id = ?") + std::string(c.forUpdate()), {profileId});
    if (!p) return Fail(p.error());
    if (p->empty()) return false;
    // Merged-away profiles' rows were moved to this one when they merged (identifiers, events, facts), so they
    // go with it.
    auto ids = c.query("SELECT kind, sealed_value FROM identifiers WHERE profile_id = ?", {profileId});
    if (!ids) return Fail(ids.error());
    const auto now = m_clock.utcMs();
    for (std::size_t i = 0; i < ids->size(); ++i) {
        const std::string kind = ids->text(i, 0);
        auto opened = openIdentifier(m_cipher, ids->text(i, 1));
        if (!opened) return Fail(opened.error());
        const std::string value = std::move(opened).value();
        if (auto r = addTombstone(c, m_keys, kind, value, now); !r) return Fail(r.error());
        // Staff lookups of this person: their identifier was kept only as a keyed tag; the tag goes.
        for (const auto lookupKind : lookupKindsOf(kind)) {
            for (const auto& tag : m_keys.identifierTags(lookupKind, value)) {
                auto r = c.exec("DELETE FROM staff_lookups WHERE subject = ?", {tag});
                if (!r) return Fail(r.error());
            }
        }
        // Messages that named this person without being tied to them (a public source's refused claim): their
        // payloads lose every personal field; the sender's own profile keeps the facts.
        for (const auto& tag : m_keys.identifierTags(kind, value)) {
            auto mentions = c.query("SELECT DISTINCT message_id FROM identifier_mentions WHERE subject = ?", {tag});
            if (!mentions) return Fail(mentions.error());
            for (std::size_t m = 0; m < mentions->size(); ++m) {
                auto row = c.query("SELECT payload FROM events WHERE message_id = ?", {mentions->text(m, 0)});
                if (!row) return Fail(row.error());
                if (row->empty()) continue;
                // A payload that does not open (a key no longer held) cannot be stripped: it is replaced whole.
                auto text = revealField(m_cipher, privacy::columns::kEventPayload, row->text(0, 0));
                json payload = text ? json::parse(*text, nullptr, false) : json();
                if (!payload.is_object()) payload = json{{"erased", true}};
                stripPersonalFields(payload);
                auto u = c.exec("UPDATE events SET payload = ? WHERE message_id = ?",
                                {m_cipher.seal(privacy::columns::kEventPayload,
                                               payload.dump(-1, ' ', false, json::error_handler_t::replace)),
                                 mentions->text(m, 0)});
                if (!u) return Fail(u.error());
            }
            auto d = c.exec("DELETE FROM identifier_mentions WHERE subject = ?", {tag});
            if (!d) return Fail(d.error());
        }
    }
    // Merge records of this profile and of those merged into it (their rows as they were, the identifiers'
    // tags): an erased person's merges cannot be undone.
    std::vector<std::string> merged{profileId};
    for (std::size_t next = 0; next < merged.size() && merged.size() < 10'000; ++next) {
        auto losers = c.query("SELECT loser_id FROM merges WHERE winner_id = ?", {merged[next]});
        if (!losers) return Fail(losers.error());
        for (std::size_t i = 0; i < losers->size(); ++i) {
            if (std::find(merged.begin(), merged.end(), losers->text(i, 0)) == merged.end()) merged.push_back(losers->text(i, 0));
        }
    }
    for (const auto& id : merged) {
        auto moves = c.exec("DELETE FROM merge_moves WHERE merge_seq IN (SELECT seq FROM merges WHERE winner_id = ? OR "
                            "loser_id = ?)",
                            {id, id});
        if (!moves) return Fail(moves.error());
        auto records = c.exec("DELETE FROM merges WHERE winner_id = ? OR loser_id = ?", {id, id});
        if (!records) return Fail(records.error());
    }
    // Contacts given for the person's feedback go with them (their cases stay, without a way to reach them).
    auto contacts = c.exec("UPDATE feedback_contacts SET value = NULL, erased_at = ?, erased_reason = 'erasure' "
                           "WHERE value IS NOT NULL AND (feedback_message_id IN (SELECT message_id FROM feedback "
                           "WHERE profile_id = ?) OR consent_message_id IN (SELECT message_id FROM events WHERE "
                           "profile_id = ?))",
                           {now, profileId, profileId});
    if (!contacts) return Fail(contacts.error());
    // Notes staff wrote on those cases, and the outcome typed when resolving them, may repeat what the shopper
    // told them (a phone, an address): their text goes; who wrote each note and when, and the case's status
    // and times, stay. Found before the feedback and events below lose the profile.
    const std::string personCases =
        "(SELECT id FROM cases WHERE feedback_message_id IN (SELECT message_id FROM feedback WHERE profile_id = ?) "
        "OR feedback_message_id IN (SELECT feedback_message_id FROM feedback_contacts WHERE consent_message_id IN "
        "(SELECT message_id FROM events WHERE profile_id = ?)))";
    auto notes = c.exec("UPDATE case_notes SET text = '' WHERE text <> '' AND case_id IN " + personCases,
                        {profileId, profileId});
    if (!notes) return Fail(notes.error());
    auto outcomes = c.exec("UPDATE cases SET outcome = '' WHERE outcome <> '' AND id IN " + personCases,
                           {profileId, profileId});
    if (!outcomes) return Fail(outcomes.error());
    for (const char* sql : {
             "UPDATE events SET payload = '{\"erased\":true}', profile_id = NULL WHERE profile_id = ?",
             "UPDATE feedback SET comment = NULL, profile_id = NULL WHERE profile_id = ?",
             "UPDATE signins SET profile_id = NULL WHERE profile_id = ?",
             "UPDATE transitions SET profile_id = NULL WHERE profile_id = ?",
             "UPDATE audit SET profile_id = NULL WHERE profile_id = ?",  // who was looked up; the lookup stays
             "UPDATE identity_conflicts SET profile_id = NULL WHERE profile_id = ?",
             "UPDATE identity_conflicts SET held_by = NULL WHERE held_by = ?",
             "DELETE FROM checkins WHERE profile_id = ?",
             "DELETE FROM channels WHERE profile_id = ?",
             "DELETE FROM profile_groups WHERE profile_id = ?",
             "DELETE FROM identifiers WHERE profile_id = ?",
             "DELETE FROM profiles WHERE id = ?",
         }) {
        auto r = c.exec(sql, {profileId});
        if (!r) return Fail(r.error());
    }
    return true;
}

StoreResult<void> SqlHubStore::recordUnlinkedMentions(SqlConnection& c, const IngestMessage& m, const Identifiers& ids) {
    for (const auto& [kind, value] : ids) {
        if (kind != "phone" && kind != "email") continue;
        auto r = c.defer("INSERT INTO identifier_mentions(message_id, subject, at) VALUES(?,?,?)",
                         {std::string_view(m.messageId), m_keys.identifierTag(kind, value), m.correctedMs});
        if (!r) return Fail(r.error());
    }
    return {};
}

StoreResult<std::string> SqlHubStore::storeStaffLookup(SqlConnection& c, const IngestMessage& m) {
    json payload = json::parse(m.payloadText, nullptr, false);
    if (!payload.is_object()) return std::string(m.payloadText);
    auto props = payload.find("properties");
    if (props == payload.end() || !props->is_object() || !props->contains("identifier")) return std::string(m.payloadText);
    const auto kind = strProp(m.properties, "identityType").value_or("");
    const auto raw = strProp(m.properties, "identifier");
    props->erase("identifier");
    if (raw && !raw->empty() && (kind == "phone" || kind == "email" || kind == "member")) {
        // The same normal form the identifiers table holds, so the erasure of that profile finds the tag.
        std::optional<std::string> value = kind == "phone"   ? normalizePhone(*raw, m_config.loyalty.defaultPhoneRegion)
                                           : kind == "email" ? normalizeEmail(*raw)
                                                             : std::optional<std::string>(*raw);
        if (value) {
            auto any = anyTombstones(c);
            if (!any) return Fail(any.error());
            bool erased = false;
            if (*any) {
                auto t = isTombstoned(c, m_keys, kind, *value);
                if (!t) return Fail(t.error());
                erased = *t;
            }
            // A lookup of someone already erased keeps no tag: nothing would ever remove it.
            if (!erased) {
                auto r = c.defer("INSERT INTO staff_lookups(message_id, subject, at) VALUES(?,?,?)",
                                 {std::string_view(m.messageId), m_keys.identifierTag(kind, *value), m.correctedMs});
                if (!r) return Fail(r.error());
            }
        }
    }
    return payload.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace touchpoint::hub
