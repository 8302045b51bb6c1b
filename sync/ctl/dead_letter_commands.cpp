// `dead-letter list|replay|drop` and `purge --identity`: fixing stuck data and erasure requests.

#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>

#include "common/clock.hpp"
#include "ctl/commands.hpp"
#include "ctl/identity_input.hpp"

namespace touchpoint::ctl {

namespace {

struct DeadLetterOptions {
    std::string action;  // list, replay or drop
    std::optional<std::int64_t> id;
    bool json = false;
    std::int64_t limit = 100;
};

int runDeadLetter(Context& context, const DeadLetterOptions& o) {
    const auto& id = o.id;
    const bool json = o.json;
    const std::int64_t limit = o.limit;
    auto& box = context.outbox();
    if (o.action == "list") {
        auto rows = box.listDeadLetters(static_cast<std::size_t>(limit));
        if (!rows) throw RuntimeError(rows.error().message);
        if (json) {
            nlohmann::json out = nlohmann::json::array();
            for (const auto& d : *rows) {
                if (id && d.id != *id) continue;
                out.push_back({{"id", d.id},
                               {"messageId", d.messageId},
                               {"kind", event::toString(d.kind)},
                               {"reason", d.reason},
                               {"lastStatus", d.lastStatus},
                               {"attempts", d.attempts},
                               {"firstAttempt", formatIsoUtcMs(d.firstAttemptMs)},
                               {"lastAttempt", formatIsoUtcMs(d.lastAttemptMs)}});
            }
            std::printf("%s\n", out.dump().c_str());
            return 0;
        }
        std::printf("%-8s %-36s %-18s %-6s %-8s %-24s %s\n", "id", "messageId", "kind", "status", "attempts",
                    "last attempt", "reason");
        for (const auto& d : *rows) {
            if (id && d.id != *id) continue;
            std::printf("%-8lld %-36s %-18s %-6d %-8d %-24s %s\n", static_cast<long long>(d.id), d.messageId.c_str(),
                        std::string(event::toString(d.kind)).c_str(), d.lastStatus, d.attempts,
                        formatIsoUtcMs(d.lastAttemptMs).c_str(), d.reason.c_str());
        }
        return 0;
    }
    const std::optional<std::int64_t> which = id ? std::optional<std::int64_t>(*id) : std::nullopt;
    auto n = o.action == "replay" ? box.replayDeadLetters(which) : box.dropDeadLetters(which);
    if (!n) throw RuntimeError(n.error().message);
    std::printf("%s %lld dead letter(s)%s\n", o.action == "replay" ? "replayed" : "dropped", static_cast<long long>(*n),
                o.action == "replay" ? " back to pending, in their original order" : " (counted as dead_letter_dropped)");
    return 0;
}

int runPurge(Context& context, const std::string& identityArg) {
    auto identity = parseIdentityArg(identityArg, context.phoneRegion());
    if (!identity) throw UsageError(identity.error());
    const std::string hash = context.factory().identityHash(identity.value());
    auto n = context.outbox().purgeIdentity(hash);
    if (!n) throw RuntimeError(n.error().message);
    std::printf("purged %lld event(s) of that %s identity (pending and dead letters)\n", static_cast<long long>(*n),
                std::string(event::toString(identity->type)).c_str());
    return 0;
}

}  // namespace

void deadLetterCommands(CLI::App& app, Action& chosen) {
    auto* cmd = app.add_subcommand("dead-letter", "events the hub refused: list, replay (back to pending) or drop");
    auto o = std::make_shared<DeadLetterOptions>();
    cmd->add_option("action", o->action, "list, replay or drop")
        ->required()
        ->check(CLI::IsMember({"list", "replay", "drop"}));
    cmd->add_option("--id", o->id, "only this dead letter (default: every one)")
        ->check(CLI::Range(std::int64_t{1}, std::numeric_limits<std::int64_t>::max()));
    cmd->add_flag("--json", o->json, "list as JSON");
    cmd->add_option("--limit", o->limit, "list at most this many")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1'000'000}))
        ->capture_default_str();
    runs(cmd, chosen, [o](Context& context) { return runDeadLetter(context, *o); });
}

void purgeCommands(CLI::App& app, Action& chosen) {
    auto* cmd = app.add_subcommand("purge", "erasure of one identity's events (pending and dead letters)");
    auto identity = std::make_shared<std::string>();
    cmd->add_option("--identity", *identity, "phone:+15555550123, email:a@b.example or member:ID")->required();
    runs(cmd, chosen, [identity](Context& context) { return runPurge(context, *identity); });
}

}  // namespace touchpoint::ctl
