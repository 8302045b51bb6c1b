#pragma once
// `touchpoint-hub keys rotate --config FILE [--batch N] [--max-rows N]` and `keys status --config FILE`
// (docs/OPERATIONS.md "Personal data: keys, erasure, retention"): every sealed value and identifier tag moved
// under the current data key, while the hubs run; and, without changing anything, which key each value and
// tag is under, so that an operator knows whether a retired key may leave the key file.

#include <iosfwd>

#include "hub/store/hub_store.hpp"

namespace touchpoint::hub {

/// The exit code of `keys rotate` when it ran without error but values remain under a retired key (stopped by
/// --max-rows, an identifier held by two profiles, or a hub still writing under a retired key).
inline constexpr int kKeysRotateIncomplete = 3;

/// Rotates, printing progress per column and the final report to `out`, errors to `err`. 0 when every sealed
/// value and identifier tag is under the current key; kKeysRotateIncomplete when some are not; 1 on an error
/// (a value that does not open: its column and row key, never the value).
int keysRotateCommand(HubStore& store, const KeyRotationOptions& options, std::ostream& out, std::ostream& err);

/// Prints the per-key counts (DataKeyStatus) and what each retired key is still needed for. 0, or 1 on error.
int keysStatusCommand(HubStore& store, std::ostream& out, std::ostream& err);

}  // namespace touchpoint::hub
