#pragma once
// HubStore: everything the hub keeps, behind one interface. One implementation (SqlHubStore) runs on SQLite
// (embedded default) and PostgreSQL (several hub processes may share one database).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "hub/config/hub_config.hpp"
#include "hub/ingest/batch_parser.hpp"
#include "hub/ingest/token_record.hpp"
#include "hub/journey/stats_data.hpp"
#include "hub/privacy/retention_report.hpp"
#include "hub/store/case_store.hpp"
#include "hub/store/export_rows.hpp"
#include "hub/store/fleet_config_store.hpp"
#include "hub/store/key_rotation.hpp"
#include "hub/store/kiosk_record.hpp"
#include "hub/store/source_record.hpp"
#include "hub/store/sql_backend.hpp"

namespace touchpoint::hub {

enum class ReceiptStatus { Accepted, Duplicate };

/// A profile as lookups see it.
struct ProfileView {
    std::string profileId;
    std::string memberId;
    std::string firstInitial;
    bool isMember = false;
    std::int64_t points = 0;
    std::string stage;
    std::optional<std::int64_t> latestNps;
    std::optional<std::int64_t> latestNpsAtMs;
    std::optional<std::int64_t> lastCheckinMs;
    bool velocityFlag = false;
    std::map<std::string, std::int64_t> lastSeenByChannel;
};

struct MemberImport {
    std::string memberId;
    std::string email;
    std::string phone;  ///< E.164
    std::string firstName;
    std::int64_t points = 0;
};

/// One event on a profile's timeline.
struct Touchpoint {
    std::int64_t atMs = 0;  ///< capture time, skew-corrected
    std::string channel, type, event, store, kiosk, messageId;
};

struct ChannelSpan {
    std::string channel;
    std::int64_t firstSeenMs = 0, lastSeenMs = 0;
};

/// A group (account) a profile was linked to by `group` calls, with the account's latest traits.
struct GroupLink {
    std::string groupId;
    std::string traitsJson;  ///< a JSON object as the newest group call sent it
    std::int64_t firstSeenMs = 0, lastSeenMs = 0;
};

/// A profile's journey across channels: where it has been seen, its groups, and its touchpoints, newest first.
struct Timeline {
    std::vector<ChannelSpan> channels;
    std::vector<GroupLink> groups;
    std::vector<Touchpoint> touchpoints;
};

/// One audit row (HubStore::audit): who read or erased personal data, when, on which route.
struct AuditEntry {
    std::int64_t atMs = 0;
    std::string tokenName;
    std::string identifierType;  ///< lookups: phone | email | member; timeline, erase: profile; export: the kind
    std::string profileId;       ///< empty when none was found, for exports, and for erasures (see audit())
    bool found = false;
    std::string route;
    std::string storeId, kioskId;  ///< the token's binding (kiosk and staff tokens); empty for head office
    std::string detail;            ///< export: the days and store asked for ("2026-11-01..2026-11-30 store=s1")
};

/// A profile merge as head office sees it (GET /v1/merges).
struct MergeRecord {
    std::int64_t seq = 0;
    std::int64_t atMs = 0;
    std::string messageId, source, winnerId, loserId;
    std::optional<std::int64_t> undoneMs;
    std::string undoneBy;
};

/// A tie the rules refused (GET /v1/identity/conflicts): the kind of identifier, never its value.
struct ConflictRecord {
    std::int64_t seq = 0;
    std::int64_t atMs = 0;
    std::string messageId, source, profileId, heldBy, identifierKind, reason;
};

enum class UndoMergeOutcome {
    Undone,
    NotFound,
    AlreadyUndone,
    /// The surviving profile is gone: merged again (undo that merge first) or erased.
    ProfileGone,
};

struct IngestStats {
    std::int64_t merges = 0;
    std::int64_t skewFlagged = 0;
    std::int64_t identityConflicts = 0;  ///< ties a public source was refused (docs/JOURNEY_RULES.md)
    /// Stores' alert windows the rules read from memory, and from the database (store/answer_windows.hpp).
    std::int64_t alertWindowsFromMemory = 0, alertWindowsFromDatabase = 0;
};

/// The time the store's one writer spent in its write transactions since the store opened (SQLite: every write
/// runs in turn on one connection). Busy time that grows as fast as the clock means the writer sets the ingest
/// rate; busy time beyond CPU time is time it waited for a core or the disk (docs/OPERATIONS.md, "Capacity").
struct WriterTime {
    double busySeconds = 0;  ///< wall-clock time holding the writer
    double cpuSeconds = 0;   ///< CPU time of the threads holding it, in that time
    std::int64_t transactions = 0;
};

class HubStore {
public:
    virtual ~HubStore() = default;

