#pragma once
// The command groups touchpointctl dispatches to, one file each. Register a new group in main.cpp's kGroups.

#include "ctl/ctl_context.hpp"

namespace touchpoint::ctl {

void statusCommands(CLI::App& app, Action& chosen);       // status_commands.cpp
void listCommands(CLI::App& app, Action& chosen);         // status_commands.cpp
void enqueueCommands(CLI::App& app, Action& chosen);      // enqueue_commands.cpp
void enqueueDemoCommands(CLI::App& app, Action& chosen);  // enqueue_demo.cpp
void deadLetterCommands(CLI::App& app, Action& chosen);   // dead_letter_commands.cpp
void purgeCommands(CLI::App& app, Action& chosen);        // dead_letter_commands.cpp
void benchCommands(CLI::App& app, Action& chosen);        // bench_commands.cpp: `bench <what>`
void drainCommands(CLI::App& app, Action& chosen);        // drain_commands.cpp
void recoverCommands(CLI::App& app, Action& chosen);      // recover_commands.cpp

void benchEnqueueCommand(CLI::App& bench, Action& chosen);  // bench_enqueue.cpp: `bench enqueue`

}  // namespace touchpoint::ctl
