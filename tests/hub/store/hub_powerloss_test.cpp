// Power loss at the hub, simulated with the crash VFS (tests/support/crash_vfs.hpp) under the real SQLite
// store: several senders ingest kiosk batches at once (group commit, synchronous=NORMAL, the group leader's
// WalSync before any receipt, the WalCheckpointer on its own thread), the power fails at a random VFS call,
// unsynced writes are dropped or torn by sector, and the files are reopened as after a reboot. After every
// round:
// - every message whose ingest() returned (its receipt would have been sent) is stored exactly once;
// - nothing is stored that was never sent;
// - derived state matches the stored events: one feedback row per feedback event, one sign-in and one
//   check-in row per sign-in, a profile's points are the sum of its check-ins' points, its stage is where
//   its last transition went, each kiosk's event count is the count of its events, no fact row without
//   its event, no identifier without its profile; integrity_check is ok.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "common/clock.hpp"
#include "common/sqlite.hpp"
#include "crash_vfs.hpp"
#include "event/kiosk_events.hpp"
#include "hub/ingest/batch_parser.hpp"
#include "hub/store/hub_store.hpp"
#include "temp_dir.hpp"

namespace touchpoint::hub {
namespace {

using nlohmann::json;
using touchpoint::testing::CrashVfs;
using touchpoint::testing::TempDir;

constexpr int kRounds = 150;
constexpr int kMinRounds = 40;
constexpr auto kDeadline = std::chrono::seconds(45);
constexpr int kSenders = 4;
constexpr int kBatchesPerSender = 5;
constexpr int kMessagesPerBatch = 12;
constexpr int kShoppers = 30;  // few, so shoppers come back: cooldowns, members, stages, merges

std::uint64_t seedFromEnvironment() {
    if (const char* s = std::getenv("TOUCHPOINT_POWERLOSS_SEED")) return std::strtoull(s, nullptr, 10);
    return std::random_device{}();
}

/// Kiosk traffic as the hub's parser turns it into IngestMessages (sealed phones opened, times corrected).
class Traffic {
public:
    explicit Traffic(std::uint64_t seed) : m_rng(seed) {
        if (!m_unsealer.addSecretKeyB64(m_keys.secretKeyB64)) throw std::runtime_error("bad test key");
        for (int k = 0; k < kSenders; ++k) {
            m_kiosks.emplace_back(event::DeviceIdentity{"store-" + std::to_string(k / 2), "kiosk-" + std::to_string(k),
                                                        "UTC", "0.1.0", "boot"},
                                  m_sealer, m_hasher, m_clock);
        }
    }

