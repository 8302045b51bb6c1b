# The hub as installed: the postinst's first `init`, a start from the packaged config (the unit's own
# ExecStart, as its user) answering /healthz over HTTPS, ingest with the first token, the documented
# backup, then the documented PostgreSQL setup (sourced by run.sh).
# shellcheck shell=bash

hub_pids=()
hub_port=""
hub_ca=""
first_run=""

# A value from init's report: first_run_value KEY (the [hub]/[privacy] lines) or the head-office comment.
first_run_value() { sed -n "s/^$1 = \"\(.*\)\"$/\1/p" "$first_run" | head -n 1; }
head_office_token() { sed -n 's/^# token: //p' "$first_run" | head -n 1; }

# Starts the hub the way touchpoint-hub.service does: the unit's ExecStart, as its User, in its
# WorkingDirectory, with its UMask. Prints nothing; sets hub_pids.
hub_start() {  # hub_start LOGFILE
    local unit exec workdir
    unit=$(root_path /lib/systemd/system/touchpoint-hub.service)
    exec=$(unit_value "$unit" ExecStart)
    workdir=$(unit_value "$unit" WorkingDirectory)
    # shellcheck disable=SC2086 # ExecStart is a command line: split it as systemd does (no quotes in it)
    ( umask 0077; exec_in_root_as touchpoint-hub "$workdir" $exec ) >"$1" 2>&1 &
    hub_pids+=($!)
}

exec_in_root_as() {  # exec_in_root_as USER DIR CMD...
    local user=$1 dir=$2 gid
    shift 2
    gid=$(in_root id -g "$user")
    if [[ -n $ROOT ]]; then
        exec chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
            setpriv --reuid="$user" --regid="$gid" --init-groups --reset-env env -C "$dir" "$@"
    else
        exec setpriv --reuid="$user" --regid="$gid" --init-groups --reset-env env -C "$dir" "$@"
    fi
}

# Stops the last hub started with SIGTERM (what systemctl stop sends) and returns its exit status.
hub_stop() {
    local pid=${hub_pids[-1]} i
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 300; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        unset 'hub_pids[-1]'
        return 124
    fi
    wait "$pid"
    local rc=$?
    unset 'hub_pids[-1]'
    return "$rc"
}

hub_stop_all() {
    local pid
    for pid in "${hub_pids[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    hub_pids=()
    if [[ -n ${pg_cluster:-} ]]; then
        in_root pg_dropcluster --stop "$pg_version" "$pg_cluster" >/dev/null 2>&1
        pg_cluster=""
    fi
}

hub_url() { printf 'https://localhost:%s%s' "$hub_port" "$1"; }
hub_curl() { curl -sS --max-time 10 --cacert "$hub_ca" --resolve "localhost:$hub_port:127.0.0.1" "$@"; }

# One Segment-style track message; prints the receipt status.
hub_ingest() {  # hub_ingest TOKEN MESSAGE_ID
    local now body
    now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
    body=$(printf '{"batch":[{"type":"track","messageId":"%s","timestamp":"%s","sentAt":"%s","anonymousId":"pkgtest","event":"Package Test","properties":{}}],"sentAt":"%s"}' \
        "$2" "$now" "$now" "$now")
    hub_curl -H "Authorization: Bearer $1" -H 'Content-Type: application/json' -d "$body" "$(hub_url /v1/batch)" |
        sed -n 's/.*"status" *: *"\([a-z]*\)".*/\1/p'
}

set_toml() {  # set_toml FILE KEY VALUE: replaces the first `KEY = ...` line (value written as given)
    sed -i "0,/^$2 = .*/s||$2 = $3|" "$1"
}

