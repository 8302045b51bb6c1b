#!/bin/bash
# Runs inside the root booted by systemd-nspawn (systemd_checks.sh), as a one-shot unit after
# multi-user.target. Writes one line per check to $1: "ok|FAIL <TAB> name <TAB> detail".
# Environment: HUB_PORT (the port in the packaged hub.toml the test set), HUB_TOKEN (an ingest token).
set -u
out=$1
: >"$out"

result() { printf '%s\t%s\t%s\n' "$1" "$2" "${3:-}" >>"$out"; }
check() {  # check NAME CMD...
    local name=$1 o
    shift
    if o=$("$@" 2>&1); then result ok "$name"; else result FAIL "$name" "$(printf '%s' "$o" | tail -n 3 | tr '\n\t' '  ')"; fi
}
expect_eq() { if [[ $2 == "$3" ]]; then result ok "$1"; else result FAIL "$1" "expected '$2', got '$3'"; fi; }

wait_for() {  # wait_for SECONDS CMD...: until CMD succeeds
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || return 1
        sleep 0.5
    done
}

ca=/var/lib/touchpoint-hub/hub-cert.pem
# shellcheck disable=SC2317 # called through check and wait_for
healthz() { curl -fsS --max-time 5 --cacert "$ca" --resolve "localhost:$HUB_PORT:127.0.0.1" "https://localhost:$HUB_PORT/healthz"; }
ingest() {
    local now id
    now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
    id=$(cat /proc/sys/kernel/random/uuid)
    curl -sS --max-time 10 --cacert "$ca" --resolve "localhost:$HUB_PORT:127.0.0.1" \
        -H "Authorization: Bearer $HUB_TOKEN" -H 'Content-Type: application/json' \
        -d "{\"batch\":[{\"type\":\"track\",\"messageId\":\"$id\",\"timestamp\":\"$now\",\"anonymousId\":\"boot\",\"event\":\"Boot Test\",\"properties\":{}}],\"sentAt\":\"$now\"}" \
        "https://localhost:$HUB_PORT/v1/batch" | sed -n 's/.*"status" *: *"\([a-z]*\)".*/\1/p'
}
# Processes (pid) whose command name is $1, without procps (not in a minimal root).
pids_named() {
    local p
    for p in /proc/[0-9]*; do
        # Zombies (state Z) have exited; their parent reaps them a moment later.
        [[ $(cat "$p/comm" 2>/dev/null) == "$1" && $(awk '{print $3}' "$p/stat" 2>/dev/null) != Z ]] &&
            printf '%s\n' "${p#/proc/}"
    done
}

# --- the hub: enabled by the package, started at boot, sandboxed -------------------------------------------
check "touchpoint-hub is enabled" systemctl is-enabled --quiet touchpoint-hub
wait_for 30 systemctl is-active --quiet touchpoint-hub
check "touchpoint-hub is running after boot" systemctl is-active --quiet touchpoint-hub
wait_for 20 healthz
check "/healthz answers over HTTPS from the hardened unit" healthz
expect_eq "ingest under ProtectSystem=strict writes its store: accepted" accepted "$(ingest)"
pid=$(systemctl show -p MainPID --value touchpoint-hub)
expect_eq "the hub runs as touchpoint-hub" touchpoint-hub "$(stat -c %U "/proc/$pid" 2>&1)"
check "NoNewPrivileges holds" grep -Eq '^NoNewPrivs:[[:space:]]+1$' "/proc/$pid/status"
check "no capabilities at all (CapEff and CapBnd empty)" \
    sh -c "grep -Eq '^CapEff:[[:space:]]+0+$' /proc/$pid/status && grep -Eq '^CapBnd:[[:space:]]+0+$' /proc/$pid/status"
check "a seccomp filter is on (SystemCallFilter)" grep -Eq '^Seccomp:[[:space:]]+2$' "/proc/$pid/status"
check "the file system is read-only for it except its state directory" \
    sh -c "awk '\$5 == \"/\" {print \$6}' /proc/$pid/mountinfo | grep -q '^ro' &&
           awk '\$5 == \"/var/lib/touchpoint-hub\" {print \$6}' /proc/$pid/mountinfo | grep -q '^rw'"

