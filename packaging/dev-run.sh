#!/usr/bin/env bash
# The body of `./dev run`: starts what exists. Until the hub and the kiosk are built it says which part is
# missing and runs the rest.
set -euo pipefail
build=${1:?usage: dev-run.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
state=$root/var
mkdir -p "$state"

ctl=$build/sync/ctl/touchpointctl
hub=$build/sync/hub/touchpoint-hub
kiosk=$build/kiosk/touchpoint-kiosk

if [[ -x $ctl ]]; then
  echo "touchpointctl is built: $ctl (try: $ctl --db $state/outbox.db status)"
fi
if [[ ! -x $hub ]]; then
  echo "The journey hub is not built yet: nothing to start."
  exit 0
fi
echo "The kiosk is not built yet."
