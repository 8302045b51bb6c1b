# The .deb files themselves: control fields, file lists, conffiles, maintainer scripts (sourced by run.sh).
# shellcheck shell=bash

# Debian package names dpkg-shlibdeps must find for each program's libraries.
kiosk_shlib_depends=(libglfw3 libsqlite3-0 libcurl4 libsodium23)
hub_shlib_depends=(libsqlite3-0 libsodium23 libpq5 libre2-9 libssl3 libjemalloc2 libsimdjson14)

# Package names in a Depends field, one per line, without versions.
depends_names() { sed 's/[,|]/\n/g' <<<"$1" | sed 's/(.*//; s/^ *//; s/ *$//' | grep -v '^$'; }

deb_has_program() {  # (the listing is read whole: grep -q closing the pipe early would fail it under pipefail)
    local contents
    contents=$(dpkg-deb -c "$1") || return 1
    grep -q " \./usr/bin/$2\$" <<<"$contents"
}

deb_common_checks() {  # deb_common_checks DEB NAME CONFFILES...
    local deb=$1 name=$2
    shift 2
    local info contents
    info=$(dpkg-deb -I "$deb")
    contents=$(dpkg-deb -c "$deb")
    expect_eq "$name: Package" "$name" "$(dpkg-deb -f "$deb" Package)"
    expect_eq "$name: Version" "$version" "$(dpkg-deb -f "$deb" Version)"
    expect_eq "$name: Architecture" "amd64" "$(dpkg-deb -f "$deb" Architecture)"
    expect_contains "$name: Maintainer" "$(dpkg-deb -f "$deb" Maintainer)" "@"
    local first
    first=$(dpkg-deb -f "$deb" Description | head -n 1)
    expect_contains "$name: Description names the product" "$first" "Touchpoint"

    local script
    for script in postinst prerm postrm; do
        if grep -qE "^ +[0-9]+ bytes, +[0-9]+ lines +\* +$script " <<<"$info"; then
            ok "$name: $script is in the control archive, executable"
        else
            notok "$name: $script is in the control archive, executable"
        fi
    done
    local want got
    want=$(printf '%s\n' "$@" | sort)
    got=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles 2>/dev/null | sort)
    expect_eq "$name: conffiles" "$want" "$got"
    local f
    for f in "$@"; do
        if grep -q " \.$f\$" <<<"$contents"; then ok "$name: ships $f"; else notok "$name: ships $f"; fi
    done
    if grep -q '\./usr/local' <<<"$contents"; then
        notok "$name: nothing under /usr/local"
    else
        ok "$name: nothing under /usr/local"
    fi
    if grep -q " \./usr/share/doc/$name/OPERATIONS.md\$" <<<"$contents"; then
        ok "$name: ships the operations guide"
    else
        notok "$name: ships the operations guide"
    fi
    # Files in the package belong to root; postinst hands out the groups.
    local owners
    owners=$(awk '{print $2}' <<<"$contents" | sort -u)
    if [[ $owners != "root/root" ]]; then
        notok "$name: every file is root/root in the archive"
    else
        ok "$name: every file is root/root in the archive"
    fi
}

deb_checks() {
    deb_common_checks "$kiosk_deb" touchpoint-kiosk /etc/touchpoint/kiosk.toml /etc/pam.d/touchpoint-kiosk
    deb_common_checks "$hub_deb" touchpoint-hub /etc/touchpoint/hub.toml

    local kc hc d
    kc=$(dpkg-deb -c "$kiosk_deb")
    hc=$(dpkg-deb -c "$hub_deb")
    if grep -q ' \./lib/systemd/system/touchpoint-kiosk.service$' <<<"$kc"; then ok "touchpoint-kiosk: ships its unit"; else notok "touchpoint-kiosk: ships its unit"; fi
    if grep -q ' \./lib/systemd/system/touchpoint-hub.service$' <<<"$hc"; then ok "touchpoint-hub: ships its unit"; else notok "touchpoint-hub: ships its unit"; fi
    if grep -qE '^-rw-r----- .* \./etc/touchpoint/kiosk.toml$' <<<"$kc"; then ok "kiosk.toml is 0640 in the archive"; else notok "kiosk.toml is 0640 in the archive"; fi
    if grep -qE '^-rw-r----- .* \./etc/touchpoint/hub.toml$' <<<"$hc"; then ok "hub.toml is 0640 in the archive"; else notok "hub.toml is 0640 in the archive"; fi

    check "touchpoint-kiosk: ships /usr/bin/touchpoint-kiosk" deb_has_program "$kiosk_deb" touchpoint-kiosk
    check "touchpoint-hub: ships /usr/bin/touchpoint-hub" deb_has_program "$hub_deb" touchpoint-hub
    if deb_has_program "$kiosk_deb" touchpointctl || deb_has_program "$hub_deb" touchpointctl; then
        ok "touchpointctl is in one of the packages"
    else
        notok "touchpointctl is in one of the packages"
    fi

    # Hand-written Depends (dlopened GL driver, the session) and what dpkg-shlibdeps found in the programs.
    local kdeps hdeps
    kdeps=$(depends_names "$(dpkg-deb -f "$kiosk_deb" Depends)")
    hdeps=$(depends_names "$(dpkg-deb -f "$hub_deb" Depends)")
    for d in cage xwayland libgl1-mesa-dri libgl1 fonts-dejavu-core libpam-systemd adduser libespeak-ng1; do
        if grep -qx "$d" <<<"$kdeps"; then ok "touchpoint-kiosk Depends: $d"; else notok "touchpoint-kiosk Depends: $d" "Depends: $(tr '\n' ' ' <<<"$kdeps")"; fi
    done
    if deb_has_program "$kiosk_deb" touchpoint-kiosk; then
        for d in "${kiosk_shlib_depends[@]}"; do
            if grep -qx "$d" <<<"$kdeps"; then ok "touchpoint-kiosk Depends (shlibdeps): $d"; else notok "touchpoint-kiosk Depends (shlibdeps): $d" "Depends: $(tr '\n' ' ' <<<"$kdeps")"; fi
        done
    fi
    if grep -qx adduser <<<"$hdeps"; then ok "touchpoint-hub Depends: adduser"; else notok "touchpoint-hub Depends: adduser"; fi
    if deb_has_program "$hub_deb" touchpoint-hub; then
        for d in "${hub_shlib_depends[@]}"; do
            if grep -qx "$d" <<<"$hdeps"; then ok "touchpoint-hub Depends (shlibdeps): $d"; else notok "touchpoint-hub Depends (shlibdeps): $d" "Depends: $(tr '\n' ' ' <<<"$hdeps")"; fi
        done
    fi

    if command -v shellcheck >/dev/null 2>&1; then
        local scripts=()
        for d in kiosk hub; do scripts+=("$root_dir/packaging/deb/$d/postinst" "$root_dir/packaging/deb/$d/prerm" "$root_dir/packaging/deb/$d/postrm"); done
        check "shellcheck the maintainer scripts (POSIX sh)" shellcheck -s sh "${scripts[@]}"
        check "shellcheck the packaging tests" shellcheck -x -P "$root_dir" "$here/run.sh" "$here/inside_boot.sh"
    else
        echo "shellcheck is not installed: maintainer scripts not linted"
    fi
}
