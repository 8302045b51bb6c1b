// `dead-letter list|replay|drop` and `purge --identity`: fixing stuck data and erasure requests.

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "common/clock.hpp"
#include "ctl/commands.hpp"
#include "ctl/identity_input.hpp"

namespace touchpoint::ctl {

namespace {

int runDeadLetter(Context& context, Args& args) {
    const auto action = args.positional();
    if (!action || (*action != "list" && *action != "replay" && *action != "drop")) {
        throw UsageError("dead-letter needs list, replay or drop");
    }
    const auto id = args.intOption("--id", 1, INT64_MAX);
    const bool json = args.flag("--json");
    const auto limit = args.intOption("--limit", 1, 1'000'000).value_or(100);
    args.finish();
    auto& box = context.outbox();
    if (*action == "list") {
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
    auto n = *action == "replay" ? box.replayDeadLetters(which) : box.dropDeadLetters(which);
    if (!n) throw RuntimeError(n.error().message);
    std::printf("%s %lld dead letter(s)%s\n", *action == "replay" ? "replayed" : "dropped", static_cast<long long>(*n),
                *action == "replay" ? " back to pending, in their original order" : " (counted as dead_letter_dropped)");
    return 0;
}

int runPurge(Context& context, Args& args) {
    const auto identityArg = args.option("--identity");
    args.finish();
    if (!identityArg) throw UsageError("purge needs --identity phone:NUMBER|email:ADDRESS|member:ID");
    auto identity = parseIdentityArg(*identityArg, context.phoneRegion());
    if (!identity) throw UsageError(identity.error());
    const std::string hash = context.factory().identityHash(identity.value());
    auto n = context.outbox().purgeIdentity(hash);
    if (!n) throw RuntimeError(n.error().message);
    std::printf("purged %lld event(s) of that %s identity (pending and dead letters)\n", static_cast<long long>(*n),
                std::string(event::toString(identity->type)).c_str());
    return 0;
}

}  // namespace

CommandGroup deadLetterCommands() {
    return {"dead-letter",
            "  dead-letter list|replay|drop [--id ID] [--json]   without --id: every dead letter\n", runDeadLetter};
}

CommandGroup purgeCommands() {
    return {"purge", "  purge --identity phone:+15555550123|email:a@b.example|member:ID   erasure of one identity\n",
            runPurge};
}

}  // namespace touchpoint::ctl
