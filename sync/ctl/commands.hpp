#pragma once
// The command groups touchpointctl dispatches to, one file each. Register a new group in main.cpp's kGroups.

#include "ctl/ctl_context.hpp"

namespace touchpoint::ctl {

CommandGroup statusCommands();       // status_commands.cpp
CommandGroup listCommands();         // status_commands.cpp
CommandGroup enqueueCommands();      // enqueue_commands.cpp
CommandGroup enqueueDemoCommands();  // enqueue_demo.cpp
CommandGroup deadLetterCommands();   // dead_letter_commands.cpp
CommandGroup purgeCommands();        // dead_letter_commands.cpp
CommandGroup benchCommands();        // bench_commands.cpp: `bench <what>`, one entry per benchmark

int runBenchEnqueue(Context& context, Args& args);  // bench_enqueue.cpp
CommandGroup drainCommands();                       // drain_commands.cpp
int runBenchDrain(Context& context, Args& args);    // drain_commands.cpp

}  // namespace touchpoint::ctl
