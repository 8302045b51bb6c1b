#include "hub/kiosk_drain.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_set>

#include "common/clock.hpp"
#include "event/kiosk_events.hpp"
#include "event/sealing.hpp"
#include "outbox/outbox.hpp"
#include "uploader/uploader.hpp"

namespace touchpoint::hub {

namespace {

using SteadyClock = std::chrono::steady_clock;

double since(SteadyClock::time_point t0) {
    return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

/// One kiosk's traffic: visits of its own shoppers (a sign-in, sometimes a consent, then feedback or an
/// abandoned survey), and a heartbeat now and then.
std::vector<event::Message> kioskMessages(const event::KioskEventFactory& f, ManualClock& clock,
                                          std::mt19937_64& rng, int kiosk, int events, std::int64_t stepMs) {
    const int shoppers = std::max(20, events / 10);
    std::vector<bool> member(static_cast<std::size_t>(shoppers), false);
    std::vector<event::Message> out;
    for (int visit = 0; static_cast<int>(out.size()) < events; ++visit) {
        const std::string session = "v" + std::to_string(kiosk) + "-" + std::to_string(visit);
        const int shopper = static_cast<int>(rng() % static_cast<std::uint64_t>(shoppers));
        // Each kiosk its own exchange (202-555..., 202-556...): no shopper visits two kiosks.
        const event::Identity phone{
            event::Identity::Type::Phone,
            "+1202" + std::to_string(555 + kiosk) + std::to_string(10000 + shopper).substr(1)};
        const auto add = [&](event::Message m) {
            if (static_cast<int>(out.size()) < events) out.push_back(std::move(m));
            clock.advanceMs(stepMs);
        };
        const auto pick = rng() % 100;
        std::optional<event::Identity> signedIn;
        if (pick < 60) {
            const bool first = !member[static_cast<std::size_t>(shopper)];
            if (first && rng() % 2 == 0) {
                add(f.consent(session, "en-US", phone,
                              {"loyalty-terms", "2026-01", std::string(64, 'a'), {"loyalty_terms"}}));
            }
            add(f.signin(session, "en-US", event::SigninMethod::Phone, phone, first));
            member[static_cast<std::size_t>(shopper)] = true;
            signedIn = phone;
        }
        event::FeedbackAnswers a;
        a.surveyId = "store-visit";
        a.nps = static_cast<int>(rng() % 11);
        a.csat = 1 + static_cast<int>(rng() % 5);
        a.ces = 1 + static_cast<int>(rng() % 7);
        a.reasons = {"staff", "speed"};
        const auto end = rng() % 100;
        if (end < 75) {
            if (end < 25) a.comment = "The staff were lovely, call me on 555 0100";
            add(f.feedback(session, "en-US", a, signedIn));
        } else if (end < 90) {
            a.lastStep = "reasons";
            add(f.feedbackAbandoned(session, "en-US", a, "timeout", signedIn));
        }
        if (visit % 25 == 24)
            add(f.heartbeat({{"state", "online"}, {"queueDepth", static_cast<int>(rng() % 50)}}));
    }
    return out;
}

struct PgConn {
    PGconn* c = nullptr;
    ~PgConn() {
        if (c) PQfinish(c);
    }
};

struct PgRes {
    PGresult* r = nullptr;
    ~PgRes() {
        if (r) PQclear(r);
    }
};

/// Every row of `sql`, its columns joined by spaces, sorted.
Result<std::vector<std::string>, std::string> rows(PGconn* c, const char* sql) {
    PgRes res{PQexec(c, sql)};
    if (PQresultStatus(res.r) != PGRES_TUPLES_OK) return Fail(std::string(sql) + ": " + PQerrorMessage(c));
    std::vector<std::string> out;
    const int n = PQntuples(res.r), cols = PQnfields(res.r);
    out.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        std::string row;
        for (int j = 0; j < cols; ++j) {
            if (j) row += ' ';
            row += PQgetisnull(res.r, i, j) ? "null" : PQgetvalue(res.r, i, j);
        }
        out.push_back(std::move(row));
    }
    std::sort(out.begin(), out.end());
    return out;
}

Result<std::int64_t, std::string> count(PGconn* c, const char* sql) {
    auto r = rows(c, sql);
    if (!r) return Fail(r.error());
    if (r->size() != 1) return Fail(std::string(sql) + ": not one row");
    return std::stoll(r->front());
}

}  // namespace

std::int64_t KioskTraffic::total() const {
    std::int64_t n = 0;
    for (const auto& m : messages) n += static_cast<std::int64_t>(m.size());
    return n;
}

KioskTraffic makeKioskTraffic(int kiosks, int eventsPerKiosk, const std::string& sealingPublicKeyB64,
                              std::uint64_t seed) {
    auto sealer = event::Sealer::fromPublicKeyB64(sealingPublicKeyB64);
    auto hasher = event::IdentityHasher::fromKeyB64(event::IdentityHasher::generateKeyB64());
    if (!sealer || !hasher) throw std::runtime_error("cannot make the kiosks' keys");
    KioskTraffic t;
    constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;
    // Captured over the last 28 days, at most 7 minutes apart: sign-ins of one shopper fall both inside and
    // outside the cooldown, and everything is inside the hub's 30-day earn window when it arrives.
    const std::int64_t stepMs = std::min<std::int64_t>(7 * 60'000, 28 * kDayMs / std::max(1, eventsPerKiosk));
    const std::int64_t startMs = SystemClock::instance().utcMs() - 28 * kDayMs;
    for (int k = 0; k < kiosks; ++k) {
        t.storeIds.push_back("store-" + std::to_string(k / 2));
        t.kioskIds.push_back("kiosk-" + std::to_string(k));
        ManualClock clock(startMs);
        const event::KioskEventFactory factory(
            {t.storeIds.back(), t.kioskIds.back(), "UTC", "ha-test", currentBootId()}, *sealer, *hasher,
            clock);
        std::mt19937_64 rng(seed * 1000 + static_cast<std::uint64_t>(k));
        t.messages.push_back(kioskMessages(factory, clock, rng, k, eventsPerKiosk, stepMs));
    }
    return t;
}

Result<DrainResult, std::string> drainKiosks(const KioskTraffic& traffic, const DrainTarget& target,
                                             const DrainOptions& o) {
    const std::size_t kiosks = traffic.messages.size();
    if (target.tokens.size() != kiosks) return Fail(std::string("one token per kiosk is needed"));
    std::error_code ec;
    std::filesystem::create_directories(o.folder, ec);
    std::vector<std::filesystem::path> paths;
    std::vector<std::unique_ptr<outbox::Outbox>> boxes;  // the test's own connections, for the queue depth
    for (std::size_t k = 0; k < kiosks; ++k) {
        paths.push_back(o.folder / ("outbox-" + traffic.kioskIds[k] + ".db"));
        outbox::OutboxOptions oo;
        oo.path = paths.back();
        auto box = outbox::Outbox::open(oo);
        if (!box) return Fail("outbox: " + box.error().message);
        auto copy = traffic.messages[k];
        if (auto r = (*box)->enqueueBatch(copy); !r) return Fail("enqueue: " + r.error().message);
        boxes.push_back(std::move(box.value()));
    }

    const uploader::CurlGlobal curl;
    std::vector<std::unique_ptr<uploader::Uploader>> uploaders;
    for (std::size_t k = 0; k < kiosks; ++k) {
        uploader::UploaderOptions uo;
        uo.http.baseUrl = target.url;
        uo.http.caFile = target.caFile;
        uo.http.connectTimeout = std::chrono::milliseconds(2000);
        uo.http.totalTimeout = std::chrono::milliseconds(30'000);
        uo.token = target.tokens[k];
        uo.outboxPath = paths[k];
        uo.maxBatchEvents = static_cast<std::size_t>(o.batchEvents);
        // The production loop with its waits shortened to the test's time scale: backoff with jitter on
        // failures, Retry-After honoured (capped), a short recovery wait, no pacing.
        uo.backoffBase = std::chrono::milliseconds(100);
        uo.backoffCap = std::chrono::milliseconds(2000);
        uo.retryAfterCap = std::chrono::milliseconds(2000);
        uo.recoveryDelayMax = std::chrono::milliseconds(200);
        uo.drainRatePerS = 1e9;
        uo.idlePoll = std::chrono::milliseconds(200);
        uo.heartbeatInterval = std::chrono::milliseconds(0);
        auto created = uploader::Uploader::create(std::move(uo));
        if (!created) return Fail("uploader: " + created.error());
        uploaders.push_back(std::move(created.value()));
    }

    DrainResult result;
    const auto t0 = SteadyClock::now();
    for (auto& u : uploaders) u->start();
    std::int64_t lastAcknowledged = 0;
    double lastProgress = 0;
    for (auto next = SteadyClock::now(); since(t0) < static_cast<double>(o.deadline.count());) {
        std::int64_t acknowledged = 0;
        for (auto& u : uploaders) acknowledged += u->health().eventsSent;
        if (o.tick) o.tick(since(t0), acknowledged);
        const double now = since(t0);
        if (acknowledged != lastAcknowledged) {
            if (now - lastProgress > result.longestGapSeconds) {
                result.longestGapSeconds = now - lastProgress;
                result.longestGapStartSeconds = lastProgress;
            }
            lastAcknowledged = acknowledged;
            lastProgress = now;
        }
        if (SteadyClock::now() >= next) {
            next = SteadyClock::now() + std::chrono::milliseconds(100);
            std::int64_t pending = 0;
            for (auto& b : boxes) {
                auto s = b->stats();
                if (!s) return Fail("outbox: " + s.error().message);
                pending += s->pendingCount;
            }
            if (pending == 0) {
                result.emptied = true;
                break;
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    result.seconds = since(t0);
    if (result.seconds - lastProgress > result.longestGapSeconds) {  // a stretch the drain never came out of
        result.longestGapSeconds = result.seconds - lastProgress;
        result.longestGapStartSeconds = lastProgress;
    }
    for (auto& u : uploaders) {
        u->stop();
        const auto h = u->health();
        result.requests += h.requests;
        result.acknowledged += h.eventsSent;
        result.duplicates += h.eventsDuplicate;
        if (h.causeCode != "ok" && h.causeCode != "not_started")
            result.lastCause = h.causeCode + ": " + h.cause;
    }
    for (auto& b : boxes) {
        auto s = b->stats();
        if (!s) return Fail("outbox: " + s.error().message);
        result.pending += s->pendingCount;
        result.deadLetters += s->deadLetterCount;
    }
    return result;
}

Result<StoredState, std::string> readStoredState(const std::string& url) {
    PgConn c{PQconnectdb(url.c_str())};
    if (PQstatus(c.c) != CONNECTION_OK) return Fail("connect: " + std::string(PQerrorMessage(c.c)));
    StoredState s;
    struct Count {
        std::int64_t* into;
        const char* sql;
    };
    for (const Count& q : {Count{&s.eventRows, "SELECT COUNT(*) FROM events"},
                           Count{&s.distinctEvents, "SELECT COUNT(DISTINCT message_id) FROM events"},
                           Count{&s.feedbackRows, "SELECT COUNT(*) FROM feedback"},
                           Count{&s.distinctFeedback, "SELECT COUNT(DISTINCT message_id) FROM feedback"},
                           Count{&s.signinRows, "SELECT COUNT(*) FROM signins"},
                           Count{&s.distinctSignins, "SELECT COUNT(DISTINCT message_id) FROM signins"},
                           Count{&s.checkinRows, "SELECT COUNT(*) FROM checkins"},
                           Count{&s.distinctCheckins, "SELECT COUNT(DISTINCT message_id) FROM checkins"},
                           Count{&s.transitionRows, "SELECT COUNT(*) FROM transitions"}}) {
        auto n = count(c.c, q.sql);
        if (!n) return Fail(n.error());
        *q.into = *n;
    }
    auto ids = rows(c.c, "SELECT message_id FROM events");
    auto profiles =
        rows(c.c,
             "SELECT COALESCE((SELECT MIN(e.message_id) FROM events e WHERE e.profile_id = p.id), "
             "'-'), p.points, p.stage, p.is_member, "
             "(SELECT COUNT(*) FROM checkins c WHERE c.profile_id = p.id), "
             "(SELECT COUNT(*) FROM checkins c WHERE c.profile_id = p.id AND c.awarded <> 0), p.visit_days "
             "FROM profiles p");
    auto kiosks = rows(c.c, "SELECT store_id || '/' || kiosk_id, events FROM kiosks");
    auto feedback =
        rows(c.c,
             "SELECT message_id, store_id, kiosk_id, nps, csat, ces, abandoned, profile_id IS NOT NULL "
             "FROM feedback");
    for (auto* r : {&ids, &profiles, &kiosks, &feedback}) {
        if (!*r) return Fail(r->error());
    }
    s.messageIds = std::move(*ids);
    s.profiles = std::move(*profiles);
    s.kiosks = std::move(*kiosks);
    s.feedback = std::move(*feedback);
    return s;
}

ExactlyOnce checkExactlyOnce(const KioskTraffic& traffic, const StoredState& state) {
    ExactlyOnce e;
    std::unordered_set<std::string> expected;
    for (const auto& kiosk : traffic.messages) {
        for (const auto& m : kiosk) expected.insert(m.messageId);
    }
    e.expected = static_cast<std::int64_t>(expected.size());
    std::unordered_set<std::string> stored(state.messageIds.begin(), state.messageIds.end());
    for (const auto& id : expected) e.lost += stored.count(id) == 0;
    for (const auto& id : stored) e.unexpected += expected.count(id) == 0;
    e.doubled = (state.eventRows - state.distinctEvents) + (state.feedbackRows - state.distinctFeedback) +
                (state.signinRows - state.distinctSignins) + (state.checkinRows - state.distinctCheckins);
    return e;
}

}  // namespace touchpoint::hub
