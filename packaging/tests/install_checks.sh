# Installing, what the maintainer scripts set up, the units, an upgrade that keeps edited conffiles, purge
# (sourced by run.sh).
# shellcheck shell=bash

installed_on_host=0

# Extra packages for the checks themselves: systemd-analyze, curl, sqlite3 (a backup's integrity check),
# PostgreSQL (the guide's production store).
test_tools=(systemd curl ca-certificates sqlite3 openssl postgresql)

install_packages() {  # install_packages KIOSK_DEB HUB_DEB
    local log="$work/apt.log" debs=()
    if [[ -n $ROOT ]]; then
        mkdir -p "$ROOT/tmp/debs"
        cp "$1" "$2" "$ROOT/tmp/debs/"
        debs=("/tmp/debs/$(basename "$1")" "/tmp/debs/$(basename "$2")")
        # Downloaded packages are kept between runs (the root itself is always fresh).
        mkdir -p "$work/apt-archives/partial"
        mount --bind "$work/apt-archives" "$ROOT/var/cache/apt/archives" && mounted+=("$ROOT/var/cache/apt/archives")
        # apt resolves Depends from the mirror: a missing one fails here, not on a store's machine.
        if in_root apt-get update >"$log" 2>&1 &&
            in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
                "${test_tools[@]}" "${debs[@]}" >>"$log" 2>&1; then
            ok "apt installs both packages and their Depends into the fresh root"
        else
            notok "apt installs both packages and their Depends into the fresh root" "see $log"
            tail -n 25 "$log" | sed 's/^/     | /'
            return 1
        fi
    else
        installed_on_host=1
        if DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$1" "$2" >"$log" 2>&1; then
            ok "apt installs both packages on this machine"
        else
            notok "apt installs both packages on this machine" "see $log"
            tail -n 25 "$log" | sed 's/^/     | /'
            return 1
        fi
    fi
    # The postinst output is what an operator reads: keep it in the test log.
    grep -A4 '^Setting up touchpoint-' "$log" | sed 's/^/     > /'
    return 0
}

stat_of() { in_root stat -c '%a %U %G' "$1" 2>&1; }

user_checks() {  # user_checks USER HOME
    local entry shell home uid
    entry=$(in_root getent passwd "$1")
    if [[ -z $entry ]]; then notok "system user $1 exists"; return; fi
    ok "system user $1 exists"
    IFS=: read -r _ _ uid _ _ home shell <<<"$entry"
    expect_eq "$1: no login shell" /usr/sbin/nologin "$shell"
    expect_eq "$1: home is its state directory" "$2" "$home"
    if ((uid < 1000)); then ok "$1: system uid ($uid)"; else notok "$1: system uid" "uid $uid"; fi
    local pw
    pw=$(in_root getent shadow "$1" | cut -d: -f2)
    if [[ $pw == '!'* || $pw == '*'* ]]; then ok "$1: password locked"; else notok "$1: password locked" "shadow: $pw"; fi
    expect_contains "$1: member of touchpoint-config" " $(in_root id -nG "$1") " " touchpoint-config "
}

