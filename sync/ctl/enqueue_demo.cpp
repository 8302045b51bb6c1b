// `enqueue-demo`: realistic synthetic traffic for demos, soak tests and the hub's dashboards: a retail-like
// NPS distribution, CSAT/CES that agree with it, follow-up reasons that fit the score, an occasional comment,
// abandoned surveys, and sign-ins by phone, email and member card.

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <cstdio>
#include <random>
#include <string>

#include "common/uuid.hpp"
#include "ctl/commands.hpp"
#include "ctl/identity_input.hpp"

namespace touchpoint::ctl {

namespace {

class DemoTraffic {
public:
    DemoTraffic(const event::KioskEventFactory& factory, std::string region, std::uint32_t seed)
        : m_factory(factory), m_region(std::move(region)), m_rng(seed) {}

    event::Message next(std::string_view kind) {
        std::string chosen(kind);
        if (kind == "mixed") {
            const int roll = pick(0, 99);
            chosen = roll < 40 ? "signin" : roll < 92 ? "feedback" : "abandoned";
        }
        const std::string session = newUuidV4();
        const std::string locale = pickOf(kLocales);
        if (chosen == "signin") {
            const int how = pick(0, 9);
            if (how < 5) {
                return m_factory.signin(session, locale, event::SigninMethod::Phone, phone(), pick(0, 9) == 0);
            }
            if (how < 8) return m_factory.signin(session, locale, event::SigninMethod::Email, email(), pick(0, 9) == 0);
            return m_factory.signin(session, locale, pick(0, 1) == 0 ? event::SigninMethod::Card : event::SigninMethod::Qr,
                                    event::Identity{event::Identity::Type::Member, "M" + std::to_string(pick(100000, 999999))},
                                    false);
        }
        event::FeedbackAnswers a = answers();
        if (chosen == "abandoned") {
            a.lastStep = pickOf(kSteps);
            return m_factory.feedbackAbandoned(session, locale, a, pickOf(kAbandonReasons), std::nullopt);
        }
        return m_factory.feedback(session, locale, a, std::nullopt);
    }

private:
    static constexpr std::array<const char*, 5> kLocales{"en-US", "en-US", "es-US", "fr-CA", "en-GB"};
    static constexpr std::array<const char*, 4> kSteps{"nps", "reasons", "comment", "csat"};
    static constexpr std::array<const char*, 3> kAbandonReasons{"timeout", "timeout", "exit"};
    static constexpr std::array<const char*, 5> kDetractorReasons{"wait_time", "staff_unavailable", "out_of_stock",
                                                                 "price", "checkout"};
    static constexpr std::array<const char*, 5> kPromoterReasons{"friendly_staff", "selection", "quick_checkout",
                                                                "store_layout", "deals"};
    static constexpr std::array<const char*, 8> kComments{
        "Checkout line was long but the cashier was quick.",
        "Could not find my size in the jeans section.",
        "Staff helped me find exactly what I needed, thank you!",
        "The fitting rooms were closed again.",
        "Love the new layout, much easier to browse.",
        "Prices went up since last month.",
        "Self checkout kept asking for help.",
        "Great deals on the clearance rack today."};

    int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(m_rng); }
    template <std::size_t N>
    std::string pickOf(const std::array<const char*, N>& items) {
        return items[static_cast<std::size_t>(pick(0, static_cast<int>(N) - 1))];
    }

    event::Identity phone() {
        // Area codes of real US metros with the 555-01xx block reserved for fiction.
        static constexpr std::array<const char*, 6> kAreas{"212", "415", "617", "312", "206", "305"};
        const std::string typed = "+1" + pickOf(kAreas) + "55501" + std::to_string(10 + pick(0, 89));
        auto normalized = normalizePhone(typed, m_region);
        return {event::Identity::Type::Phone, normalized ? normalized.value() : typed};
    }
    event::Identity email() {
        static constexpr std::array<const char*, 8> kNames{"alex", "sam", "jordan", "maria", "li", "noah", "ava", "omar"};
        static constexpr std::array<const char*, 3> kDomains{"example.com", "example.org", "mail.example"};
        return {event::Identity::Type::Email, pickOf(kNames) + "." + std::to_string(pick(1, 9999)) + "@" + pickOf(kDomains)};
    }
    event::FeedbackAnswers answers() {
        // Retail NPS: most answers 7..10, a long tail of detractors (about NPS +35).
        static constexpr std::array<double, 11> kNpsWeights{3, 1, 1.5, 2, 2.5, 5, 6, 12, 18, 22, 27};
        std::discrete_distribution<int> npsDist(kNpsWeights.begin(), kNpsWeights.end());
        event::FeedbackAnswers a;
        a.surveyId = "store-visit";
        const int nps = npsDist(m_rng);
        a.nps = nps;
        a.csat = std::clamp(1 + nps * 4 / 10 + pick(-1, 1), 1, 5);
        if (pick(0, 2) == 0) a.ces = std::clamp(1 + nps * 6 / 10 + pick(-1, 1), 1, 7);
        const int reasons = pick(0, 2);
        for (int i = 0; i < reasons; ++i) {
            const std::string r = nps <= 6 ? pickOf(kDetractorReasons) : pickOf(kPromoterReasons);
            if (std::find(a.reasons.begin(), a.reasons.end(), r) == a.reasons.end()) a.reasons.push_back(r);
        }
        if (pick(0, 99) < 18) a.comment = pickOf(kComments);
        return a;
    }

    const event::KioskEventFactory& m_factory;
    std::string m_region;
    std::mt19937 m_rng;
};

struct DemoOptions {
    std::int64_t count = 0;
    std::string kind = "mixed";
    std::optional<std::uint32_t> seed;
};

int runDemo(Context& context, const DemoOptions& o) {
    DemoTraffic traffic(context.factory(), context.phoneRegion(),
                        o.seed ? *o.seed : std::random_device{}());
    auto& box = context.outbox();
    std::map<std::string, int> byKind;
    std::int64_t evicted = 0;
    const auto start = std::chrono::steady_clock::now();
    for (std::int64_t i = 0; i < o.count; ++i) {
        event::Message m = traffic.next(o.kind);
        auto r = box.enqueue(m);
        if (!r) {
            throw RuntimeError("after " + std::to_string(i) + " events: " + std::string(outbox::toString(r.error().code)) +
                               ": " + r.error().message);
        }
        ++byKind[std::string(event::toString(m.kind))];
        evicted += static_cast<std::int64_t>(r->evictedReasons.size());
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("enqueued %lld events in %.2f s (%.0f/s):", static_cast<long long>(o.count), seconds,
                static_cast<double>(o.count) / std::max(seconds, 1e-9));
    for (const auto& [k, n] : byKind) std::printf(" %s=%d", k.c_str(), n);
    std::printf("%s\n", evicted > 0 ? (" evicted=" + std::to_string(evicted)).c_str() : "");
    return 0;
}

}  // namespace

void enqueueDemoCommands(CLI::App& app, Action& chosen) {
    auto* cmd = app.add_subcommand("enqueue-demo", "realistic synthetic events (sign-ins and feedback)");
    auto o = std::make_shared<DemoOptions>();
    cmd->add_option("--count", o->count, "how many")
        ->required()
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{10'000'000}));
    cmd->add_option("--kind", o->kind, "signin, feedback or mixed")
        ->check(CLI::IsMember({"signin", "feedback", "mixed"}))
        ->capture_default_str();
    cmd->add_option("--seed", o->seed, "random seed (default: a random one)");
    runs(cmd, chosen, [o](Context& context) { return runDemo(context, *o); });
}

}  // namespace touchpoint::ctl
