#!/usr/bin/env bash
# The body of `./dev run` (called with the release build dir). It:
#   1. creates a hub under ./var/hub the first time (`touchpoint-hub init`: certificate, sealing keys, tokens),
#   2. starts it in the background unless it is already running (./var/hub.pid, log in ./var/hub.log),
#   3. writes ./var/kiosk.toml pointing the kiosk at it (outbox in ./var/outbox.db),
#   4. opens the kiosk in a window, or, with no $DISPLAY, runs it under Xvfb with a demo script that saves a
#      screenshot per step to ./var/screenshots.
# Safe to run twice: an existing hub is reused and a running one is left running.
set -euo pipefail
build=${1:?usage: dev-run.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
state=$root/var
mkdir -p "$state"

hub=$build/sync/hub/touchpoint-hub
kiosk=$build/kiosk/touchpoint-kiosk
ctl=$build/sync/ctl/touchpointctl

for bin in "$hub" "$kiosk"; do
  if [[ ! -x $bin ]]; then
    echo "dev-run: $bin is not built; run ./dev run (it builds the release preset first)." >&2
    exit 1
  fi
done

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# 1. The hub's folder, keys and tokens (the tokens are printed once by init: keep that output, private).
hubdir=$state/hub
init_out=$state/hub-init.txt
if [[ ! -f $hubdir/hub.toml ]]; then
  echo "== Creating a hub in $hubdir"
  rm -rf "$hubdir"
  # The first kiosk's tokens are bound to the store and kiosk ids the kiosk.toml below uses.
  (umask 077 && "$hub" init --dir "$hubdir" --port "$(free_port)" --store store-dev --kiosk kiosk-dev > "$init_out")
fi
value() {  # value KEY: the first `KEY = "..."` in init's output
  sed -n "s/^$1 = \"\\(.*\\)\"$/\\1/p" "$init_out" | head -n1
}
# A hub made before token kinds has unbound kiosk-1 / staff-1 tokens, which the hub refuses until bound:
# bind them to this developer kiosk (does nothing once bound, or for a hub made since).
for name in kiosk-1 staff-1; do
  "$hub" token bind --config "$hubdir/hub.toml" --name "$name" --store store-dev --kiosk kiosk-dev > /dev/null 2>&1 || true
done
hub_url=$(value url)
if [[ -z $hub_url ]]; then
  echo "dev-run: $init_out has no hub url; remove $hubdir and run again" >&2
  exit 1
fi

# 2. The hub process.
pidfile=$state/hub.pid
if [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  echo "== The hub is already running (pid $(cat "$pidfile")) at $hub_url"
else
  echo "== Starting the hub at $hub_url (log: $state/hub.log)"
  nohup "$hub" --config "$hubdir/hub.toml" >> "$state/hub.log" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 50); do
    if curl -fsS --cacert "$(value ca_file)" "$hub_url/healthz" > /dev/null 2>&1; then break; fi
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "dev-run: the hub exited; see $state/hub.log" >&2
      exit 1
    fi
    sleep 0.2
  done
fi

# 3. The kiosk's config, regenerated each time from init's values.
headless=0
[[ -z ${DISPLAY:-} ]] && headless=1
if ((headless)); then width=1920; height=1080; else width=1600; height=900; fi
cat > "$state/kiosk.toml" <<TOML
# Written by packaging/dev-run.sh for a developer run; see packaging/deb/kiosk.toml for every option.
[device]
store_id = "store-dev"
kiosk_id = "kiosk-dev"
time_zone = "UTC"
phone_region = "US"

[outbox]
path = "$state/outbox.db"

[privacy]
sealing_public_key = "$(value sealing_public_key)"
identity_hash_key = "$(value identity_hash_key)"

[hub]
url = "$hub_url"
token = "$(value token)"
staff_token = "$(value staff_token)"
ca_file = "$(value ca_file)"

[ui]
assets_dir = "$root/assets"
fullscreen = false
width = $width
height = $height
TOML
chmod 600 "$state/kiosk.toml"
"$kiosk" --config "$state/kiosk.toml" --check-config

echo "== Hub: $hub_url (stop it with: kill \$(cat $pidfile))"
[[ -x $ctl ]] && echo "== Outbox status: $ctl --config $state/kiosk.toml status"

# 4. The kiosk.
if ((!headless)); then
  echo "== Opening the kiosk in a window (staff mode: hold the top-left corner for 3 s)"
  exec "$kiosk" --config "$state/kiosk.toml" --windowed
fi

shots=$state/screenshots
rm -rf "$shots"
mkdir -p "$shots"
email="demo-$(date +%s)@example.com"   # a new member each run, so the consent screen shows every time
cat > "$state/demo-steps.txt" <<STEPS
# The demo a headless ./dev run plays (step language: docs/KIOSK_SCRIPT.md).
shot attract
tap attract.start
tap signin.tab.email
type $email
tap signin.submit
await consent 10
tap consent.terms
tap consent.accept
await welcome
tap welcome.feedback
tap nps.9
tap feedback.next
tap choice.friendly_staff
tap feedback.next
tap csat.5
tap feedback.next
tap ces.6
tap feedback.next
type très bien, merci
tap feedback.next
expect thankyou
flush 20
tap thanks.done
expect attract
scan 400012345678
await consent 10
shot card-scan-new-member
tap consent.cancel
expect attract
STEPS
echo "== No display: running the kiosk under Xvfb with $state/demo-steps.txt"
xvfb-run -a -s "-screen 0 1920x1080x24" "$kiosk" --config "$state/kiosk.toml" --script "$state/demo-steps.txt" \
  --screenshot-dir "$shots"
echo "== Screenshots: $shots ($(ls "$shots" | wc -l) PNG files, one per step)"