    /// One batch from kiosk `k`: a session's sign-in, consent, feedback and the odd heartbeat.
    std::vector<IngestMessage> batch(int k) {
        json messages = json::array();
        for (int i = 0; i < kMessagesPerBatch; ++i) {
            m_clock.advanceMs(7 * 60 * 1000);  // minutes apart: some check-ins fall in the cooldown, some not
            const auto& f = m_kiosks[static_cast<std::size_t>(k)];
            const std::string session = "s-" + std::to_string(++m_sessions);
            event::Identity id{event::Identity::Type::Phone,
                               "+1202555" + std::to_string(10000 + m_rng() % kShoppers).substr(1)};
            const auto pick = m_rng() % 100;
            event::Message m;
            if (pick < 30) {
                m = f.signin(session, "en-US", event::SigninMethod::Phone, id, pick < 5);
            } else if (pick < 40) {
                m = f.consent(session, "en-US", id, {"loyalty-terms", "2026-01", std::string(64, 'a'), {"loyalty_terms"}});
            } else if (pick < 85) {
                event::FeedbackAnswers a;
                a.surveyId = "store-visit";
                a.nps = static_cast<int>(m_rng() % 11);
                a.csat = 1 + static_cast<int>(m_rng() % 5);
                m = f.feedback(session, "en-US", a, pick < 60 ? std::optional(id) : std::nullopt);
            } else if (pick < 93) {
                event::FeedbackAnswers a;
                a.surveyId = "store-visit";
                a.nps = 5;
                a.lastStep = "reasons";
                m = f.feedbackAbandoned(session, "en-US", a, "timeout", std::nullopt);
            } else {
                m = f.heartbeat({{"state", "offline"}, {"queueDepth", static_cast<int>(m_rng() % 50)}});
            }
            m.context.sequence = ++m_sequence;
            messages.push_back(event::toJson(m, m_clock.utcMs()));
        }
        const json body = {{"batch", messages}, {"sentAt", formatIsoUtcMs(m_clock.utcMs())}};
        ParseOptions options;
        options.receivedAtMs = m_clock.utcMs();
        options.unsealer = &m_unsealer;
        auto parsed = parseBatch(body.dump(), options);
        if (!parsed) throw std::runtime_error("batch refused: " + parsed.error().message);
        std::vector<IngestMessage> out;
        for (auto& v : parsed->verdicts) {
            if (!v.message) throw std::runtime_error("message refused: " + v.reason);
            out.push_back(std::move(*v.message));
        }
        return out;
    }

private:
    std::mt19937_64 m_rng;
    event::KeyPair m_keys = event::generateSealingKeyPair();
    event::Sealer m_sealer = event::Sealer::fromPublicKeyB64(m_keys.publicKeyB64).value();
    event::IdentityHasher m_hasher = event::IdentityHasher::fromKeyB64(event::IdentityHasher::generateKeyB64()).value();
    event::Unsealer m_unsealer;
    ManualClock m_clock{1'790'000'000'000};
    std::vector<event::KioskEventFactory> m_kiosks;
    std::int64_t m_sessions = 0;
    std::int64_t m_sequence = 0;
};

struct Ledger {
    std::mutex mutex;
    std::set<std::string> sent;       // ingest() called with it
    std::set<std::string> receipted;  // ingest() returned statuses for it
};

/// One round with the power on: every sender ingests its batches (and resends its first, as a kiosk does
/// when a receipt was lost) until done or its first failure.
void runRound(const std::string& url, const HubConfig& config, Traffic& traffic, Ledger& ledger) {
    std::vector<std::vector<std::vector<IngestMessage>>> work(kSenders);
    for (int s = 0; s < kSenders; ++s) {
        for (int b = 0; b < kBatchesPerSender; ++b) work[static_cast<std::size_t>(s)].push_back(traffic.batch(s));
        work[static_cast<std::size_t>(s)].push_back(work[static_cast<std::size_t>(s)].front());  // the resend
    }
    auto store = openHubStore(url, config);
    if (!store) throw std::runtime_error("open: " + store.error().message);
    std::vector<std::thread> senders;
    for (int s = 0; s < kSenders; ++s) {
        senders.emplace_back([&, s] {
            for (const auto& batch : work[static_cast<std::size_t>(s)]) {
                std::vector<const IngestMessage*> ptrs;
                {
                    std::lock_guard lock(ledger.mutex);
                    for (const auto& m : batch) {
                        ptrs.push_back(&m);
                        ledger.sent.insert(m.messageId);
                    }
                }
                IngestStats stats;
                auto r = (*store)->ingest(ptrs, stats);
                if (!r) return;
                std::lock_guard lock(ledger.mutex);
                for (const auto& m : batch) ledger.receipted.insert(m.messageId);
            }
        });
    }
    for (auto& t : senders) t.join();
}

/// Rows that break one rule of derived state; each query counts violations.
struct Rule {
    const char* name;
    const char* sql;
};
// Grouped joins, not correlated subqueries: the fact tables have no index on message_id.
constexpr Rule kRules[] = {
    {"feedback event without exactly one feedback row",
     "SELECT COUNT(*) FROM events e LEFT JOIN (SELECT message_id, COUNT(*) n FROM feedback GROUP BY message_id) f "
     "ON f.message_id = e.message_id WHERE e.event IN ('Feedback Submitted', 'Feedback Abandoned') "
     "AND COALESCE(f.n, 0) <> 1"},
    {"sign-in event without exactly one sign-in row",
     "SELECT COUNT(*) FROM events e LEFT JOIN (SELECT message_id, COUNT(*) n FROM signins GROUP BY message_id) s "
     "ON s.message_id = e.message_id WHERE e.event = 'Loyalty Signed In' AND COALESCE(s.n, 0) <> 1"},
    {"sign-in event without exactly one check-in",
     "SELECT COUNT(*) FROM events e LEFT JOIN (SELECT message_id, COUNT(*) n FROM checkins GROUP BY message_id) c "
     "ON c.message_id = e.message_id WHERE e.event = 'Loyalty Signed In' AND COALESCE(c.n, 0) <> 1"},
    {"fact row without its event",
     "SELECT COUNT(*) FROM (SELECT message_id FROM feedback UNION ALL SELECT message_id FROM signins "
     "UNION ALL SELECT message_id FROM checkins UNION ALL SELECT message_id FROM transitions) f "
     "WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.message_id = f.message_id)"},
    {"profile points differ from the sum of its check-ins",
     "SELECT COUNT(*) FROM profiles p LEFT JOIN (SELECT profile_id, SUM(points) pts FROM checkins GROUP BY profile_id) c "
     "ON c.profile_id = p.id WHERE p.points <> COALESCE(c.pts, 0)"},
    {"profile stage differs from its last transition",
     "SELECT COUNT(*) FROM profiles p LEFT JOIN (SELECT profile_id, to_stage FROM transitions t WHERE seq = "
     "(SELECT MAX(seq) FROM transitions u WHERE u.profile_id = t.profile_id)) t ON t.profile_id = p.id "
     "WHERE p.stage <> COALESCE(t.to_stage, 'awareness')"},
    {"kiosk event count differs from its events",
     "SELECT COUNT(*) FROM kiosks k LEFT JOIN (SELECT store_id, kiosk_id, COUNT(*) n FROM events GROUP BY store_id, "
     "kiosk_id) e ON e.store_id = k.store_id AND e.kiosk_id = k.kiosk_id WHERE k.events <> COALESCE(e.n, 0)"},
    {"events of a kiosk the kiosks table does not know",
     "SELECT COUNT(*) FROM (SELECT DISTINCT store_id, kiosk_id FROM events WHERE kiosk_id <> '') e "
     "WHERE NOT EXISTS (SELECT 1 FROM kiosks k WHERE k.store_id = e.store_id AND k.kiosk_id = e.kiosk_id)"},
    {"identifier or fact pointing at a missing profile",
     "SELECT COUNT(*) FROM (SELECT profile_id FROM identifiers UNION ALL SELECT profile_id FROM events "
     "WHERE profile_id IS NOT NULL UNION ALL SELECT profile_id FROM checkins) r "
     "WHERE NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = r.profile_id)"},
};

TEST(HubPowerLoss, ReceiptedMessagesAndDerivedStateSurviveEveryCut) {
    TempDir dir;
    const auto path = dir / "hub.db";
    const std::string url = "sqlite://" + path.string();
    HubConfig config;
    {
        auto store = openHubStore(url, config);  // the schema, made before the crash VFS exists: durable
        ASSERT_TRUE(store) << store.error().message;
    }
    CrashVfs crash("crash-hub", /*makeDefault=*/true);
    const std::uint64_t seed = seedFromEnvironment();
    std::mt19937_64 rng(seed);
    Traffic traffic(seed);
    Ledger ledger;
    std::cout << "[ powerloss ] seed " << seed << " (TOUCHPOINT_POWERLOSS_SEED to repeat the cut points)\n";

    const auto start = std::chrono::steady_clock::now();
    std::uint64_t callsPerRound = 0, syncsPerRound = 0;  // measured in round 0, which runs to its end
    touchpoint::testing::PowerLossTally tally;
    int unreceiptedStored = 0;
    std::int64_t events = 0;
    for (int round = 0; round < kRounds; ++round) {
        if (round >= kMinRounds && std::chrono::steady_clock::now() - start > kDeadline) break;
        if (round > 0 && round % 3 == 0) {
            // A third of the cuts land on a sync of the log: the durability point WalSync is about.
            std::uniform_int_distribution<std::uint64_t> at(1, std::max<std::uint64_t>(syncsPerRound, 2));
            crash.armCut(at(rng), std::bernoulli_distribution(0.5)(rng), "xSync(wal)");
        } else if (round > 0) {
            std::uniform_int_distribution<std::uint64_t> at(1, std::max<std::uint64_t>(callsPerRound, 2));
            crash.armCut(at(rng), std::bernoulli_distribution(0.3)(rng));
        }
        runRound(url, config, traffic, ledger);
        if (round == 0) {
            callsPerRound = crash.calls();
            syncsPerRound = crash.opCounts()["xSync(wal)"];
        }
        auto label = tally.rebootAfterRound(crash, round, rng());
        ASSERT_TRUE(label) << label.error();
        const std::string& where = *label;
        auto db = sqlite::Database::open(path, false);
        ASSERT_TRUE(db) << where << ": " << db.error().message;
        ASSERT_EQ(*db->queryText("PRAGMA integrity_check"), "ok") << where;
        std::set<std::string> stored;
        {
            auto st = db->prepare("SELECT message_id FROM events");
            ASSERT_TRUE(st);
            while (*st->step()) stored.insert(st->columnText(0));
        }
        events = static_cast<std::int64_t>(stored.size());
        ASSERT_EQ(*db->queryInt("SELECT COUNT(*) FROM events"), events) << where << ": a message id stored twice";
        std::lock_guard lock(ledger.mutex);
        for (const std::string& id : ledger.receipted) {
            ASSERT_EQ(stored.count(id), 1u) << where << ": receipted message " << id << " is lost";
        }
        for (const std::string& id : stored) {
            ASSERT_EQ(ledger.sent.count(id), 1u) << where << ": " << id << " was never sent";
            if (ledger.receipted.insert(id).second) ++unreceiptedStored;  // stored now: it must stay
        }
        for (const Rule& rule : kRules) {
            auto bad = db->queryInt(rule.sql);
            ASSERT_TRUE(bad) << bad.error().message;
            ASSERT_EQ(*bad, 0) << where << ": " << rule.name;
        }
        // The hub runs a while after the reboot: its checkpointer copies the recovered log into the database
        // (and the log starts again), so the log stays the size a few rounds make, not the 32 MiB backstop.
        ASSERT_TRUE(db->exec("PRAGMA wal_checkpoint(TRUNCATE)"));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << "[ powerloss ] " << tally.rounds << " rounds in " << seconds << " s (" << tally.tornRounds
              << " torn), " << tally.cutsMidRound << " cuts mid-round, " << events << " events stored, " << ledger.receipted.size()
              << " receipted or found stored (" << unreceiptedStored << " stored without a receipt), "
              << tally.lostUnsyncedOps << " unsynced writes dropped or torn\n"
              << tally.report(crash, "[ powerloss ]   ");
    EXPECT_GE(tally.rounds, kMinRounds);
    EXPECT_GE(tally.cutsMidRound, tally.rounds / 2);
    EXPECT_GT(tally.lostUnsyncedOps, 0u) << "no round lost an unsynced write: the cuts prove nothing";
}

}  // namespace
}  // namespace touchpoint::hub