installed_checks() {
    say "Users, directories and permissions"
    user_checks touchpoint /var/lib/touchpoint
    user_checks touchpoint-hub /var/lib/touchpoint-hub
    expect_eq "/etc/touchpoint is 0750 root:touchpoint-config" "750 root touchpoint-config" "$(stat_of /etc/touchpoint)"
    expect_eq "kiosk.toml is 0640 root:touchpoint" "640 root touchpoint" "$(stat_of /etc/touchpoint/kiosk.toml)"
    expect_eq "hub.toml is 0640 root:touchpoint-hub" "640 root touchpoint-hub" "$(stat_of /etc/touchpoint/hub.toml)"
    expect_eq "/var/lib/touchpoint is 0750 touchpoint" "750 touchpoint touchpoint" "$(stat_of /var/lib/touchpoint)"
    expect_eq "/var/lib/touchpoint-hub is 0750 touchpoint-hub" "750 touchpoint-hub touchpoint-hub" \
        "$(stat_of /var/lib/touchpoint-hub)"
    # Each service reads its own config and not the other's; anyone else cannot even list the folder.
    check "the kiosk user reads kiosk.toml" as_user touchpoint cat /etc/touchpoint/kiosk.toml
    check "the hub user reads hub.toml" as_user touchpoint-hub cat /etc/touchpoint/hub.toml
    check "the kiosk user cannot read hub.toml" denied as_user touchpoint cat /etc/touchpoint/hub.toml
    check "the hub user cannot read kiosk.toml" denied as_user touchpoint-hub cat /etc/touchpoint/kiosk.toml
    check "another user cannot list /etc/touchpoint" denied as_user nobody ls /etc/touchpoint
    check "another user cannot enter /var/lib/touchpoint" denied as_user nobody ls /var/lib/touchpoint
    check "another user cannot enter /var/lib/touchpoint-hub" denied as_user nobody ls /var/lib/touchpoint-hub

    local cf
    # shellcheck disable=SC2016 # ${Conffiles} is dpkg-query's field, not a shell variable
    cf=$(in_root dpkg-query -W -f='${Conffiles}\n' touchpoint-kiosk touchpoint-hub)
    for f in /etc/touchpoint/kiosk.toml /etc/pam.d/touchpoint-kiosk /etc/touchpoint/hub.toml; do
        expect_contains "dpkg registers $f as a conffile" "$cf" " $f "
    done

    local p
    for p in touchpoint-hub touchpoint-kiosk touchpointctl; do
        if in_root test -x "/usr/bin/$p"; then
            # Every shared library resolves in a root that has only the package's Depends.
            local missing
            missing=$(in_root ldd "/usr/bin/$p" | grep 'not found')
            if [[ -z $missing ]]; then ok "$p: every shared library is found"; else notok "$p: every shared library is found" "$missing"; fi
        fi
    done

    say "systemd units"
    local u
    for u in touchpoint-hub.service touchpoint-kiosk.service; do
        check "systemd-analyze verify $u" verify_unit "/lib/systemd/system/$u"
    done
    expect_eq "touchpoint-hub is enabled at boot (multi-user.target)" yes \
        "$(in_root test -L /etc/systemd/system/multi-user.target.wants/touchpoint-hub.service && echo yes)"
    expect_eq "touchpoint-kiosk is enabled at boot (graphical.target)" yes \
        "$(in_root test -L /etc/systemd/system/graphical.target.wants/touchpoint-kiosk.service && echo yes)"
    local score
    score=$(in_root systemd-analyze security --offline=true /lib/systemd/system/touchpoint-hub.service 2>/dev/null |
            sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
    echo "touchpoint-hub.service exposure (systemd-analyze security --offline=true): ${score:-?} (0 safest, 10 worst)"
    if [[ -n $score ]] && awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }'; then
        ok "touchpoint-hub.service hardening: exposure $score <= 2.5"
    else
        notok "touchpoint-hub.service hardening: exposure <= 2.5" "score: ${score:-none}"
    fi
    echo "kiosk unit PAM stack: $(in_root test -f /etc/pam.d/touchpoint-kiosk && echo present) ($(in_root ls /lib/x86_64-linux-gnu/security/pam_systemd.so 2>&1))"
    check "pam_systemd.so (kiosk session) is installed" in_root test -f /lib/x86_64-linux-gnu/security/pam_systemd.so
}

negate() { ! "$@"; }

