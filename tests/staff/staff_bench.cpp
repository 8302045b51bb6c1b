// Figures for staff mode (printed, never asserted): what a PIN check costs (Argon2id, interactive limits),
// and what the offline cache and the lookup parser cost per call.
//   build/<dir>/tests/staff/staff_bench
#include <benchmark/benchmark.h>

#include "app/staff_status_cache.hpp"
#include "common/clock.hpp"
#include "staff/loyalty_status.hpp"
#include "staff/pin.hpp"
#include "temp_dir.hpp"

namespace touchpoint::kiosk::staff {
namespace {

const char* kBody = R"({"found": true, "firstInitial": "A", "tier": "Silver", "points": 340, "nextTier": "Gold",
  "pointsToNextTier": 160, "progress": 0.68, "rewards": [{"id": "coffee", "name": "Free coffee", "points": 300}],
  "journeyStage": "retention", "latestNps": {"score": 9, "at": "2026-11-20T10:00:00.000Z"},
  "lastVisits": {"in_store_kiosk": "2026-11-23T01:12:00.000Z", "web": "2026-11-21T08:00:00Z"}})";

void pinCheck(benchmark::State& state) {
    // One configured slot per range value: a PIN check verifies every slot.
    std::vector<std::string> hashes;
    for (int i = 0; i < state.range(0); ++i) hashes.push_back(hashPin("1234" + std::to_string(i)).value());
    for (auto _ : state) benchmark::DoNotOptimize(verifyPin(hashes, "99999"));
}
BENCHMARK(pinCheck)->Arg(1)->Arg(3)->Unit(benchmark::kMillisecond)->Iterations(5);

void parseLookup(benchmark::State& state) {
    const std::string body = kBody;
    for (auto _ : state) benchmark::DoNotOptimize(parseLookupBody(nlohmann::json::parse(body)));
}
BENCHMARK(parseLookup)->Unit(benchmark::kMicrosecond);

void cachePutGet(benchmark::State& state) {
    touchpoint::testing::TempDir dir;
    const SystemClock& clock = SystemClock::instance();
    auto cache = app::StatusCache::open({dir / "staff-cache.db"}, clock).value();
    const auto status = parseLookupBody(nlohmann::json::parse(kBody)).value();
    std::int64_t i = 0;
    for (auto _ : state) {
        const std::string key = "hash-" + std::to_string(i++ % 500);
        benchmark::DoNotOptimize(cache->put(key, status));
        benchmark::DoNotOptimize(cache->get(key));
    }
}
BENCHMARK(cachePutGet)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace touchpoint::kiosk::staff

BENCHMARK_MAIN();
