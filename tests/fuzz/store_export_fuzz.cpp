// libFuzzer target for the read side that once crashed on a long comment: fuzzed messages are stored in a real
// SQLite store, then the hub computes /v1/stats, the dashboard builds its tables and CSV, and the feedback and
// events exports are paged out. The input is used twice: as a batch body (whatever validates is stored) and
// as the comment of one feedback message, so long text reaches the masking on every read path.

#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.hpp"
#include "hub/dashboard/tables.hpp"
#include "hub/http/export_format.hpp"
#include "hub/ingest/batch_parser.hpp"
#include "hub/journey/stats.hpp"
#include "hub/journey/stats_json.hpp"
#include "hub/store/hub_store.hpp"

namespace {

using nlohmann::json;
namespace hub = touchpoint::hub;

constexpr std::int64_t kNow = 1'795'000'000'000;  // 2026-11-19T...
constexpr std::size_t kExportPage = 500;

/// A temporary directory removed at exit (after the store in it is closed: it is constructed first).
struct RunDir {
    std::string path;
    RunDir() {
        std::string templ = (std::filesystem::temp_directory_path() / "touchpoint-fuzz-XXXXXX").string();
        if (!::mkdtemp(templ.data())) std::abort();
        path = templ;
    }
    ~RunDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

/// Inputs share a store (creating the schema per input would leave little time for fuzzing), but a fresh
/// one every kInputsPerStore inputs keeps the stats and export reads from growing through the run.
constexpr std::uint64_t kInputsPerStore = 256;

hub::HubStore& store(std::uint64_t input) {
    static const RunDir dir;
    static std::unique_ptr<hub::HubStore> s;
    if (!s || input % kInputsPerStore == 0) {
        s.reset();
        const auto generation = input / kInputsPerStore;
        std::error_code ec;
        if (generation > 0) std::filesystem::remove(dir.path + "/hub-" + std::to_string(generation - 1) + ".db", ec);
        auto opened = hub::openHubStore("sqlite://" + dir.path + "/hub-" + std::to_string(generation) + ".db",
                                        hub::HubConfig{});
        if (!opened) std::abort();
        s = std::move(opened).value();
    }
    return *s;
}

/// A plaintext feedback message whose comment is the fuzz input (bytes that are not UTF-8 are replaced, as
/// the parser's own scan does).
std::string feedbackBody(std::string_view comment, std::uint64_t n) {
    json m{{"type", "track"},
           {"messageId", "fuzz-feedback-" + std::to_string(n)},
           {"timestamp", touchpoint::formatIsoUtcMs(kNow - 60'000)},
           {"anonymousId", "fuzz-visitor"},
           {"event", "Feedback Submitted"},
           {"properties", {{"answers", {{"nps", static_cast<int>(n % 11)}}}, {"comment", std::string(comment)}}},
           {"context", {{"channel", "in_store_kiosk"}, {"storeId", "store-1"}, {"kioskId", "k1"}}}};
    return json{{"batch", json::array({m})}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

void ingest(hub::HubStore& target, std::string_view body) {
    hub::ParseOptions options;
    options.receivedAtMs = kNow;
    auto parsed = hub::parseBatch(body, options);
    if (!parsed) return;
    std::vector<const hub::IngestMessage*> messages;
    for (const auto& v : parsed->verdicts) {
        if (v.message) messages.push_back(&*v.message);
    }
    if (messages.empty()) return;
    hub::IngestStats stats;
    (void)target.ingest(messages, stats);  // a store error is an answer (503), not a crash
}

void readEverything(hub::HubStore& source) {
    const std::string day = touchpoint::formatIsoUtcDay(kNow);
    auto data = source.statsData(day, day, "", {});
    if (!data) std::abort();
    const auto stats = hub::computeStats(*data, day, day, std::nullopt);
    (void)hub::toJson(stats).dump(-1, ' ', false, json::error_handler_t::replace);
    auto fleet = source.fleet();
    if (!fleet) std::abort();
    const auto kiosks = hub::dashboard::readFleet(*fleet, kNow, hub::dashboard::FleetThresholds{});
    const auto daily = hub::dashboard::dailySeries({day}, {{day, stats.overall}});
    for (const auto& [name, table] : hub::dashboard::buildTables(stats, daily, kiosks)) {
        (void)hub::dashboard::toCsv(table);
        (void)hub::dashboard::toJson(table).dump(-1, ' ', false, json::error_handler_t::replace);
    }
    for (const auto kind : {hub::ExportKind::Feedback, hub::ExportKind::Events}) {
        std::string cursor;
        // One page (the integration tests cover paging across pages).
        auto page = source.exportPage(kind, day, day, "", cursor, kExportPage);
        if (!page) std::abort();
        for (const auto& row : *page) {
            (void)hub::exportJson(row).dump(-1, ' ', false, json::error_handler_t::replace);
            (void)hub::exportCsvLine(row, kind);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static std::uint64_t n = 0;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    hub::HubStore& target = store(n++);
    ingest(target, input);
    // Comments are capped by the 32 KB message limit; 30,000 bytes of text still fit in one message.
    const std::string_view comment = input.substr(0, 30'000);
    ingest(target, feedbackBody(comment, n));
    readEverything(target);
    return 0;
}