# systemd-analyze verify prints problems of our unit and of any unit it pulls in; fail on lines about ours.
verify_unit() {
    local out rc
    out=$(in_root systemd-analyze verify "$1" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    if ((rc != 0)) || grep -q "$(basename "$1")" <<<"$out"; then return 1; fi
    return 0
}

# A newer version of each package whose shipped conffiles changed: an unattended upgrade
# (--force-confdef --force-confold, as unattended-upgrades runs dpkg) keeps the administrator's edits and
# leaves the new default beside them; an unedited conffile is replaced.
repack_newer() {  # repack_newer DEB OUT
    local dir
    dir="$work/repack-$(basename "$1" .deb)"
    rm -rf "$dir"
    dpkg-deb -R "$1" "$dir" || return 1
    sed -i "s/^Version: .*/Version: ${version}+pkgtest1/" "$dir/DEBIAN/control"
    local f
    while read -r f; do
        printf '# changed upstream in %s+pkgtest1\n' "$version" >>"$dir$f"
    done <"$dir/DEBIAN/conffiles"
    (cd "$dir" && find . -type f ! -path './DEBIAN/*' -printf '%P\0' | sort -z | xargs -0 md5sum >DEBIAN/md5sums)
    dpkg-deb --root-owner-group -b "$dir" "$2" >/dev/null
}

upgrade_checks() {  # upgrade_checks KIOSK_DEB HUB_DEB
    say "Upgrade keeps edited conffiles"
    local kn="$work/touchpoint-kiosk_${version}+pkgtest1_amd64.deb" hn="$work/touchpoint-hub_${version}+pkgtest1_amd64.deb"
    if ! repack_newer "$1" "$kn" || ! repack_newer "$2" "$hn"; then
        notok "build newer test packages"
        return
    fi
    local kiosk_conf
    kiosk_conf=$(root_path /etc/touchpoint/kiosk.toml)
    printf '# edited by the operator\n' >>"$kiosk_conf"
    local before
    before=$(md5sum <"$kiosk_conf")
    local target=("$kn" "$hn")
    if [[ -n $ROOT ]]; then
        cp "$kn" "$hn" "$ROOT/tmp/debs/"
        target=("/tmp/debs/$(basename "$kn")" "/tmp/debs/$(basename "$hn")")
    fi
    if in_root dpkg --force-confdef --force-confold -i "${target[@]}" >"$work/upgrade.log" 2>&1; then
        ok "dpkg upgrades both packages unattended"
    else
        notok "dpkg upgrades both packages unattended" "see $work/upgrade.log"
        tail -n 15 "$work/upgrade.log" | sed 's/^/     | /'
        return
    fi
    expect_eq "upgrade: the edited kiosk.toml is kept" "$before" "$(md5sum <"$kiosk_conf")"
    check "upgrade: the new default is beside it (kiosk.toml.dpkg-dist)" \
        grep -q 'changed upstream' "$(root_path /etc/touchpoint/kiosk.toml.dpkg-dist)"
    check "upgrade: the unedited PAM file is replaced by the new one" \
        grep -q 'changed upstream' "$(root_path /etc/pam.d/touchpoint-kiosk)"
    expect_eq "upgrade: kiosk.toml still 0640 root:touchpoint" "640 root touchpoint" "$(stat_of /etc/touchpoint/kiosk.toml)"
    expect_eq "upgrade: hub.toml still 0640 root:touchpoint-hub" "640 root touchpoint-hub" "$(stat_of /etc/touchpoint/hub.toml)"
    hub_after_upgrade_checks
}

purge_checks() {
    say "Remove and purge"
    check "dpkg --purge both packages" in_root dpkg --purge touchpoint-kiosk touchpoint-hub
    installed_on_host=0
    local f
    for f in /etc/touchpoint/kiosk.toml /etc/touchpoint/hub.toml /etc/pam.d/touchpoint-kiosk \
             /lib/systemd/system/touchpoint-hub.service /lib/systemd/system/touchpoint-kiosk.service \
             /etc/systemd/system/multi-user.target.wants/touchpoint-hub.service \
             /etc/systemd/system/graphical.target.wants/touchpoint-kiosk.service; do
        check "purge removes $f" negate in_root test -e "$f"
    done
    # Data is never destroyed by purge: the outbox may hold unsent taps, the hub holds head office's data
    # and the only copy of the sealing secret key.
    if in_root test -e /var/lib/touchpoint-hub/hub.db; then
        ok "purge keeps the hub's data in /var/lib/touchpoint-hub"
    else
        notok "purge keeps the hub's data in /var/lib/touchpoint-hub"
    fi
    check "system users stay after purge (files may still belong to them)" in_root getent passwd touchpoint-hub
    if [[ -z $ROOT ]]; then
        # On this machine the test removes what it made; an operator's purge would not.
        rm -rf /var/lib/touchpoint /var/lib/touchpoint-hub /etc/touchpoint
        userdel touchpoint 2>/dev/null
        userdel touchpoint-hub 2>/dev/null
        groupdel touchpoint-config 2>/dev/null
    fi
}

# Leaves this machine as it was when an earlier step failed half-way (host mode only).
host_cleanup() {
    if ((installed_on_host)); then
        dpkg --purge touchpoint-kiosk touchpoint-hub >/dev/null 2>&1
        rm -rf /var/lib/touchpoint /var/lib/touchpoint-hub /etc/touchpoint
        userdel touchpoint 2>/dev/null
        userdel touchpoint-hub 2>/dev/null
        groupdel touchpoint-config 2>/dev/null
    fi
}
