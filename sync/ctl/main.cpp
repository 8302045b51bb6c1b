// touchpointctl: the command line over the outbox (status, enqueue, list, dead letters, erasure, benchmarks).
// Each command group lives in its own file; adding one is one line in kGroups below.
// Exit codes: 0 ok, 2 usage (with the command's usage), 1 runtime error (one line on stderr).

#include <cstdio>
#include <exception>
#include <string>

#include "common/cli.hpp"
#include "ctl/commands.hpp"
#include "ctl/ctl_context.hpp"

namespace {

using touchpoint::ctl::CommandGroup;

const CommandGroup kGroups[] = {
    touchpoint::ctl::statusCommands,      touchpoint::ctl::listCommands,       touchpoint::ctl::enqueueCommands,
    touchpoint::ctl::enqueueDemoCommands, touchpoint::ctl::deadLetterCommands, touchpoint::ctl::purgeCommands,
    touchpoint::ctl::benchCommands,       touchpoint::ctl::drainCommands,      touchpoint::ctl::recoverCommands,
};

}  // namespace

int main(int argc, char** argv) {
    using namespace touchpoint::ctl;
    CLI::App app{"The command line over the kiosk's outbox. Exit codes: 0 ok, 1 runtime error, 2 usage error.",
                 "touchpointctl"};
    std::string db;
    std::string config;
    app.add_option("--db", db, "the outbox file (default: outbox.path from --config)");
    app.add_option("--config", config,
                   "the kiosk's TOML config (store/kiosk ids, keys, phone region); without it test defaults are "
                   "used and stated on stderr");
    app.require_subcommand(1);
    Action chosen;
    for (const CommandGroup add : kGroups) add(app, chosen);
    if (auto exit = touchpoint::cli::parse(app, argc, argv)) return *exit;

    GlobalOptions global;
    if (!db.empty()) global.db = db;
    if (!config.empty()) global.config = config;
    try {
        Context context(global);
        return chosen(context);
    } catch (const UsageError& e) {
        return touchpoint::cli::refuse(app, e.what());
    } catch (const RuntimeError& e) {
        std::fprintf(stderr, "touchpointctl: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "touchpointctl: unexpected error: %s\n", e.what());
        return 1;
    }
}