    /// Stores a batch of validated messages in one transaction; one status per message, in order.
    virtual StoreResult<std::vector<ReceiptStatus>> ingest(const std::vector<const IngestMessage*>& messages,
                                                           IngestStats& stats) = 0;

    /// kind: phone (E.164) | email (lower-cased) | member.
    virtual StoreResult<std::optional<ProfileView>> findProfile(const std::string& kind, const std::string& value) = 0;
    /// Records one read of personal data: the token that asked (its name, and the store and kiosk it is bound
    /// to), the route (welcome | lookup | timeline | export; erasures are recorded by eraseProfile), what kind
    /// of identifier (export: the kind exported), which profile (none when not found), and a detail (export:
    /// the days and store it asked for).
    virtual StoreResult<void> audit(const TokenRecord& token, const std::string& route,
                                    const std::string& identifierType, const std::string& profileId, bool found,
                                    const std::string& detail = {}) = 0;
    /// The most recent audit rows on `route` (lookup: staff, welcome: kiosks, timeline | erase | export: head
    /// office), or on every route when it is empty, newest first.
    virtual StoreResult<std::vector<AuditEntry>> recentAudit(std::size_t limit, const std::string& route) = 0;
    /// Removes personal data and leaves a tombstone; false when no such profile. In the same transaction it
    /// audits the attempt as route "erase" by `by` (found: whether a profile was erased), without the profile
    /// id: an erasure unlinks every audit row from the profile, and a row naming the erased id would say whose
    /// erasure it was to anyone holding an older export that pairs the id with a member number.
    virtual StoreResult<bool> eraseProfile(const std::string& profileId, const TokenRecord& by) = 0;
    /// Merges, newest first; those that involved `profileId` when it is not empty.
    virtual StoreResult<std::vector<MergeRecord>> merges(const std::string& profileId, std::size_t limit) = 0;
    /// Gives the merged profile back its identifiers, facts, balance and groups; the two are not merged again.
    virtual StoreResult<UndoMergeOutcome> undoMerge(std::int64_t seq, const std::string& byToken) = 0;
    virtual StoreResult<std::vector<ConflictRecord>> identityConflicts(std::size_t limit) = 0;
    /// The newest `limit` touchpoints of a profile; nullopt when there is no such profile.
    virtual StoreResult<std::optional<Timeline>> timeline(const std::string& profileId, std::size_t limit) = 0;
    virtual StoreResult<void> importMember(const MemberImport& member) = 0;

    /// Stores a new token's hash with its name, kind, bindings and role (createdMs and revokedMs are ignored).
    virtual StoreResult<void> addToken(const std::string& hash, const TokenRecord& token) = 0;
    /// Binds a live kiosk or staff token that has no binding yet (made before token kinds); false when none.
    virtual StoreResult<bool> bindToken(const std::string& name, const std::string& storeId, const std::string& kioskId) = 0;
    virtual StoreResult<bool> revokeToken(const std::string& name) = 0;
    virtual StoreResult<std::vector<TokenRecord>> listTokens() = 0;
    virtual StoreResult<std::optional<TokenRecord>> findToken(const std::string& hash) = 0;

    /// Dashboard sessions (sync/hub/dashboard/session_store.hpp), shared by every hub process on this store.
    /// `key` is a hash of the session id; the session is bound to the token (by hash) and the role it had.
    virtual StoreResult<void> addSession(const std::string& key, const std::string& tokenHash, std::int64_t nowMs,
                                         std::size_t maxSessions) = 0;
    /// True when the session is live and its token is not revoked and has the role it had at sign-in; then
    /// its last use becomes nowMs. Otherwise it is deleted.
    virtual StoreResult<bool> touchSession(const std::string& key, std::int64_t nowMs, std::int64_t idleMs,
                                           std::int64_t lifeMs) = 0;
    virtual StoreResult<void> removeSession(const std::string& key) = 0;
    /// The hash of the token a session was opened with; none for an unknown session.
    virtual StoreResult<std::optional<std::string>> sessionTokenHash(const std::string& key) = 0;
    /// Deletes expired sessions and counts the rest.
    virtual StoreResult<std::int64_t> countSessions(std::int64_t nowMs, std::int64_t idleMs, std::int64_t lifeMs) = 0;
    /// Changes a live head-office token's role; false when there is none by that name.
    virtual StoreResult<bool> setTokenRole(const std::string& name, const std::string& role) = 0;
    /// Takes one token from the bucket `key` (refilled at `perSecond` up to `burst`, full when new), shared by
    /// every hub process on this store: 0 when allowed, else the whole seconds to wait (>= 1) for Retry-After.
    /// Clock steps backwards refill nothing.
    virtual StoreResult<int> takeRateToken(const std::string& key, double perSecond, double burst,
                                           std::int64_t nowMs) = 0;