check "systemctl restart touchpoint-hub" systemctl restart touchpoint-hub
wait_for 20 healthz
check "/healthz after a restart" healthz
check "systemctl stop touchpoint-hub" systemctl stop touchpoint-hub
expect_eq "the hub stopped cleanly (Result=success)" success "$(systemctl show -p Result --value touchpoint-hub)"

# A broken config stops the start before the program runs, and the journal names the line and key.
cp /etc/touchpoint/hub.toml /root/hub.toml.good
sed -i 's/^port = .*/port = 70000/' /etc/touchpoint/hub.toml
if systemctl start touchpoint-hub 2>/dev/null; then
    result FAIL "a config error keeps the hub from starting" "it started"
else
    result ok "a config error keeps the hub from starting"
fi
sleep 1
if journalctl -u touchpoint-hub --no-pager | grep -q 'server.port'; then
    result ok "the journal names the wrong key (server.port)"
else
    result FAIL "the journal names the wrong key (server.port)" "$(journalctl -u touchpoint-hub --no-pager | tail -n 3 | tr '\n' ' ')"
fi
cp /root/hub.toml.good /etc/touchpoint/hub.toml
systemctl reset-failed touchpoint-hub
check "the hub starts again with the config restored" systemctl start touchpoint-hub
wait_for 20 healthz
check "journald keeps the hub's structured lines" sh -c "journalctl -u touchpoint-hub --no-pager | grep -q 'level=info component=hub'"

# --- the kiosk session ------------------------------------------------------------------------------------
check "touchpoint-kiosk is enabled" systemctl is-enabled --quiet touchpoint-kiosk
# A container has no virtual console: the unit is skipped, not failed in a loop.
expect_eq "without /dev/tty0 the kiosk unit is skipped (condition), not failed" "no inactive" \
    "$(systemctl show -p ConditionResult --value touchpoint-kiosk) $(systemctl is-active touchpoint-kiosk)"

# The same unit with the console parts switched off (a container's seat has no VTs, so pam_systemd refuses a
# session on tty1) and wlroots' headless backend: PAM session
# (pam_systemd, logind), user, hardening, cage, Xwayland and the app as they run on a store's machine.
mkdir -p /etc/systemd/system/touchpoint-kiosk.service.d
cat >/etc/systemd/system/touchpoint-kiosk.service.d/pkgtest.conf <<'EOF'
[Unit]
ConditionPathExists=
[Service]
StandardInput=null
TTYPath=
UtmpIdentifier=
TTYReset=no
TTYVHangup=no
TTYVTDisallocate=no
Environment=WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1
EOF
systemctl daemon-reload
check "systemctl start touchpoint-kiosk (headless)" systemctl start touchpoint-kiosk
uid=$(id -u touchpoint)
sleep 8
check "the kiosk session is still running after 8 s" systemctl is-active --quiet touchpoint-kiosk
check "pam_systemd opened a logind session for touchpoint" sh -c "loginctl list-sessions --no-legend | grep -q touchpoint"
check "the session has its runtime directory /run/user/$uid" test -d "/run/user/$uid"
kpid=$(pids_named touchpoint-kios | head -n 1)
cpid=$(pids_named cage | head -n 1)
expect_eq "cage runs as touchpoint" touchpoint "$(stat -c %U "/proc/${cpid:-0}" 2>&1)"
expect_eq "the kiosk app runs as touchpoint inside cage" touchpoint "$(stat -c %U "/proc/${kpid:-0}" 2>&1)"
check "the outbox is in /var/lib/touchpoint" test -s /var/lib/touchpoint/outbox.db
check "systemctl stop touchpoint-kiosk" systemctl stop touchpoint-kiosk
# shellcheck disable=SC2317 # called through wait_for
no_kiosk_left() { [[ -z $(pids_named touchpoint-kios; pids_named cage) ]]; }
wait_for 10 no_kiosk_left
expect_eq "no kiosk process is left after stop" "" "$(pids_named touchpoint-kios; pids_named cage)"
journalctl -u touchpoint-kiosk --no-pager | tail -n 40 >/var/tmp/pkgtest-kiosk-journal.txt
rm -rf /etc/systemd/system/touchpoint-kiosk.service.d
systemctl daemon-reload
systemctl stop touchpoint-hub
sync
# Power the container off at once (the unit's SuccessAction alone did not end systemd-nspawn here).
systemctl --force --force poweroff
exit 0