hub_checks() {
    say "Hub: first setup, start from the packaged config, /healthz"
    if ! in_root test -x /usr/bin/touchpoint-hub; then
        notok "hub: /usr/bin/touchpoint-hub is installed" "the hub package has no program yet"
        return
    fi
    first_run=$(root_path /var/lib/touchpoint-hub/first-run.txt)
    if [[ -s $first_run ]]; then ok "postinst ran touchpoint-hub init (first-run.txt)"; else notok "postinst ran touchpoint-hub init (first-run.txt)"; return; fi
    expect_eq "first-run.txt (tokens) is 0600 root" "600 root root" "$(stat_of /var/lib/touchpoint-hub/first-run.txt)"
    local f
    for f in hub-key.pem sealing-secret.key hub.db; do
        expect_eq "init's $f belongs to touchpoint-hub, 0600" "600 touchpoint-hub touchpoint-hub" \
            "$(stat_of "/var/lib/touchpoint-hub/$f")"
    done
    # Every file the packaged config names exists: the conffile and init agree on the layout.
    local conf
    conf=$(root_path /etc/touchpoint/hub.toml)
    for f in $(sed -n 's/^\(cert_file\|key_file\) = "\(.*\)"/\2/p' "$conf") \
             $(sed -n 's/^secret_key_files = \["\(.*\)"\]/\1/p' "$conf"); do
        check "the packaged hub.toml names an existing file: $f" in_root test -s "$f"
    done
    hub_ca=$(root_path "$(sed -n 's/^cert_file = "\(.*\)"/\1/p' "$conf")")
    hub_key_sum=$(md5sum <"$(root_path /var/lib/touchpoint-hub/sealing-secret.key)")

    check "hub --check-config passes on the packaged config, as touchpoint-hub" \
        as_user touchpoint-hub touchpoint-hub --config /etc/touchpoint/hub.toml --check-config

    # The operator's one edit for this test: a free port (the chroot shares this machine's network).
    hub_port=$(free_port)
    set_toml "$conf" port "$hub_port"
    hub_start "$work/hub-sqlite.log"
    if wait_https "$(hub_url /healthz)" "$hub_ca" 30 ||
       hub_curl -o /dev/null "$(hub_url /healthz)"; then
        ok "hub started from the packaged config answers /healthz over HTTPS (port $hub_port)"
    else
        notok "hub started from the packaged config answers /healthz over HTTPS" "log: $work/hub-sqlite.log"
        tail -n 15 "$work/hub-sqlite.log" | sed 's/^/     | /'
        hub_stop
        return
    fi
    expect_contains "/healthz says ok" "$(hub_curl "$(hub_url /healthz)")" '"ok"'
    check "the hub's certificate is verified (a wrong CA is refused)" \
        negate curl -sS --max-time 5 --cacert /etc/ssl/certs/ca-certificates.crt \
            --resolve "localhost:$hub_port:127.0.0.1" "$(hub_url /healthz)"

    local kiosk_token id
    kiosk_token=$(first_run_value token)
    id=$(cat /proc/sys/kernel/random/uuid)
    expect_eq "ingest with init's kiosk token: accepted" accepted "$(hub_ingest "$kiosk_token" "$id")"
    expect_eq "the same messageId again: duplicate" duplicate "$(hub_ingest "$kiosk_token" "$id")"
    expect_eq "an unknown token is refused (401)" 401 \
        "$(hub_curl -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer nope' -d '{"batch":[]}' "$(hub_url /v1/batch)")"
    expect_eq "head-office token reads /v1/fleet" 200 \
        "$(hub_curl -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $(head_office_token)" "$(hub_url /v1/fleet)")"

    # Token rotation as documented: a new kiosk token works, the revoked one is refused.
    local new_token
    new_token=$(as_user touchpoint-hub touchpoint-hub token add --config /etc/touchpoint/hub.toml \
        --kind kiosk --store store-pkgtest --kiosk kiosk-pkgtest --name pkgtest-kiosk 2>/dev/null)
    expect_eq "token add (as touchpoint-hub): the new token is accepted" accepted \
        "$(hub_ingest "$new_token" "$(cat /proc/sys/kernel/random/uuid)")"
    check "token revoke kiosk-1" as_user touchpoint-hub touchpoint-hub token revoke \
        --config /etc/touchpoint/hub.toml --name kiosk-1
    expect_eq "the revoked token is refused (401)" 401 \
        "$(hub_curl -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $kiosk_token" -d '{"batch":[]}' "$(hub_url /v1/batch)")"
    # The kiosk test below uses the new token.
    hub_kiosk_token=$new_token

    # The guide's backup (OPERATIONS.md "Back up"): its folder, then `touchpoint-hub backup` as the hub's user,
    # taken while the hub runs.
    local backups=/var/backups/touchpoint-hub backup
    backup="$backups/hub-$(date +%F).db"
    check "backup: the guide's folder for it, the hub user's" \
        in_root install -d -o touchpoint-hub -g touchpoint-hub -m 0700 "$backups"
    check "backup: touchpoint-hub backup (as touchpoint-hub) while the hub runs" \
        in_root runuser -u touchpoint-hub -- touchpoint-hub backup --config /etc/touchpoint/hub.toml --to "$backup"
    expect_eq "backup: the copy is the hub user's alone (0600)" "600 touchpoint-hub" \
        "$(in_root stat -c '%a %U' "$backup" 2>&1)"
    expect_eq "backup: the copy passes integrity_check" ok "$(in_root sqlite3 "$backup" 'PRAGMA integrity_check;' 2>&1)"
    in_root rm -f "$backup"
    in_root rmdir "$backups" 2>/dev/null || true
    # The hub keeps running for the kiosk checks; they stop it.
}

