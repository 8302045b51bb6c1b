#include "hub/datagen/scenario.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <random>

#include "common/clock.hpp"
#include "event/kiosk_events.hpp"
#include "event/sealing.hpp"

namespace touchpoint::hub::datagen {

using nlohmann::json;

namespace {

constexpr std::int64_t kMinute = 60'000;
constexpr std::int64_t kHour = 60 * kMinute;
constexpr std::int64_t kDay = 24 * kHour;

struct StoreSpec {
    const char* timeZone;
    int utcOffsetHours;  // standard time; close enough for opening hours in a demo
    double npsMean;      // the store's typical likelihood-to-recommend
    double npsTrend;     // change of that mean over the whole period
    double traffic;      // relative footfall
};
constexpr std::int64_t kFailingSinceMs = 6 * kHour;  // before "now", the failing kiosk's uplink broke

// The kiosks with a story: the last kiosk of the third store went quiet two days ago; the first kiosk of the
// fourth store cannot upload; the first kiosk of the second store has a clock 7 minutes fast.
bool isQuietKiosk(const ScenarioOptions& o, int store, int kiosk) { return o.stores > 2 && store == 2 && kiosk == o.kiosksPerStore - 1; }
bool isFailingKiosk(const ScenarioOptions& o, int store, int kiosk) { return o.stores > 3 && store == 3 && kiosk == 0; }
std::int64_t clockSkew(const ScenarioOptions& o, int store, int kiosk) { return (o.stores > 1 && store == 1 && kiosk == 0) ? 7 * kMinute : 0; }

/// A heartbeat's health fields at `when`, as the uploader reports them.
json healthAt(const ScenarioOptions& o, int store, int kiosk, std::int64_t when, int queueDepth, int oldestS, int bytesSent) {
    json health{{"state", "attract"},     {"queueDepth", queueDepth},  {"oldestPendingAgeS", oldestS},
                {"deadLetters", 0},      {"drops", json::object()},   {"lastSuccess", formatIsoUtcMs(when - 30'000)},
                {"clockOffsetMs", clockSkew(o, store, kiosk)}, {"freeDiskBytes", 12'000'000'000LL}, {"bytesSent", bytesSent}};
    const std::int64_t brokeAt = o.nowMs - kFailingSinceMs;
    if (isFailingKiosk(o, store, kiosk) && when > brokeAt) {
        const auto hoursDown = (when - brokeAt) / kHour + 1;
        health["state"] = "offline";
        health["queueDepth"] = 40 * hoursDown;
        health["oldestPendingAgeS"] = (when - brokeAt) / 1000;
        health["deadLetters"] = 2;
        health["drops"] = json{{"evicted", 3}};
        health["lastSuccess"] = formatIsoUtcMs(brokeAt);
    }
    return health;
}

// Five stores that differ in ways head office would want to see: one weak store that improves, one busy one.
constexpr std::array<StoreSpec, 8> kStores{{
    {"America/New_York", -5, 8.3, 0.0, 1.3},
    {"America/Chicago", -6, 7.4, -0.4, 1.0},
    {"America/Denver", -7, 6.2, 1.6, 0.8},
    {"America/Los_Angeles", -8, 7.9, 0.2, 1.1},
    {"America/Toronto", -5, 8.7, 0.0, 0.9},
    {"America/Phoenix", -7, 7.0, 0.5, 0.7},
    {"America/Halifax", -4, 8.0, -0.2, 0.6},
    {"America/Anchorage", -9, 7.6, 0.0, 0.5},
}};
// Area codes for phone numbers in the 555-01xx range that is reserved for fiction.
constexpr std::array<int, 16> kAreaCodes{212, 312, 415, 617, 303, 206, 512, 404, 305, 702, 215, 713, 602, 619, 503, 612};
constexpr std::array<const char*, 12> kFirstNames{"ana", "ben", "chloe", "dev", "emma", "farid", "grace", "hiro",
                                                   "ines", "jon", "kara", "liam"};
constexpr std::array<const char*, 10> kLastNames{"garcia", "smith", "nguyen", "okafor", "kowalski", "haddad",
                                                  "silva", "tanaka", "muller", "oconnor"};
constexpr std::array<const char*, 3> kLocales{"en-US", "es-US", "fr-CA"};

struct Shopper {
    std::string memberId;
    std::string phone;  // E.164
    std::string email;
    int homeStore = 0;
    bool member = false;      // signed up before the period, or at a kiosk during it
    bool online = false;      // also shops on the web site
    bool appUser = false;     // and in the app
    std::string webAnonymousId;
    double loyalty = 1.0;     // how often this person visits compared with others
};

class Generator {
public:
    Generator(const ScenarioOptions& o, event::Sealer sealer, event::IdentityHasher hasher)
        : m_o(o), m_rng(o.seed), m_sealer(std::move(sealer)), m_hasher(hasher) {}

    Scenario run();

private:
    double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(m_rng); }
    bool chance(double p) { return uniform() < p; }
    int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }
    template <class C>
    auto pick(const C& c) { return c[static_cast<std::size_t>(between(0, static_cast<int>(c.size()) - 1))]; }
    std::string uuid();

    void makeShoppers();
    std::size_t pickShopper(int store);
    void kioskDay(int store, int kiosk, std::int64_t dayStartMs);
    void session(int store, int kiosk, std::int64_t at);
    void heartbeats(int store, int kiosk, std::int64_t dayStartMs);
    void onlineActivity(std::int64_t dayStartMs, int dayIndex);
    int npsFor(int store, std::int64_t at);

    void addKiosk(event::Message m, int store, int kiosk, std::int64_t at);
    void addSdk(json message, const std::string& channel);

    const event::KioskEventFactory& factory(int store, int kiosk);
    std::string kioskId(int store, int kiosk) const;
    std::string storeId(int store) const;
    std::int64_t skewOf(int store, int kiosk) const;

    ScenarioOptions m_o;
    std::mt19937_64 m_rng;
    event::Sealer m_sealer;
    event::IdentityHasher m_hasher;
    ManualClock m_clock;
    std::map<std::string, event::KioskEventFactory> m_factories;
    std::map<std::string, std::int64_t> m_sequence;
    std::vector<Shopper> m_shoppers;
    std::vector<std::vector<std::size_t>> m_byStore;
    std::vector<std::pair<std::int64_t, Outgoing>> m_out;  // capture time, message
    Scenario m_result;
};

std::string Generator::uuid() {
    std::array<std::uint8_t, 16> b{};
    for (auto& x : b) x = static_cast<std::uint8_t>(std::uniform_int_distribution<int>(0, 255)(m_rng));
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);
    char s[37];
    std::snprintf(s, sizeof s, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2],
                  b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
    return s;
}

std::string Generator::storeId(int store) const {
    char s[32];
    std::snprintf(s, sizeof s, "store-%04d", store + 1);
    return s;
}

std::string Generator::kioskId(int store, int kiosk) const { return storeId(store) + "-k" + std::to_string(kiosk + 1); }

std::int64_t Generator::skewOf(int store, int kiosk) const { return clockSkew(m_o, store, kiosk); }

const event::KioskEventFactory& Generator::factory(int store, int kiosk) {
    const std::string id = kioskId(store, kiosk);
    auto it = m_factories.find(id);
    if (it == m_factories.end()) {
        const auto& spec = kStores[static_cast<std::size_t>(store) % kStores.size()];
        event::DeviceIdentity device{storeId(store), id, spec.timeZone, "0.1.0", "boot-" + id};
        it = m_factories.emplace(id, event::KioskEventFactory(device, m_sealer, m_hasher, m_clock)).first;
    }
    return it->second;
}

void Generator::makeShoppers() {
    const int perStore = 260;
    m_byStore.assign(static_cast<std::size_t>(m_o.stores), {});
    int serial = 0;
    for (int store = 0; store < m_o.stores; ++store) {
        for (int i = 0; i < perStore; ++i, ++serial) {
            Shopper s;
            s.homeStore = store;
            char member[32];
            std::snprintf(member, sizeof member, "M%08d", 10'000'000 + serial * 7 + 3);
            s.memberId = member;
            const int area = kAreaCodes[static_cast<std::size_t>(serial / 100) % kAreaCodes.size()];
            char phone[32];
            std::snprintf(phone, sizeof phone, "+1%03d55501%02d", area, serial % 100);
            s.phone = phone;
            s.email = std::string(pick(kFirstNames)) + "." + pick(kLastNames) + std::to_string(serial) + "@example.com";
            s.member = chance(0.5);
            s.online = chance(0.45);
            s.appUser = s.online && chance(0.4);
            s.webAnonymousId = uuid();
            // A few regulars and many occasional visitors.
            s.loyalty = std::exp(std::normal_distribution<double>(0.0, 1.0)(m_rng));
            m_byStore[static_cast<std::size_t>(store)].push_back(m_shoppers.size());
            m_shoppers.push_back(std::move(s));
        }
    }
}

std::size_t Generator::pickShopper(int store) {
    // Mostly people from this store's area, sometimes a visitor from another.
    const int from = chance(0.9) ? store : between(0, m_o.stores - 1);
    const auto& pool = m_byStore[static_cast<std::size_t>(from)];
    std::vector<double> weights;
    weights.reserve(pool.size());
    for (auto i : pool) weights.push_back(m_shoppers[i].loyalty);
    std::discrete_distribution<std::size_t> d(weights.begin(), weights.end());
    return pool[d(m_rng)];
}

int Generator::npsFor(int store, std::int64_t at) {
    const auto& spec = kStores[static_cast<std::size_t>(store) % kStores.size()];
    const double progress = std::clamp(
        1.0 - static_cast<double>(m_o.nowMs - at) / static_cast<double>(std::int64_t{m_o.days} * kDay), 0.0, 1.0);
    const double mean = spec.npsMean + spec.npsTrend * progress;
    const double x = std::normal_distribution<double>(mean, 2.1)(m_rng);
    return std::clamp(static_cast<int>(std::lround(x)), 0, 10);
}

void Generator::addKiosk(event::Message m, int store, int kiosk, std::int64_t at) {
    const std::string id = kioskId(store, kiosk);
    m.messageId = uuid();
    m.context.sequence = ++m_sequence[id];
    json wire = event::toJson(m);
    m_out.push_back({at, Outgoing{std::move(wire), id, skewOf(store, kiosk), false}});
}

void Generator::addSdk(json message, const std::string& channel) {
    message["messageId"] = uuid();
    std::int64_t at = 0;
    parseIsoUtcMs(message["timestamp"].get<std::string>(), at);
    m_out.push_back({at, Outgoing{std::move(message), channel, 0, false}});
}

void Generator::session(int store, int kiosk, std::int64_t at) {
    const auto& f = factory(store, kiosk);
    const std::string sessionId = uuid();
    const std::string locale = chance(0.85) ? "en-US" : pick(kLocales);
    std::optional<event::Identity> who;
    std::int64_t t = at;
    // Kiosk events carry the capture time on the kiosk's own clock, skew included.
    auto stamp = [&](std::int64_t offsetMs) {
        t += offsetMs;
        m_clock.setUtcMs(t + skewOf(store, kiosk));
    };

    if (chance(0.75)) {
        Shopper& s = m_shoppers[pickShopper(store)];
        const double r = uniform();
        event::SigninMethod method = r < 0.5 ? event::SigninMethod::Phone
                                     : r < 0.7 ? event::SigninMethod::Email
                                     : r < 0.9 ? event::SigninMethod::Card
                                               : event::SigninMethod::Qr;
        if (!s.member && (method == event::SigninMethod::Card || method == event::SigninMethod::Qr))
            method = event::SigninMethod::Phone;  // only members have a card
        event::Identity id;
        switch (method) {
            case event::SigninMethod::Phone: id = {event::Identity::Type::Phone, s.phone}; break;
            case event::SigninMethod::Email: id = {event::Identity::Type::Email, s.email}; break;
            default: id = {event::Identity::Type::Member, s.memberId}; break;
        }
        const bool newMember = !s.member;
        if (newMember) {
            stamp(between(15, 40) * 1000);
            event::ConsentRecord consent{"loyalty-terms", "2026-09", std::string(64, 'a'), {"loyalty_terms"}};
            if (chance(0.3)) consent.purposes.push_back("marketing_email");
            addKiosk(f.consent(sessionId, locale, id, consent), store, kiosk, t);
            s.member = true;
        }
        stamp(between(5, 20) * 1000);
        addKiosk(f.signin(sessionId, locale, method, id, newMember), store, kiosk, t);
        who = id;
    }

    if (chance(0.5)) {
        event::FeedbackAnswers a;
        a.surveyId = "store-visit";
        // Head office reworded a question a few days before the end (a new survey version), so the dashboard
        // has answers of two versions to tell apart.
        a.surveyVersion = at >= m_o.nowMs - (m_o.days / 4 + 1) * kDay ? 3 : 2;
        const int nps = npsFor(store, at);
        a.nps = nps;
        if (chance(0.7)) a.csat = std::clamp(static_cast<int>(std::lround(1.0 + nps * 0.4 + std::normal_distribution<double>(0, 0.6)(m_rng))), 1, 5);
        if (chance(0.5)) a.ces = std::clamp(static_cast<int>(std::lround(5.6 - (10 - nps) * 0.25 + std::normal_distribution<double>(0, 0.9)(m_rng))), 1, 7);
        static constexpr std::array<const char*, 4> kGood{"staff", "speed", "selection", "cleanliness"};
        static constexpr std::array<const char*, 2> kMid{"selection", "price"};
        static constexpr std::array<const char*, 5> kBad{"wait_time", "price", "out_of_stock", "staff", "checkout"};
        const int nReasons = between(1, 2);
        for (int i = 0; i < nReasons; ++i) {
            std::string reason = nps >= 9 ? pick(kGood) : nps >= 7 ? pick(kMid) : pick(kBad);
            if (std::find(a.reasons.begin(), a.reasons.end(), reason) == a.reasons.end()) a.reasons.push_back(reason);
        }
        if (chance(0.18)) {
            static constexpr std::array<const char*, 6> kPraise{"Quick and friendly, thank you!", "Found everything I needed.",
                                                                 "Love the new layout.", "The staff at the counter were great",
                                                                 "Clean store, easy checkout", "Good deals this week"};
            static constexpr std::array<const char*, 6> kComplaints{"Waited 15 minutes at the till.", "The size I wanted was out of stock again",
                                                                     "Too few staff on the floor", "Prices went up since last month",
                                                                     "Self checkout kept freezing", "Could not find anyone to help"};
            a.comment = nps >= 7 ? pick(kPraise) : pick(kComplaints);
            // Some shoppers leave contact details in free text; the hub and the dashboard must mask them.
            if (chance(0.15)) {
                const Shopper& s = m_shoppers[pickShopper(store)];
                if (a.comment.back() != '.' && a.comment.back() != '!') a.comment += '.';
                a.comment += chance(0.5) ? " Please email me at " + s.email : " Call me on " + s.phone.substr(2, 3) + " 555 " + s.phone.substr(8);
            }
        }
        if (chance(0.08)) {
            a.lastStep = a.ces ? "comment" : a.csat ? "ces" : "csat";
            stamp(between(20, 90) * 1000);
            const char* reason = chance(0.6) ? "timeout" : chance(0.5) ? "exit" : "skip";
            addKiosk(f.feedbackAbandoned(sessionId, locale, a, reason, who), store, kiosk, t);
        } else {
            stamp(between(20, 90) * 1000);
            addKiosk(f.feedback(sessionId, locale, a, who), store, kiosk, t);
            if (chance(0.02)) {  // the same answer pressed again within seconds: the kiosk flags it as misuse
                a.misuse = true;
                stamp(3000);
                addKiosk(f.feedback(sessionId, locale, a, who), store, kiosk, t);
            }
        }
    }

    if (who && chance(0.03)) {
        stamp(between(30, 120) * 1000);
        addKiosk(f.staffLookup(uuid(), between(1, 4), *who), store, kiosk, t);
    }
}

void Generator::heartbeats(int store, int kiosk, std::int64_t dayStartMs) {
    const auto& f = factory(store, kiosk);
    const bool stale = isQuietKiosk(m_o, store, kiosk);
    for (std::int64_t at = dayStartMs; at < dayStartMs + kDay; at += kHour) {
        const std::int64_t when = at + between(0, 59) * 1000;
        if (when > m_o.nowMs - kMinute) break;
        if (stale && when > m_o.nowMs - 2 * kDay) break;
        json health = healthAt(m_o, store, kiosk, when, between(0, 3), between(0, 20), between(2'000, 90'000));
        m_clock.setUtcMs(when + skewOf(store, kiosk));
        addKiosk(f.heartbeat(health), store, kiosk, when);
    }
}

void Generator::kioskDay(int store, int kiosk, std::int64_t dayStartMs) {
    const auto& spec = kStores[static_cast<std::size_t>(store) % kStores.size()];
    const auto weekday = (dayStartMs / kDay + 4) % 7;  // 1970-01-01 was a Thursday; 0 = Sunday
    const double weekdayFactor = weekday == 6 ? 1.5 : weekday == 0 ? 1.25 : weekday == 5 ? 1.15 : 1.0;
    const double mean = m_o.sessionsPerKioskDay * spec.traffic * weekdayFactor;
    const int sessions = std::poisson_distribution<int>(mean)(m_rng);
    // Opening hours 09:00-21:00 local.
    const std::int64_t open = dayStartMs + (9 - spec.utcOffsetHours) * kHour;
    for (int i = 0; i < sessions; ++i) {
        const std::int64_t at = open + static_cast<std::int64_t>(uniform() * static_cast<double>(12 * kHour));
        if (at > m_o.nowMs - 10 * kMinute) continue;
        session(store, kiosk, at);
    }
    heartbeats(store, kiosk, dayStartMs);
}

void Generator::onlineActivity(std::int64_t dayStartMs, int dayIndex) {
    static constexpr std::array<const char*, 6> kProducts{"rain-jacket", "trail-shoe", "wool-scarf", "daypack",
                                                          "water-bottle", "fleece"};
    for (auto& s : m_shoppers) {
        if (!s.online || !chance(0.12 * std::min(s.loyalty, 3.0))) continue;
        const bool app = s.appUser && chance(0.6);
        const std::int64_t at = dayStartMs + static_cast<std::int64_t>(uniform() * static_cast<double>(kDay));
        if (at > m_o.nowMs - kMinute) continue;
        // Web SDKs send no context channel; the app SDK names its build and device.
        json context;
        if (app) context = {{"app", {{"name", "Touchpoint Shop"}, {"version", "3.2.1"}, {"build", "321"}}},
                            {"device", {{"type", chance(0.6) ? "ios" : "android"}}}};
        auto base = [&](const char* type, std::int64_t when) {
            json m{{"type", type}, {"timestamp", formatIsoUtcMs(when)}, {"anonymousId", s.webAnonymousId}};
            if (s.member) m["userId"] = s.memberId;
            if (app) m["context"] = context;
            return m;
        };
        if (s.member && (dayIndex == 0 || chance(0.1))) {
            json id = base("identify", at);
            id["traits"] = {{"email", s.email}, {"phone", s.phone}};
            addSdk(std::move(id), app ? "app" : "web");
        }
        json viewed = base("track", at + 20'000);
        viewed["event"] = "Product Viewed";
        viewed["properties"] = {{"productId", pick(kProducts)}};
        addSdk(std::move(viewed), app ? "app" : "web");
        if (chance(0.2)) {
            json order = base("track", at + 300'000);
            order["event"] = "Order Completed";
            order["properties"] = {{"orderId", uuid()}, {"revenue", between(15, 240)}, {"currency", "USD"}};
            addSdk(std::move(order), app ? "app" : "web");
        }
        if (s.member && chance(0.03)) {
            json referral = base("track", at + 400'000);
            referral["event"] = "Referral Sent";
            referral["properties"] = {{"channel", "link"}};
            addSdk(std::move(referral), app ? "app" : "web");
        }
    }
    // Visitors who never sign in: awareness only.
    const int anonymous = std::poisson_distribution<int>(8.0 * m_o.stores)(m_rng);
    for (int i = 0; i < anonymous; ++i) {
        const std::int64_t at = dayStartMs + static_cast<std::int64_t>(uniform() * static_cast<double>(kDay));
        if (at > m_o.nowMs - kMinute) continue;
        json m{{"type", "track"}, {"event", "Page Viewed"}, {"timestamp", formatIsoUtcMs(at)}, {"anonymousId", uuid()},
               {"properties", {{"path", "/stores"}}}};
        addSdk(std::move(m), "web");
    }
}

Scenario Generator::run() {
    makeShoppers();
    const std::int64_t firstDay = (m_o.nowMs / kDay - (m_o.days - 1)) * kDay;
    for (int d = 0; d < m_o.days; ++d) {
        const std::int64_t dayStart = firstDay + d * kDay;
        for (int store = 0; store < m_o.stores; ++store)
            for (int kiosk = 0; kiosk < m_o.kiosksPerStore; ++kiosk) kioskDay(store, kiosk, dayStart);
        onlineActivity(dayStart, d);
    }
    // Send in capture order, as devices that were online would have; then re-send a few as a flaky network does.
    std::stable_sort(m_out.begin(), m_out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Outgoing> dups;
    for (auto& [at, o] : m_out) {
        const std::string name = o.message.value("type", "") == "track" ? o.message.value("event", "") : o.message.value("type", "");
        ++m_result.countsByEvent[name];
        if (chance(m_o.duplicateRate)) {
            Outgoing copy = o;
            copy.duplicate = true;
            dups.push_back(std::move(copy));
        }
        m_result.messages.push_back(std::move(o));
    }
    for (auto& d : dups) m_result.messages.push_back(std::move(d));
    for (int store = 0; store < m_o.stores; ++store) {
        m_result.storeIds.push_back(storeId(store));
        for (int kiosk = 0; kiosk < m_o.kiosksPerStore; ++kiosk) m_result.kioskIds.push_back(kioskId(store, kiosk));
    }
    return std::move(m_result);
}

}  // namespace

Result<std::vector<Outgoing>, std::string> liveHeartbeats(const ScenarioOptions& options, std::int64_t nowMs) {
    auto sealer = event::Sealer::fromPublicKeyB64(options.sealingPublicKeyB64);
    if (!sealer) return Fail("--sealing-key: " + sealer.error());
    auto hasher = event::IdentityHasher::fromKeyB64(event::IdentityHasher::generateKeyB64());
    if (!hasher) return Fail("identity hash key: " + hasher.error());
    std::mt19937_64 rng(options.seed ^ static_cast<std::uint64_t>(nowMs));
    auto small = [&](int hi) { return std::uniform_int_distribution<int>(0, hi)(rng); };
    std::vector<Outgoing> out;
    for (int store = 0; store < options.stores; ++store) {
        for (int kiosk = 0; kiosk < options.kiosksPerStore; ++kiosk) {
            if (isQuietKiosk(options, store, kiosk)) continue;
            char storeId[32];
            std::snprintf(storeId, sizeof storeId, "store-%04d", store + 1);
            const std::string kioskId = std::string(storeId) + "-k" + std::to_string(kiosk + 1);
            const auto& spec = kStores[static_cast<std::size_t>(store) % kStores.size()];
            ManualClock clock(nowMs + clockSkew(options, store, kiosk));
            event::KioskEventFactory f({storeId, kioskId, spec.timeZone, "0.1.0", "boot-" + kioskId}, *sealer, *hasher, clock);
            event::Message m = f.heartbeat(healthAt(options, store, kiosk, nowMs, small(3), small(20), 2'000 + small(80'000)));
            m.context.sequence = nowMs / 1000;  // increasing across ticks, like the outbox's per-device counter
            out.push_back(Outgoing{event::toJson(m), kioskId, clockSkew(options, store, kiosk), false});
        }
    }
    return out;
}

Result<Scenario, std::string> buildScenario(const ScenarioOptions& options) {
    if (options.stores < 1 || options.stores > 99) return Fail(std::string("--stores: 1 to 99"));
    if (options.kiosksPerStore < 1 || options.kiosksPerStore > 20) return Fail(std::string("--kiosks: 1 to 20"));
    if (options.days < 1 || options.days > 366) return Fail(std::string("--days: 1 to 366"));
    if (options.duplicateRate < 0.0 || options.duplicateRate > 0.5) return Fail(std::string("--duplicates: 0 to 0.5"));
    auto sealer = event::Sealer::fromPublicKeyB64(options.sealingPublicKeyB64);
    if (!sealer) return Fail("--sealing-key: " + sealer.error());
    // The identity-hash key only matters on the kiosk; derive it from the seed so runs repeat exactly.
    std::array<std::uint8_t, 32> key{};
    std::mt19937_64 keyRng(options.seed ^ 0x9e3779b97f4a7c15ULL);
    for (auto& b : key) b = static_cast<std::uint8_t>(keyRng() & 0xff);
    auto hasher = event::IdentityHasher::fromKeyB64(event::toBase64(key.data(), key.size()));
    if (!hasher) return Fail("identity hash key: " + hasher.error());
    Generator g(options, *sealer, *hasher);
    return g.run();
}

}  // namespace touchpoint::hub::datagen
