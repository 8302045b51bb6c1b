# The kiosk as installed: configured as OPERATIONS.md says from the hub's first-run report, its
# --check-config, and the unit's cage session run headless as the kiosk user against the packaged hub
# (sourced by run.sh).
# shellcheck shell=bash

kiosk_pids=()
hub_kiosk_token=""

# A secret in its own file, 0640 root:touchpoint, as the guide says.
write_secret() {  # write_secret PATH VALUE
    printf '%s\n' "$2" >"$(root_path "$1")"
    in_root chown root:touchpoint "$1"
    in_root chmod 0640 "$1"
}

kiosk_stop_all() {
    local pid
    for pid in "${kiosk_pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    kiosk_pids=()
}

kiosk_checks() {
    say "Kiosk: configured from the hub's report, --check-config, the cage session (headless)"
    if ! in_root test -x /usr/bin/touchpoint-kiosk; then
        notok "kiosk: /usr/bin/touchpoint-kiosk is installed" "the kiosk package has no program yet"
        return
    fi
    if [[ -z $hub_port || ! -s ${first_run:-/nonexistent} ]]; then
        notok "kiosk: a running hub to configure against" "the hub checks did not get that far"
        return
    fi
    local conf
    conf=$(root_path /etc/touchpoint/kiosk.toml)
    write_secret /etc/touchpoint/kiosk.token "$hub_kiosk_token"
    write_secret /etc/touchpoint/kiosk-staff.token "$(first_run_value staff_token)"
    write_secret /etc/touchpoint/kiosk-identity.key "$(first_run_value identity_hash_key)"
    cp "$hub_ca" "$(root_path /etc/touchpoint/hub-ca.pem)"
    chmod 0644 "$(root_path /etc/touchpoint/hub-ca.pem)"
    set_toml "$conf" store_id '"store-pkgtest"'
    set_toml "$conf" kiosk_id '"kiosk-pkgtest"'
    set_toml "$conf" sealing_public_key "\"$(first_run_value sealing_public_key)\""
    set_toml "$conf" url "\"https://127.0.0.1:$hub_port\""
    set_toml "$conf" ca_file '"/etc/touchpoint/hub-ca.pem"'
    set_toml "$conf" heartbeat_minutes 1

    check "kiosk --check-config passes on the filled-in packaged config, as touchpoint" \
        as_user touchpoint touchpoint-kiosk --config /etc/touchpoint/kiosk.toml --check-config
    # A mistake is reported with its line and key, and fails.
    local bad=/var/lib/touchpoint/pkgtest-bad.toml out
    sed 's|^url = .*|url = "http://127.0.0.1"|' "$conf" >"$(root_path $bad)"
    in_root chown touchpoint "$bad"
    out=$(as_user touchpoint touchpoint-kiosk --config "$bad" --check-config 2>&1)
    local rc=$?
    if ((rc != 0)) && [[ $out == *hub.url* ]]; then
        ok "kiosk --check-config names the wrong key (hub.url) and fails"
    else
        notok "kiosk --check-config names the wrong key (hub.url) and fails" "exit $rc: $out"
    fi
    in_root rm -f "$bad"

    # The unit's ExecStart, as its user, in its working directory. What pam_systemd and logind provide
    # on a real seat (the runtime directory) is made here by hand; wlroots' headless backend and pixman
    # renderer stand in for the GPU and screen.
    local unit exec workdir uid rt
    unit=$(root_path /lib/systemd/system/touchpoint-kiosk.service)
    exec=$(unit_value "$unit" ExecStart)
    workdir=$(unit_value "$unit" WorkingDirectory)
    uid=$(in_root id -u touchpoint)
    rt=/run/user/$uid
    in_root install -d -o touchpoint -g touchpoint -m 0700 "$rt"
    # Signals at their defaults, as systemd starts a unit: a run under nohup would otherwise hand cage an
    # ignored SIGHUP, the unit's KillSignal, and the stop check below would fail for the harness's sake.
    # shellcheck disable=SC2086 # ExecStart is a command line: split it as systemd does (no quotes in it)
    ( umask 0027; exec_in_root_as touchpoint "$workdir" env --default-signal XDG_RUNTIME_DIR="$rt" XDG_SESSION_TYPE=wayland \
        WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1 $exec ) >"$work/kiosk-session.log" 2>&1 &
    kiosk_pids+=($!)
    local pid=$! i seen=""
    # The kiosk sends a heartbeat when it starts and then every heartbeat_minutes; the hub lists it in /v1/fleet
    # with the app version the heartbeat carries. (The hub checks' test message, sent with this kiosk's token,
    # already put kiosk-pkgtest on the fleet page without one: only the heartbeat shows the kiosk itself.)
    local heartbeat_seen='import json, sys
sys.exit(0 if any(k.get("kiosk") == "kiosk-pkgtest" and k.get("appVersion") for k in json.load(sys.stdin)["kiosks"]) else 1)'
    for ((i = 0; i < 120; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        if hub_curl -H "Authorization: Bearer $(head_office_token)" "$(hub_url /v1/fleet)" 2>/dev/null |
            python3 -c "$heartbeat_seen" 2>/dev/null; then
            seen=1
            break
        fi
        sleep 1
    done
    if kill -0 "$pid" 2>/dev/null && pgrep -u "$uid" -x touchpoint-kios >/dev/null; then
        ok "the cage session runs the kiosk as touchpoint (cage -> Xwayland -> touchpoint-kiosk)"
    else
        notok "the cage session runs the kiosk as touchpoint" "log: $work/kiosk-session.log"
        tail -n 20 "$work/kiosk-session.log" | sed 's/^/     | /'
    fi
    if [[ -n $seen ]]; then
        ok "the packaged hub lists the packaged kiosk in /v1/fleet (its events arrived over HTTPS)"
    else
        notok "the packaged hub lists the packaged kiosk in /v1/fleet" "log: $work/kiosk-session.log"
    fi
    expect_eq "the outbox is in /var/lib/touchpoint, owned by touchpoint" "touchpoint" \
        "$(in_root stat -c '%U' /var/lib/touchpoint/outbox.db 2>&1)"
    if in_root test -x /usr/bin/touchpointctl; then
        check "touchpointctl status on the kiosk's outbox (as touchpoint)" \
            as_user touchpoint touchpointctl --db /var/lib/touchpoint/outbox.db status
    fi
    local sig
    sig=$(unit_value "$unit" KillSignal)
    kill -s "${sig:-TERM}" "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
        notok "the cage session ends on the unit's KillSignal within 10 s"
        kill -KILL "$pid" 2>/dev/null
    else
        ok "the cage session ends on the unit's KillSignal (${sig:-SIGTERM}) within 10 s"
    fi
    wait "$pid" 2>/dev/null
    kiosk_pids=()
    # The kiosk and Xwayland end when the compositor's connection goes, which can be a moment after cage
    # itself has exited; they get 10 s. Zombies are not running: this machine's PID 1 may be slow to reap.
    for ((i = 0; i < 100; i++)); do pgrep -u "$uid" -r R,S,D,T >/dev/null || break; sleep 0.1; done
    if pgrep -u "$uid" -r R,S,D,T >/dev/null; then
        notok "no process of the kiosk user is left 10 s after the session ended" "$(pgrep -a -u "$uid")"
        local left
        for left in $(pgrep -u "$uid" -r R,S,D,T); do kill -KILL "$left" 2>/dev/null; done
    else
        ok "no process of the kiosk user is left 10 s after the session ended"
    fi
}