    /// Days inclusive, "YYYY-MM-DD" UTC; store empty for all. The survey filter narrows the feedback rows only
    /// (sign-ins, stages and transitions are not answers to a survey).
    virtual StoreResult<StatsData> statsData(const std::string& fromDay, const std::string& toDay,
                                             const std::string& store, const SurveyFilter& survey) = 0;
    /// One page of an export (events | feedback | signins | profiles), ordered, after the cursor (exclusive).
    virtual StoreResult<std::vector<ExportRow>> exportPage(ExportKind kind, const std::string& fromDay,
                                                                const std::string& toDay, const std::string& store,
                                                                std::string& cursor, std::size_t limit) = 0;
    /// Every kiosk that has sent a heartbeat, by store then kiosk id.
    virtual StoreResult<std::vector<KioskRecord>> fleet() = 0;
    virtual StoreResult<std::int64_t> countEvents() = 0;
    /// A write transaction on the events table that changes no row: whether the store takes writes now (a
    /// reachable, writable server with the tables in place; not whether its disk has room). A degraded hub's
    /// /healthz asks it, so the hub turns healthy again without waiting for a client's write.
    virtual StoreResult<void> probeWrite() = 0;
    /// The one writer's time (WriterTime); none where transactions run side by side (PostgreSQL).
    virtual std::optional<WriterTime> writerTime() const { return std::nullopt; }
    /// A consistent copy of the whole database in the new file `file` (SQLite: VACUUM INTO, which copies only
    /// live rows, so what an erasure deleted is not in it). PostgreSQL answers an error naming pg_dump, its
    /// own tool for this (docs/OPERATIONS.md "Backups").
    virtual StoreResult<void> backupTo(const std::string& file) = 0;

    /// Adds each source's counts and rejections to what is stored; keeps the newest kSourceRejectionsKept
    /// rejections per source and kSourceHoursKeptMs of hourly counts before `nowMs`.
    virtual StoreResult<void> recordSources(const std::vector<SourceDelta>& deltas, std::int64_t nowMs) = 0;
    /// Every source heard from, by name, with hourly counts since `sinceMs`.
    virtual StoreResult<std::vector<SourceRecord>> sources(std::int64_t sinceMs) = 0;

    /// Removes what `policy` keeps no longer, as of `nowMs`, in small transactions; idempotent, so hub processes
    /// sharing a database may run it at once (sql_store_retention.cpp).
    virtual StoreResult<RetentionReport> applyRetention(const RetentionConfig& policy, std::int64_t nowMs) = 0;
    /// Which key of the data key file each sealed value and keyed tag is under (key_rotation.hpp); reads only.
    virtual StoreResult<DataKeyStatus> dataKeyStatus() = 0;
    /// Re-seals every sealed value under a retired key with the current key, and re-tags identifier rows, in
    /// committed transactions of `options.batch` rows, each write a compare-and-set (a row a hub changed
    /// meanwhile is left to it); resumes where a stopped run ended. An error names the column and the row's
    /// key, never the value (sql_store_keys.cpp).
    virtual StoreResult<KeyRotationResult> rotateDataKey(const KeyRotationOptions& options,
                                                         const KeyRotationProgress& progress) = 0;
    /// Alerts, cases and the notification queue (case_store.hpp), on the same database.
    virtual CaseStore& cases() = 0;
    /// Published kiosk configuration (fleet_config_store.hpp), on the same database.
    virtual FleetConfigStore& fleetConfig() = 0;
};

/// What a store is opened for. A serving hub also keeps PostgreSQL's planner statistics current as tables grow
/// (store/pg_statistics_keeper.hpp), on a connection of its own; a command (tokens, publish, keys, members...)
/// does its work and exits, and opens nothing more than that work needs.
enum class StoreUse { Command, Serving };

/// Opens the store named by a URL (sqlite:///path or postgresql://...), creating its schema. `clock` (which
/// must outlive the store) stamps tokens, audit entries, erasures and imports.
StoreResult<std::unique_ptr<HubStore>> openHubStore(const std::string& url, const HubConfig& config,
                                                    const Clock& clock = SystemClock::instance(),
                                                    StoreUse use = StoreUse::Command);

}  // namespace touchpoint::hub
