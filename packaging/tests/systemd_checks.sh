# The units under a real systemd: the installed root is booted with systemd-nspawn (systemd as PID 1,
# logind, D-Bus), and a one-shot unit inside checks the services as an operator would with systemctl,
# writes its findings to a file and powers the container off (sourced by run.sh). Only in chroot mode.
# shellcheck shell=bash

systemd_checks() {
    say "Booted with systemd (systemd-nspawn): the hardened hub unit and the kiosk session unit"
    if [[ -z $ROOT ]]; then
        echo "installed on this machine: no container to boot; the units were checked with systemd-analyze only"
        return
    fi
    if ! command -v systemd-nspawn >/dev/null 2>&1; then
        echo "systemd-nspawn is not installed (package systemd-container): units checked with systemd-analyze only"
        return
    fi
    if ! in_root test -x /usr/bin/touchpoint-hub; then
        notok "boot: the hub program is installed" "nothing to start"
        return
    fi
    local results=/var/tmp/pkgtest-results
    in_root rm -f "$results"
    install -m 0755 "$here/inside_boot.sh" "$(root_path /usr/local/sbin/pkgtest-inside)"
    cat >"$(root_path /etc/systemd/system/pkgtest.service)" <<EOF
[Unit]
Description=Packaging checks inside the booted root
After=multi-user.target touchpoint-hub.service
[Service]
Type=oneshot
Environment=HUB_PORT=$hub_port HUB_TOKEN=$hub_kiosk_token
ExecStart=/usr/local/sbin/pkgtest-inside $results
StandardOutput=journal+console
StandardError=journal+console
SuccessAction=poweroff-force
FailureAction=poweroff-force
TimeoutStartSec=240
[Install]
WantedBy=multi-user.target
EOF
    in_root mkdir -p /etc/systemd/system/multi-user.target.wants
    ln -sf /etc/systemd/system/pkgtest.service "$(root_path /etc/systemd/system/multi-user.target.wants/pkgtest.service)"

    # nspawn mounts its own /proc, /sys and /dev inside the root.
    unmount_root
    timeout 300 systemd-nspawn -q --register=no --keep-unit -D "$ROOT" -b >"$work/nspawn.log" 2>&1 </dev/null
    local rc=$?
    mount_root
    rm -f "$(root_path /etc/systemd/system/multi-user.target.wants/pkgtest.service)" \
          "$(root_path /etc/systemd/system/pkgtest.service)" "$(root_path /usr/local/sbin/pkgtest-inside)"
    if [[ ! -s $(root_path "$results") ]]; then
        notok "boot: the container ran the checks" "systemd-nspawn exit $rc; see $work/nspawn.log"
        grep -v '^\s*$' "$work/nspawn.log" | tail -n 20 | sed 's/^/     | /'
        return
    fi
    in_root cat /var/tmp/pkgtest-kiosk-journal.txt >"$work/kiosk-journal.txt" 2>/dev/null
    local status name detail
    while IFS=$'\t' read -r status name detail; do
        if [[ $status == ok ]]; then ok "boot: $name"; else notok "boot: $name" "$detail"; fi
    done <"$(root_path "$results")"
    in_root rm -f "$results"
}
