// touchpointctl: the command line over the outbox (status, enqueue, list, dead letters, erasure, benchmarks).
// Each command group lives in its own file; adding one is one line in kGroups below.
// Exit codes: 0 ok, 2 usage (with the usage text), 1 runtime error (one line on stderr).

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "ctl/commands.hpp"
#include "ctl/ctl_context.hpp"

namespace {

using touchpoint::ctl::CommandGroup;

CommandGroup (*const kGroups[])() = {
    touchpoint::ctl::statusCommands,     touchpoint::ctl::listCommands,      touchpoint::ctl::enqueueCommands,
    touchpoint::ctl::enqueueDemoCommands, touchpoint::ctl::deadLetterCommands, touchpoint::ctl::purgeCommands,
    touchpoint::ctl::benchCommands,
    touchpoint::ctl::drainCommands,
};

std::string usageText() {
    std::string text =
        "usage: touchpointctl [--db PATH] [--config FILE] COMMAND ...\n"
        "  --db PATH      the outbox file (default: outbox.path from --config)\n"
        "  --config FILE  the kiosk's TOML config (store/kiosk ids, keys, phone region); without it test\n"
        "                 defaults are used and stated on stderr\n"
        "commands:\n";
    for (auto* make : kGroups) text += make().usage;
    text += "exit codes: 0 ok, 1 runtime error, 2 usage error\n";
    return text;
}

int usageError(const std::string& message) {
    std::fprintf(stderr, "touchpointctl: %s\n%s", message.c_str(), usageText().c_str());
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace touchpoint::ctl;
    std::vector<std::string> words(argv + 1, argv + argc);
    try {
        if (!words.empty() && (words.front() == "--help" || words.front() == "-h" || words.front() == "help")) {
            std::fputs(usageText().c_str(), stdout);
            return 0;
        }
        GlobalOptions global;
        // Global options come before the command name.
        while (!words.empty()) {
            if (words.front() == "--db" || words.front() == "--config") {
                if (words.size() < 2) throw UsageError(words.front() + " needs a value");
                (words.front() == "--db" ? global.db : global.config) = words[1];
                words.erase(words.begin(), words.begin() + 2);
            } else if (words.front().rfind("--db=", 0) == 0) {
                global.db = words.front().substr(5);
                words.erase(words.begin());
            } else if (words.front().rfind("--config=", 0) == 0) {
                global.config = words.front().substr(9);
                words.erase(words.begin());
            } else {
                break;
            }
        }
        if (words.empty()) return usageError("no command given");
        const std::string name = words.front();
        words.erase(words.begin());
        for (auto* make : kGroups) {
            CommandGroup group = make();
            if (group.name != name) continue;
            Context context(global);
            Args rest(words);
            return group.run(context, rest);
        }
        return usageError("unknown command '" + name + "'");
    } catch (const UsageError& e) {
        return usageError(e.what());
    } catch (const RuntimeError& e) {
        std::fprintf(stderr, "touchpointctl: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "touchpointctl: unexpected error: %s\n", e.what());
        return 1;
    }
}
