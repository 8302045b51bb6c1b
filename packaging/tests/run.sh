#!/usr/bin/env bash
# Packaging tests (issue 8), run by `./dev test` after the unit tests, as root (CI runs as root):
#   1. release build of the programs (release preset, prefix /usr) and `cpack` -> the two .deb files
#   2. their control fields, contents, conffiles and maintainer scripts (dpkg-deb, shellcheck)
#   3. install both into a fresh debootstrap chroot of Debian 12 with apt (so Depends are proven complete),
#      or on this machine when the Debian mirror is out of reach; then users, directories, permissions,
#      `systemd-analyze verify` on the installed units, the hub's first start from its packaged config
#      (SQLite, then PostgreSQL as docs/OPERATIONS.md sets it up) answering /healthz over HTTPS, the kiosk
#      session command headless against it; then the root booted with systemd-nspawn so both units run
#      under a real systemd (hardening, PAM session, logind); a conffile-preserving upgrade; purge.
# Prints "N passed, M failed" and exits non-zero on any failure.
#
# Environment: PKG_BUILD_DIR (default build/release, configured from the release preset),
#              PKG_INSTALL_MODE=auto|chroot|host (default auto), PKG_KEEP_ROOT=1 keeps the chroot.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root_dir=$(cd "$here/../.." && pwd)
# shellcheck source=packaging/tests/lib.sh
source "$here/lib.sh"
# shellcheck source=packaging/tests/deb_checks.sh
source "$here/deb_checks.sh"
# shellcheck source=packaging/tests/install_checks.sh
source "$here/install_checks.sh"
# shellcheck source=packaging/tests/hub_checks.sh
source "$here/hub_checks.sh"
# shellcheck source=packaging/tests/kiosk_checks.sh
source "$here/kiosk_checks.sh"
# shellcheck source=packaging/tests/systemd_checks.sh
source "$here/systemd_checks.sh"

build_dir=${PKG_BUILD_DIR:-$root_dir/build/package}
mode=${PKG_INSTALL_MODE:-auto}
version=$(sed -n 's/^project(touchpoint VERSION \([0-9.]*\).*/\1/p' "$root_dir/CMakeLists.txt")
programs=(touchpoint-hub touchpoint-kiosk touchpointctl)
optional_programs=(touchpoint-datagen)   # also installed into a package when its target exists
work="$build_dir/pkgtest"

if [[ $(id -u) -ne 0 ]]; then
    echo "packaging tests: run as root (they install packages and create system users)" >&2
    exit 2
fi

cleanup() {
    hub_stop_all
    kiosk_stop_all
    host_cleanup
    unmount_root
    if [[ -n $ROOT && ${PKG_KEEP_ROOT:-0} != 1 ]]; then remove_root "$ROOT"; fi
}
trap cleanup EXIT

# --- 1. build and package -----------------------------------------------------------------------------------
say "Release build of the programs and cpack ($build_dir)"
# Prefix /usr: the programs hold their installed assets path. The install step need not build every test.
# Warnings are not fatal here, as in Debian's own package builds: g++ -O2 reports false positives inside
# libstdc++ that -O0 never sees, and a package must not fail on them. The dev and asan presets keep -Werror.
# The `package` preset (CMakePresets.json) sets exactly that, in its own build/package, so packaging never
# reconfigures the release build that `./dev run` uses.
cfg=(-DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON -DTOUCHPOINT_WARNINGS_AS_ERRORS=OFF
     -DTOUCHPOINT_BUILD_TESTS=OFF -DTOUCHPOINT_BUILD_BENCH=OFF)
if [[ -n ${PKG_BUILD_DIR:-} ]]; then
    configure=(cmake -S "$root_dir" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${cfg[@]}")
else
    configure=(cmake --preset package)
fi
if ! (cd "$root_dir" && "${configure[@]}" >"$build_dir.configure.log" 2>&1); then
    mkdir -p "$build_dir"
    notok "configure the release build" "see $build_dir.configure.log"
    tail -n 20 "$build_dir.configure.log"
    summary
    exit 1
fi
ok "configure the release build"

targets=$(cmake --build "$build_dir" --target help 2>/dev/null)
have=()
for p in "${programs[@]}"; do
    if grep -q "^\.\.\. $p\$" <<<"$targets"; then have+=("$p"); else notok "target $p exists" "not defined in the CMake tree yet"; fi
done
for p in "${optional_programs[@]}"; do
    if grep -q "^\.\.\. $p\$" <<<"$targets"; then have+=("$p"); fi
done
if ((${#have[@]})); then
    check "build ${have[*]} (RelWithDebInfo)" cmake --build "$build_dir" -j2 --target "${have[@]}"
fi

rm -rf "$build_dir/packages"
check "cpack produces the packages" cpack --config "$build_dir/CPackConfig.cmake" -B "$build_dir/packages"
kiosk_deb="$build_dir/packages/touchpoint-kiosk_${version}_amd64.deb"
hub_deb="$build_dir/packages/touchpoint-hub_${version}_amd64.deb"
for deb in "$kiosk_deb" "$hub_deb"; do check "file exists: $(basename "$deb")" test -s "$deb"; done
if [[ ! -s $kiosk_deb || ! -s $hub_deb ]]; then summary; exit 1; fi

# --- 2. the packages as files ------------------------------------------------------------------------------
say "Control fields, contents, conffiles, maintainer scripts"
deb_checks

# --- 3. install ---------------------------------------------------------------------------------------------
say "Install"
mkdir -p "$work"
if [[ $mode == auto || $mode == chroot ]]; then
    ROOT="$work/root"
    echo "debootstrap bookworm from $(debian_mirror) into $ROOT"
    if make_chroot "$ROOT" "$work/apt-cache"; then
        ok "debootstrap a fresh Debian 12 root"
        mount_root
    else
        if [[ $mode == chroot ]]; then
            notok "debootstrap a fresh Debian 12 root" "see $ROOT.debootstrap.log"
            summary
            exit 1
        fi
        echo "debootstrap could not reach the mirror (see $ROOT.debootstrap.log): installing on this machine"
        remove_root "$ROOT"
        ROOT=""
    fi
else
    ROOT=""
fi

install_packages "$kiosk_deb" "$hub_deb" || { summary; exit 1; }
installed_checks
hub_checks
kiosk_checks
if ((${#hub_pids[@]})); then
    hub_stop
    expect_eq "hub stops on SIGTERM with status 0" 0 "$?"
fi
systemd_checks
hub_postgres_checks
upgrade_checks "$kiosk_deb" "$hub_deb"
purge_checks

summary