hub_postgres_checks() {
    say "Hub on PostgreSQL, set up as OPERATIONS.md says"
    if ! in_root test -x /usr/bin/touchpoint-hub; then return; fi
    pg_version=$(in_root ls /usr/lib/postgresql | sort -n | tail -n 1)
    pg_cluster=pkgtest
    local pg_port conf
    pg_port=$(free_port)
    conf=$(root_path /etc/touchpoint/hub.toml)
    # A cluster of its own on a free port, so a PostgreSQL this machine already runs is left alone.
    if ! in_root pg_createcluster "$pg_version" "$pg_cluster" -p "$pg_port" --start >"$work/pg.log" 2>&1; then
        notok "PostgreSQL cluster for the test starts" "see $work/pg.log"
        tail -n 10 "$work/pg.log" | sed 's/^/     | /'
        pg_cluster=""
        return
    fi
    ok "PostgreSQL $pg_version cluster for the test starts (port $pg_port)"
    check "createuser touchpoint-hub (as postgres)" \
        in_root runuser -u postgres -- createuser -p "$pg_port" touchpoint-hub
    check "createdb --owner=touchpoint-hub touchpoint (as postgres)" \
        in_root runuser -u postgres -- createdb -p "$pg_port" --owner=touchpoint-hub touchpoint
    set_toml "$conf" url "\"postgresql:///touchpoint?host=/var/run/postgresql\&port=$pg_port\""
    check "hub --check-config with the PostgreSQL url" \
        as_user touchpoint-hub touchpoint-hub --config /etc/touchpoint/hub.toml --check-config
    local token
    token=$(as_user touchpoint-hub touchpoint-hub token add --config /etc/touchpoint/hub.toml \
        --kind kiosk --store store-pkgtest --kiosk kiosk-pg --name pkgtest-pg 2>"$work/pg-token.log")
    if [[ -n $token ]]; then ok "token add into PostgreSQL (peer authentication as touchpoint-hub)"; else notok "token add into PostgreSQL" "$(cat "$work/pg-token.log")"; fi
    hub_start "$work/hub-postgres.log"
    if wait_https "$(hub_url /healthz)" "$hub_ca" 30; then
        ok "hub on PostgreSQL answers /healthz"
        expect_eq "ingest into PostgreSQL: accepted" accepted "$(hub_ingest "$token" "$(cat /proc/sys/kernel/random/uuid)")"
        hub_stop
        expect_eq "hub stops on SIGTERM with status 0 (PostgreSQL)" 0 "$?"
    else
        notok "hub on PostgreSQL answers /healthz" "log: $work/hub-postgres.log"
        tail -n 15 "$work/hub-postgres.log" | sed 's/^/     | /'
        hub_stop
    fi
    local dump=/var/lib/postgresql/pkgtest.dump
    check "backup: pg_dump -Fc touchpoint (as postgres)" \
        in_root runuser -u postgres -- sh -c "pg_dump -p $pg_port -Fc touchpoint > $dump"
    check "backup: the dump lists the hub's tables" in_root sh -c "pg_restore -l $dump | grep -q 'TABLE'"
    in_root rm -f "$dump"
    in_root pg_dropcluster --stop "$pg_version" "$pg_cluster" >/dev/null 2>&1
    pg_cluster=""
    # Back to the embedded store for the upgrade checks.
    set_toml "$conf" url '"sqlite:///var/lib/touchpoint-hub/hub.db"'
}

# After an upgrade: init did not run again (same keys), the edited hub.toml is kept, the hub starts.
hub_after_upgrade_checks() {
    if ! in_root test -x /usr/bin/touchpoint-hub; then return; fi
    expect_eq "upgrade: the sealing key is unchanged (no second init)" "${hub_key_sum:-not read before the upgrade}" \
        "$(md5sum <"$(root_path /var/lib/touchpoint-hub/sealing-secret.key)")"
    check "upgrade: the edited hub.toml (test port) is kept" grep -q "^port = $hub_port\$" "$(root_path /etc/touchpoint/hub.toml)"
    hub_start "$work/hub-upgraded.log"
    if wait_https "$(hub_url /healthz)" "$hub_ca" 30; then
        ok "upgrade: the hub starts again and answers /healthz"
    else
        notok "upgrade: the hub starts again and answers /healthz" "log: $work/hub-upgraded.log"
    fi
    hub_stop
    expect_eq "hub stops on SIGTERM with status 0" 0 "$?"
}
