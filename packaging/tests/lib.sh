# Helpers for packaging/tests/run.sh (sourced, not run): counted checks and the install root (a fresh
# debootstrap chroot, or this machine itself when the Debian mirror cannot be reached).
# shellcheck shell=bash

passed=0
failed=0
failures=()

say() { printf '\n== %s\n' "$*"; }

ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$1"; }
notok() {  # notok NAME [DETAIL...]
    failed=$((failed + 1))
    failures+=("$1")
    printf 'FAIL %s\n' "$1"
    shift
    if (($#)); then printf '     %s\n' "$@"; fi
}

# check NAME CMD...: passes when CMD succeeds; on failure shows the last lines CMD printed.
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then
        ok "$name"
    else
        notok "$name" "command: $*"
        printf '%s\n' "$out" | tail -n 15 | sed 's/^/     | /'
    fi
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
    if [[ $2 == "$3" ]]; then ok "$1"; else notok "$1" "expected: $2" "actual:   $3"; fi
}

# expect_contains NAME HAYSTACK NEEDLE
expect_contains() {
    if [[ $2 == *"$3"* ]]; then ok "$1"; else notok "$1" "missing: $3" "in: $2"; fi
}

summary() {
    printf '\n%d passed, %d failed\n' "$passed" "$failed"
    if ((failed)); then
        printf 'failed: %s\n' "${failures[@]}"
        return 1
    fi
    return 0
}

# --- the install root ------------------------------------------------------------------------------------
# ROOT is "" on the host; otherwise a chroot directory. in_root runs a command inside it.
ROOT=""
mounted=()

in_root() {
    if [[ -n $ROOT ]]; then
        chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
    else
        "$@"
    fi
}

# Runs a command inside the root as a system user, without a login shell (the accounts have none).
as_user() {  # as_user USER CMD...
    local user=$1 gid
    shift
    gid=$(in_root id -g "$user") || return 1
    in_root setpriv --reuid="$user" --regid="$gid" --init-groups --reset-env "$@"
}

# Passes when CMD fails because of permissions (not because of a typo or a missing file).
denied() {
    local out
    if out=$("$@" 2>&1); then
        printf 'allowed: %s\n' "$out"
        return 1
    fi
    [[ $out == *"Permission denied"* ]] || { printf 'failed for another reason: %s\n' "$out"; return 1; }
}

root_path() { printf '%s%s' "$ROOT" "$1"; }

# The Debian mirror apt uses on this machine (deb822 or one-line sources), for debootstrap.
debian_mirror() {
    local m
    m=$(grep -hsE '^URIs:.*debian/?$' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | head -n 1)
    [[ -n $m ]] || m=$(grep -hsE '^deb .*debian/? bookworm' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
                       awk '{print $2}' | head -n 1)
    printf '%s' "${m:-http://deb.debian.org/debian}"
}

mount_root() {
    local d
    for d in proc sys dev; do mkdir -p "$ROOT/$d"; done
    mount -t proc proc "$ROOT/proc" && mounted+=("$ROOT/proc")
    mount --rbind /sys "$ROOT/sys" && mount --make-rslave "$ROOT/sys" && mounted+=("$ROOT/sys")
    mount --rbind /dev "$ROOT/dev" && mount --make-rslave "$ROOT/dev" && mounted+=("$ROOT/dev")
}

unmount_root() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -R "${mounted[i]}" 2>/dev/null || umount -lR "${mounted[i]}" 2>/dev/null || true
    done
    mounted=()
}

# Deletes a root directory, but never while anything is mounted below it (an rm -rf through a bind mount
# of /dev or /sys would reach this machine's own files). Returns 1 when it had to leave the directory.
remove_root() {  # remove_root DIR
    local dir m
    [[ -e $1 ]] || return 0
    dir=$(realpath "$1")
    for m in $(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/mounts | sort -r); do
        umount -R "$m" 2>/dev/null || umount -lR "$m" 2>/dev/null
    done
    if awk -v d="$dir" '$2 == d || index($2, d "/") == 1 {found = 1} END {exit !found}' /proc/mounts; then
        echo "refusing to delete $dir: something is still mounted below it" >&2
        return 1
    fi
    rm -rf "$dir"
}

# Makes a fresh minimal Debian 12 in $1 with the same suites as this machine. Fails when the mirror is out
# of reach (the caller then falls back to installing on this machine).
make_chroot() {  # make_chroot DIR APT_CACHE_DIR
    local dir=$1 cache=$2 mirror
    mirror=$(debian_mirror)
    remove_root "$dir" || return 1
    mkdir -p "$cache"
    debootstrap --variant=minbase --cache-dir="$cache" bookworm "$dir" "$mirror" >"$dir.debootstrap.log" 2>&1 ||
        return 1
    cat >"$dir/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian*}/debian-security bookworm-security main
EOF
    # Nothing starts services inside the chroot by itself (postgresql's postinst would): the tests start
    # what they need, as the units would.
    printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
    chmod 0755 "$dir/usr/sbin/policy-rc.d"
    cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
}

# A free TCP port on 127.0.0.1 (the chroot shares this machine's network).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The value of KEY= in a unit file (first occurrence), e.g. unit_value FILE ExecStart
unit_value() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# Waits until URL answers 200 over HTTPS with CA, or TIMEOUT seconds pass.
wait_https() {  # wait_https URL CAFILE TIMEOUT
    local deadline=$((SECONDS + $3))
    while ((SECONDS < deadline)); do
        if curl -fsS --max-time 2 --cacert "$2" "$1" >/dev/null 2>&1; then return 0; fi
        sleep 0.3
    done
    return 1
}
