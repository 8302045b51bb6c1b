// `touchpointctl recover FILE`: put every readable event of a moved-aside (corrupt) outbox back in the live
// outbox. Message ids are unchanged, so the hub's dedupe keeps each event once however often this runs.

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ctl/commands.hpp"
#include "outbox/salvage.hpp"

namespace touchpoint::ctl {

namespace {

struct RecoverOptions {
    std::string file;
    bool json = false;
};

int runRecover(Context& context, const RecoverOptions& o) {
    auto report = outbox::recoverInto(context.outbox(), o.file);
    if (!report) throw RuntimeError(report.error());
    const auto& r = *report;
    if (o.json) {
        const nlohmann::json j{{"file", r.file.string()},         {"read", r.read},
                               {"reenqueued", r.reenqueued},      {"alreadyPresent", r.alreadyPresent},
                               {"unreadable", r.unreadable},      {"refused", r.refused},
                               {"deadLettersNotReplayed", r.deadLetters}, {"problems", r.problems}};
        std::printf("%s\n", j.dump(2).c_str());
    } else {
        std::printf("read:            %lld events from %s\n", static_cast<long long>(r.read), r.file.c_str());
        std::printf("re-enqueued:     %lld\n", static_cast<long long>(r.reenqueued));
        std::printf("already present: %lld\n", static_cast<long long>(r.alreadyPresent));
        std::printf("unreadable:      %lld\n", static_cast<long long>(r.unreadable));
        std::printf("refused:         %lld (outbox full)\n", static_cast<long long>(r.refused));
        std::printf("dead letters:    %lld in the file, not replayed\n", static_cast<long long>(r.deadLetters));
        for (const auto& line : r.problems) std::printf("  %s\n", line.c_str());
    }
    // Unreadable rows are reported, not a failure: everything that could be saved was. A refusal means the
    // live outbox had no room, which the operator must act on.
    return r.refused > 0 ? 1 : 0;
}

}  // namespace

void recoverCommands(CLI::App& app, Action& chosen) {
    auto* cmd = app.add_subcommand(
        "recover", "re-enqueue every readable event of a moved-aside outbox file (outbox.db.corrupt-*) into the live outbox");
    auto o = std::make_shared<RecoverOptions>();
    cmd->add_option("FILE", o->file, "the moved-aside outbox file")->required();
    cmd->add_flag("--json", o->json, "print the report as JSON");
    runs(cmd, chosen, [o](Context& context) { return runRecover(context, *o); });
}

}  // namespace touchpoint::ctl
