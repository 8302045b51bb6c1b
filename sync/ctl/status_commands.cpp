// `status` and `list`: what is waiting in the outbox, without ever showing personal data.

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/clock.hpp"
#include "ctl/commands.hpp"

namespace touchpoint::ctl {

namespace {

int runStatus(Context& context, bool json) {
    auto stats = context.outbox().stats();
    if (!stats) throw RuntimeError(stats.error().message);
    const std::int64_t now = SystemClock::instance().utcMs();
    if (json) {
        nlohmann::json j;
        j["pending"] = {{"count", stats->pendingCount}, {"bytes", stats->pendingBytes}};
        if (stats->oldestPendingMs) {
            j["pending"]["oldest"] = formatIsoUtcMs(*stats->oldestPendingMs);
            j["pending"]["oldestAgeS"] = (now - *stats->oldestPendingMs) / 1000;
        } else {
            j["pending"]["oldest"] = nullptr;
            j["pending"]["oldestAgeS"] = nullptr;
        }
        j["byteBudget"] = stats->byteBudget;
        j["deadLetters"] = {{"count", stats->deadLetterCount}, {"byReason", stats->deadLettersByReason}};
        j["counters"] = stats->counters;
        j["path"] = context.outbox().path().string();
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    std::printf("outbox:       %s\n", context.outbox().path().c_str());
    std::printf("pending:      %lld events, %lld bytes (budget %lld bytes, %.1f%% used)\n",
                static_cast<long long>(stats->pendingCount), static_cast<long long>(stats->pendingBytes),
                static_cast<long long>(stats->byteBudget),
                100.0 * static_cast<double>(stats->pendingBytes) / static_cast<double>(stats->byteBudget));
    if (stats->oldestPendingMs) {
        std::printf("oldest:       %s ago (captured %s)\n", formatAge(now - *stats->oldestPendingMs).c_str(),
                    formatIsoUtcMs(*stats->oldestPendingMs).c_str());
    } else {
        std::printf("oldest:       -\n");
    }
    std::printf("dead letters: %lld\n", static_cast<long long>(stats->deadLetterCount));
    for (const auto& [reason, n] : stats->deadLettersByReason) {
        std::printf("  %-40s %lld\n", reason.c_str(), static_cast<long long>(n));
    }
    std::printf("drops and other counters:%s\n", stats->counters.empty() ? " none" : "");
    for (const auto& [name, n] : stats->counters) {
        std::printf("  %-40s %lld\n", name.c_str(), static_cast<long long>(n));
    }
    return 0;
}

/// The payload as stored, with every sealed value replaced by "sealed": the CLI never prints ciphertext
/// either, so nothing personal can be copied out of a terminal.
nlohmann::json redacted(const std::string& payload) {
    nlohmann::json j = nlohmann::json::parse(payload, nullptr, false);
    if (j.is_discarded()) return nlohmann::json{{"unreadable", true}};
    if (j.contains("sealed") && j["sealed"].is_object()) {
        for (auto& [path, value] : j["sealed"].items()) value = "sealed";
    }
    return j;
}

int runList(Context& context, bool json, std::int64_t limit) {
    auto rows = context.outbox().listPending(static_cast<std::size_t>(limit));
    if (!rows) throw RuntimeError(rows.error().message);
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : *rows) {
            out.push_back({{"rowId", r.rowId},
                           {"messageId", r.messageId},
                           {"kind", event::toString(r.kind)},
                           {"captured", formatIsoUtcMs(r.createdMs)},
                           {"attempts", r.attempts},
                           {"bytes", r.payload.size()},
                           {"message", redacted(r.payload)}});
        }
        std::printf("%s\n", out.dump().c_str());
        return 0;
    }
    std::printf("%-8s %-36s %-18s %-24s %-8s %s\n", "row", "messageId", "kind", "captured", "attempts", "details");
    for (const auto& r : *rows) {
        const nlohmann::json m = redacted(r.payload);
        std::string details = m.value("event", std::string());
        if (m.contains("sealed")) {
            for (const auto& [path, value] : m["sealed"].items()) details += " " + path + "=sealed";
        }
        if (m.contains("properties") && m["properties"].contains("answers")) {
            details += " answers=" + m["properties"]["answers"].dump();
        }
        std::printf("%-8lld %-36s %-18s %-24s %-8d %s\n", static_cast<long long>(r.rowId), r.messageId.c_str(),
                    std::string(event::toString(r.kind)).c_str(), formatIsoUtcMs(r.createdMs).c_str(), r.attempts,
                    details.c_str());
    }
    std::printf("(%zu shown; personal fields are sealed to head office's key and shown as \"sealed\")\n",
                rows->size());
    return 0;
}

}  // namespace

void statusCommands(CLI::App& app, Action& chosen) {
    auto* cmd = app.add_subcommand("status", "pending count and bytes, oldest pending age, dead letters, drops");
    auto json = std::make_shared<bool>(false);
    cmd->add_flag("--json", *json, "print one JSON object");
    runs(cmd, chosen, [json](Context& context) { return runStatus(context, *json); });
}

void listCommands(CLI::App& app, Action& chosen) {
    auto* cmd = app.add_subcommand("list", "pending events, oldest first; personal fields shown as sealed");
    auto json = std::make_shared<bool>(false);
    auto limit = std::make_shared<std::int64_t>(20);
    cmd->add_option("--limit", *limit, "at most this many")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000}))
        ->capture_default_str();
    cmd->add_flag("--json", *json, "print a JSON array");
    runs(cmd, chosen, [json, limit](Context& context) { return runList(context, *json, *limit); });
}

}  // namespace touchpoint::ctl
